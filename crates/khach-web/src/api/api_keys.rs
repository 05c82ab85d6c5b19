//! `/api/v1/api-keys`: keys for integrations.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::api_keys;
use khach_types::api::{ApiKey, ApiKeyList, CreateApiKey, CreatedApiKey, PageQuery};

/// List API keys (one's own; administrators see all).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", params(PageQuery),
    responses((status = 200, description = "A page of keys", body = ApiKeyList)))]
pub async fn list_api_keys(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<ApiKeyList>, ApiError> {
    api_keys::list(&s.core, &ctx, &q).await.map(Json).api(&ctx)
}

/// Create a key for the caller. The secret is in this answer and nowhere else, ever.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", request_body = CreateApiKey,
    responses((status = 201, description = "Created; keep the secret", body = CreatedApiKey)))]
pub async fn create_api_key(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    api_keys::create(&s.core, &ctx, input)
        .await
        .map(|k| (StatusCode::CREATED, Json(k)))
        .api(&ctx)
}

/// Get one key (without its secret).
#[utoipa::path(get, path = "/api/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = i64, Path, description = "Key id")),
    responses((status = 200, description = "The key", body = ApiKey)))]
pub async fn get_api_key(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<ApiKey>, ApiError> {
    api_keys::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Revoke a key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = i64, Path, description = "Key id")),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_api_key(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    api_keys::revoke(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
