//! `/api/v1/accounts`: staff accounts.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::accounts;
use khach_types::api::{
    Account, AccountList, CreateAccount, PageQuery, ResetPassword, UpdateAccount,
};

/// List accounts.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(PageQuery),
    responses((status = 200, description = "A page of accounts", body = AccountList)))]
pub async fn list_accounts(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<AccountList>, ApiError> {
    accounts::list(&s.core, &ctx, &q).await.map(Json).api(&ctx)
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = CreateAccount,
    responses((status = 201, description = "Created", body = Account)))]
pub async fn create_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateAccount>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    accounts::create(&s.core, &ctx, input)
        .await
        .map(|a| (StatusCode::CREATED, Json(a)))
        .api(&ctx)
}

/// Get one account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = Account)))]
pub async fn get_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Account>, ApiError> {
    accounts::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Update an account; `"active": false` deactivates it (its sessions and keys stop
/// working at once).
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")), request_body = UpdateAccount,
    responses((status = 200, description = "The updated account", body = Account)))]
pub async fn update_account(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateAccount>,
) -> Result<Json<Account>, ApiError> {
    accounts::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Set a new password for an account (administrators); its sessions end.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")), request_body = ResetPassword,
    responses((status = 204, description = "Password set")))]
pub async fn reset_account_password(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<ResetPassword>,
) -> Result<StatusCode, ApiError> {
    accounts::reset_password(&s.core, &ctx, id, input)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
