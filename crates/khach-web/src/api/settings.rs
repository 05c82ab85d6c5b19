//! `/api/v1/settings`: business-wide settings.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use khach_types::api::{Settings, UpdateSettings};

/// Read the settings.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, description = "The settings", body = Settings)))]
pub async fn get_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Settings>, ApiError> {
    khach_core::settings::read(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Change settings; only the fields present change.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", request_body = UpdateSettings,
    responses((status = 200, description = "The updated settings", body = Settings)))]
pub async fn update_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<UpdateSettings>,
) -> Result<Json<Settings>, ApiError> {
    khach_core::settings::update(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}
