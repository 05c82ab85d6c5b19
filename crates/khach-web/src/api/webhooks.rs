//! `/api/v1/webhooks`: outgoing webhook endpoints, their delivery log, test sends.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id, Ids2};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::webhooks;
use khach_types::api::{
    CreateWebhook, PageQuery, UpdateWebhook, WebhookDelivery, WebhookDeliveryList, WebhookEndpoint,
    WebhookEndpointList, WebhookSettings, WebhookWithSecret,
};

/// List webhook endpoints.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "Every endpoint", body = WebhookEndpointList)))]
pub async fn list_webhooks(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<WebhookEndpointList>, ApiError> {
    webhooks::list(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Create an endpoint. Its signing secret is in this answer only. Targets on
/// loopback, private, link-local or metadata addresses are refused (422 on `url`)
/// unless an administrator allowed private targets.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses((status = 201, description = "Created; keep the secret", body = WebhookWithSecret)))]
pub async fn create_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateWebhook>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), ApiError> {
    webhooks::create(&s.core, &ctx, input)
        .await
        .map(|w| (StatusCode::CREATED, Json(w)))
        .api(&ctx)
}

/// Get one endpoint (without its secret).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint)))]
pub async fn get_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    webhooks::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Change name, URL, kinds, or switch on / off.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")), request_body = UpdateWebhook,
    responses((status = 200, description = "Saved", body = WebhookEndpoint)))]
pub async fn update_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateWebhook>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    webhooks::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// A new signing secret (shown once); the old one signs too for 24 hours.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, description = "The new secret", body = WebhookWithSecret)))]
pub async fn rotate_webhook_secret(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    webhooks::rotate_secret(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// Send a `webhook.test` message now; the answer says what the receiver replied.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, description = "The test delivery and its attempt", body = WebhookDelivery)))]
pub async fn test_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<WebhookDelivery>, ApiError> {
    webhooks::send_test(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// The delivery log: newest first, each delivery with every attempt (status code,
/// response time, error).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id"), PageQuery),
    responses((status = 200, description = "A page of deliveries", body = WebhookDeliveryList)))]
pub async fn list_webhook_deliveries(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<WebhookDeliveryList>, ApiError> {
    webhooks::deliveries(&s.core, &ctx, id, &q)
        .await
        .map(Json)
        .api(&ctx)
}

/// Send a finished delivery again.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id"),
           ("delivery_id" = i64, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued")))]
pub async fn redeliver_webhook(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Ids2(id, delivery): Ids2,
) -> Result<StatusCode, ApiError> {
    webhooks::redeliver(&s.core, &ctx, id, delivery)
        .await
        .map(|_| StatusCode::ACCEPTED)
        .api(&ctx)
}

/// Webhook settings: whether private targets are allowed.
#[utoipa::path(get, path = "/api/v1/webhook-settings", tag = "webhooks",
    responses((status = 200, description = "The settings", body = WebhookSettings)))]
pub async fn get_webhook_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<WebhookSettings>, ApiError> {
    webhooks::settings(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Allow or refuse private targets (administrators only).
#[utoipa::path(put, path = "/api/v1/webhook-settings", tag = "webhooks",
    request_body = WebhookSettings,
    responses((status = 200, description = "Saved", body = WebhookSettings)))]
pub async fn update_webhook_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<WebhookSettings>,
) -> Result<Json<WebhookSettings>, ApiError> {
    webhooks::update_settings(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}
