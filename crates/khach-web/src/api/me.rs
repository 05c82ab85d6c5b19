//! `/api/v1/me`: the caller's own profile and password.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::accounts;
use khach_types::api::{Account, ChangePassword, UpdateProfile};

/// The calling account.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, description = "The caller's account", body = Account)))]
pub async fn get_me(ApiCtx(ctx): ApiCtx) -> Result<Json<Account>, ApiError> {
    match ctx.actor() {
        Some(a) => Ok(Json(accounts::to_api(a.account.clone()))),
        None => Err(ApiError::from_core(
            khach_core::CoreError::Unauthenticated,
            ctx.locale,
        )),
    }
}

/// Edit one's own profile.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateProfile,
    responses((status = 200, description = "The updated account", body = Account)))]
pub async fn update_me(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<UpdateProfile>,
) -> Result<Json<Account>, ApiError> {
    accounts::update_profile(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Change one's own password (the current one is required); other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", request_body = ChangePassword,
    responses((status = 204, description = "Password changed")))]
pub async fn change_my_password(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    accounts::change_password(&s.core, &ctx, input)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
