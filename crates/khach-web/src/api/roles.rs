//! `/api/v1/roles`: permission matrices and data scopes.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::roles;
use khach_types::api::{CreateRole, PageQuery, Role, RoleList, UpdateRole};

/// List roles.
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", params(PageQuery),
    responses((status = 200, description = "A page of roles", body = RoleList)))]
pub async fn list_roles(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<RoleList>, ApiError> {
    roles::list(&s.core, &ctx, &q).await.map(Json).api(&ctx)
}

/// Create a role.
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", request_body = CreateRole,
    responses((status = 201, description = "Created", body = Role)))]
pub async fn create_role(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateRole>,
) -> Result<(StatusCode, Json<Role>), ApiError> {
    roles::create(&s.core, &ctx, input)
        .await
        .map(|r| (StatusCode::CREATED, Json(r)))
        .api(&ctx)
}

/// Get one role.
#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = i64, Path, description = "Role id")),
    responses((status = 200, description = "The role", body = Role)))]
pub async fn get_role(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Role>, ApiError> {
    roles::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Update a role. The Admin role keeps every permission; only its name changes.
#[utoipa::path(patch, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = i64, Path, description = "Role id")), request_body = UpdateRole,
    responses((status = 200, description = "The updated role", body = Role)))]
pub async fn update_role(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateRole>,
) -> Result<Json<Role>, ApiError> {
    roles::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a role that no account holds. The Admin role cannot be deleted.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "roles",
    params(("id" = i64, Path, description = "Role id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_role(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    roles::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
