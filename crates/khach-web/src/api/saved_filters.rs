//! `/api/v1/saved-filters`: named filter-builder definitions, personal or shared
//! with everyone who may view customers.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::saved_filters;
use khach_types::api::{CreateSavedFilter, SavedFilter, SavedFilterList, UpdateSavedFilter};

/// The caller's own filters and the shared ones.
#[utoipa::path(get, path = "/api/v1/saved-filters", tag = "saved-filters",
    responses((status = 200, description = "The filters the caller may use", body = SavedFilterList)))]
pub async fn list_saved_filters(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<SavedFilterList>, ApiError> {
    saved_filters::list(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Save a filter. Sharing it with everyone needs the customers settings permission.
#[utoipa::path(post, path = "/api/v1/saved-filters", tag = "saved-filters",
    request_body = CreateSavedFilter,
    responses((status = 201, description = "Created", body = SavedFilter)))]
pub async fn create_saved_filter(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateSavedFilter>,
) -> Result<(StatusCode, Json<SavedFilter>), ApiError> {
    saved_filters::create(&s.core, &ctx, input)
        .await
        .map(|f| (StatusCode::CREATED, Json(f)))
        .api(&ctx)
}

/// Get one filter (one's own or a shared one).
#[utoipa::path(get, path = "/api/v1/saved-filters/{id}", tag = "saved-filters",
    params(("id" = i64, Path, description = "Saved filter id")),
    responses((status = 200, description = "The filter", body = SavedFilter)))]
pub async fn get_saved_filter(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<SavedFilter>, ApiError> {
    saved_filters::get(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// Edit a filter (its owner; for a shared one also whoever holds customers.settings).
#[utoipa::path(patch, path = "/api/v1/saved-filters/{id}", tag = "saved-filters",
    params(("id" = i64, Path, description = "Saved filter id")), request_body = UpdateSavedFilter,
    responses((status = 200, description = "The updated filter", body = SavedFilter)))]
pub async fn update_saved_filter(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateSavedFilter>,
) -> Result<Json<SavedFilter>, ApiError> {
    saved_filters::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a filter (same people as for editing).
#[utoipa::path(delete, path = "/api/v1/saved-filters/{id}", tag = "saved-filters",
    params(("id" = i64, Path, description = "Saved filter id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_saved_filter(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    saved_filters::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
