//! `/api/v1/tags`, `/api/v1/stages`, `/api/v1/sources`: the small lists customers are
//! sorted by. Reading them needs customers.view; changing them customers.settings.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::taxonomy;
use khach_types::api::{
    CreateSource, CreateStage, CreateTag, MergeTag, Source, SourceList, Stage, StageList, Tag,
    TagList, UpdateSource, UpdateStage, UpdateTag,
};

/// List tags with how many live customers carry each.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags",
    responses((status = 200, description = "All tags", body = TagList)))]
pub async fn list_tags(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<TagList>, ApiError> {
    taxonomy::list_tags(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Create a tag.
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", request_body = CreateTag,
    responses((status = 201, description = "Created", body = Tag)))]
pub async fn create_tag(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateTag>,
) -> Result<(StatusCode, Json<Tag>), ApiError> {
    taxonomy::create_tag(&s.core, &ctx, input)
        .await
        .map(|x| (StatusCode::CREATED, Json(x)))
        .api(&ctx)
}

/// Rename or recolour a tag.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags",
    params(("id" = i64, Path, description = "Tag id")), request_body = UpdateTag,
    responses((status = 200, description = "The updated tag", body = Tag)))]
pub async fn update_tag(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateTag>,
) -> Result<Json<Tag>, ApiError> {
    taxonomy::update_tag(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a tag; customers only lose the label.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags",
    params(("id" = i64, Path, description = "Tag id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_tag(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    taxonomy::delete_tag(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// Merge a tag into another: its customers get `into`, then this tag is removed.
#[utoipa::path(post, path = "/api/v1/tags/{id}/merge", tag = "tags",
    params(("id" = i64, Path, description = "Tag to merge away")), request_body = MergeTag,
    responses((status = 200, description = "The tag that remains", body = Tag)))]
pub async fn merge_tag(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<MergeTag>,
) -> Result<Json<Tag>, ApiError> {
    taxonomy::merge_tag(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// List the lifecycle stages in order.
#[utoipa::path(get, path = "/api/v1/stages", tag = "stages",
    responses((status = 200, description = "All stages", body = StageList)))]
pub async fn list_stages(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<StageList>, ApiError> {
    taxonomy::list_stages(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Create a stage (at `position`, or at the end).
#[utoipa::path(post, path = "/api/v1/stages", tag = "stages", request_body = CreateStage,
    responses((status = 201, description = "Created", body = Stage)))]
pub async fn create_stage(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateStage>,
) -> Result<(StatusCode, Json<Stage>), ApiError> {
    taxonomy::create_stage(&s.core, &ctx, input)
        .await
        .map(|x| (StatusCode::CREATED, Json(x)))
        .api(&ctx)
}

/// Rename, recolour or move a stage (`position`); the others shift.
#[utoipa::path(patch, path = "/api/v1/stages/{id}", tag = "stages",
    params(("id" = i64, Path, description = "Stage id")), request_body = UpdateStage,
    responses((status = 200, description = "The updated stage", body = Stage)))]
pub async fn update_stage(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateStage>,
) -> Result<Json<Stage>, ApiError> {
    taxonomy::update_stage(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a stage no customer is on (409 otherwise).
#[utoipa::path(delete, path = "/api/v1/stages/{id}", tag = "stages",
    params(("id" = i64, Path, description = "Stage id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_stage(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    taxonomy::delete_stage(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// List customer sources with their attribution priority.
#[utoipa::path(get, path = "/api/v1/sources", tag = "sources",
    responses((status = 200, description = "All sources", body = SourceList)))]
pub async fn list_sources(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<SourceList>, ApiError> {
    taxonomy::list_sources(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Create a source.
#[utoipa::path(post, path = "/api/v1/sources", tag = "sources", request_body = CreateSource,
    responses((status = 201, description = "Created", body = Source)))]
pub async fn create_source(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateSource>,
) -> Result<(StatusCode, Json<Source>), ApiError> {
    taxonomy::create_source(&s.core, &ctx, input)
        .await
        .map(|x| (StatusCode::CREATED, Json(x)))
        .api(&ctx)
}

/// Rename a source or change its priority.
#[utoipa::path(patch, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = i64, Path, description = "Source id")), request_body = UpdateSource,
    responses((status = 200, description = "The updated source", body = Source)))]
pub async fn update_source(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateSource>,
) -> Result<Json<Source>, ApiError> {
    taxonomy::update_source(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a source no customer comes from (409 otherwise).
#[utoipa::path(delete, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = i64, Path, description = "Source id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_source(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    taxonomy::delete_source(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
