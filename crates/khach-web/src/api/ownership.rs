//! Ownership: assigning ticked customers (`/customers/assign`), their supporters and
//! viewers (`/customers/members`), and sharing rules (`/sharing-rules`). One
//! customer's owner, supporters and viewers change through `PATCH /customers/{id}`.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::{customers, sharing};
use khach_types::api::{
    AssignRequest, AssignResult, CreateSharingRule, MembersRequest, MembersResult, SharingRule,
    SharingRuleList, SharingRun, UpdateSharingRule,
};

/// Assign ticked customers (in list order) to one owner, in turn over several
/// ("sequential"), evenly with the remainder to the last owner chosen ("even"), or by
/// a count or percentage per owner ("advanced"; percentages are rounded by largest
/// remainder). With `preview: true` nothing changes and the answer says who would
/// get how many. Needs the assign permission; customers the caller may not change
/// are listed as skipped.
#[utoipa::path(post, path = "/api/v1/customers/assign", tag = "ownership",
    request_body = AssignRequest,
    responses((status = 200, description = "The plan, and what changed", body = AssignResult)))]
pub async fn assign_customers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<AssignRequest>,
) -> Result<Json<AssignResult>, ApiError> {
    customers::assign(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Add or remove supporters (view and edit) and viewers (view only) of ticked
/// customers. Needs the assign permission.
#[utoipa::path(post, path = "/api/v1/customers/members", tag = "ownership",
    request_body = MembersRequest,
    responses((status = 200, description = "How many customers changed", body = MembersResult)))]
pub async fn change_customer_members(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<MembersRequest>,
) -> Result<Json<MembersResult>, ApiError> {
    customers::members(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// List sharing rules (needs the customer settings permission).
#[utoipa::path(get, path = "/api/v1/sharing-rules", tag = "ownership",
    responses((status = 200, description = "Every sharing rule", body = SharingRuleList)))]
pub async fn list_sharing_rules(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<SharingRuleList>, ApiError> {
    sharing::list(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Create a sharing rule: every customer matching a shared saved filter, a tag or a
/// stage is shared with the accounts (and department) as viewers. Its customers are
/// "to be shared" until the next sharing run (each minute, or `POST
/// /sharing-rules/run`).
#[utoipa::path(post, path = "/api/v1/sharing-rules", tag = "ownership",
    request_body = CreateSharingRule,
    responses((status = 201, description = "Created", body = SharingRule)))]
pub async fn create_sharing_rule(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateSharingRule>,
) -> Result<(StatusCode, Json<SharingRule>), ApiError> {
    sharing::create(&s.core, &ctx, input)
        .await
        .map(|r| (StatusCode::CREATED, Json(r)))
        .api(&ctx)
}

#[utoipa::path(get, path = "/api/v1/sharing-rules/{id}", tag = "ownership",
    params(("id" = i64, Path, description = "Sharing rule id")),
    responses((status = 200, description = "The rule", body = SharingRule)))]
pub async fn get_sharing_rule(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<SharingRule>, ApiError> {
    sharing::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Change a sharing rule; switching it off stops its sharing at once.
#[utoipa::path(patch, path = "/api/v1/sharing-rules/{id}", tag = "ownership",
    params(("id" = i64, Path, description = "Sharing rule id")), request_body = UpdateSharingRule,
    responses((status = 200, description = "The rule", body = SharingRule)))]
pub async fn update_sharing_rule(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateSharingRule>,
) -> Result<Json<SharingRule>, ApiError> {
    sharing::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a sharing rule and the access it granted (and nothing else).
#[utoipa::path(delete, path = "/api/v1/sharing-rules/{id}", tag = "ownership",
    params(("id" = i64, Path, description = "Sharing rule id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_sharing_rule(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    sharing::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// Run the sharing now instead of waiting for the next minute.
#[utoipa::path(post, path = "/api/v1/sharing-rules/run", tag = "ownership",
    responses((status = 200, description = "What the run did", body = SharingRun)))]
pub async fn run_sharing(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<SharingRun>, ApiError> {
    sharing::run(&s.core, &ctx, false).await.map(Json).api(&ctx)
}
