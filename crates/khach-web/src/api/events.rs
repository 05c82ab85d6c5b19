//! `/api/v1/events`: event ingestion (one, or a batch of up to 1,000); a customer's
//! timeline with filters and its CSV export; the counter rules; score levels; the
//! caller's notifications.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::i18n::t;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use khach_core::interactions;
use khach_types::ErrorCode;
use khach_types::api::{
    BatchResult, CounterRules, EventBatch, EventInput, EventResult, EventStatus,
    InteractionSummary, NotificationList, ScoreLevel, ScoreLevelInput, ScoreLevelList,
    TimelineExportQuery, TimelinePage, TimelineQuery,
};

/// Message keys of refused events into the caller's language.
fn translate(mut r: BatchResult, ctx: &khach_core::Ctx) -> BatchResult {
    for e in &mut r.results {
        for v in e.fields.values_mut() {
            *v = t(ctx.locale, v);
        }
    }
    r
}

/// Store one event. The customer is found by `id`, `code`, `phone` or `email`
/// (created when `create_if_missing`); the same (`source`, `external_id`) is stored
/// once: a repeat answers 200 with the stored event's id.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventInput,
    responses((status = 201, description = "Stored", body = EventResult),
              (status = 200, description = "Already stored (duplicate)", body = EventResult),
              (status = 404, description = "No such customer in the caller's scope"),
              (status = 422, description = "Invalid event")))]
pub async fn create_event(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<(StatusCode, Json<EventResult>), ApiError> {
    let r = translate(
        interactions::ingest(&s.core, &ctx, vec![input])
            .await
            .api(&ctx)?,
        &ctx,
    );
    let Some(one) = r.results.into_iter().next() else {
        return Err(ApiError::new(ErrorCode::Internal, ctx.locale));
    };
    match one.status {
        EventStatus::Stored => Ok((StatusCode::CREATED, Json(one))),
        EventStatus::Duplicate => Ok((StatusCode::OK, Json(one))),
        EventStatus::Rejected if one.error.as_deref() == Some("not_found") => {
            Err(ApiError::new(ErrorCode::NotFound, ctx.locale))
        }
        EventStatus::Rejected => {
            let mut e = ApiError::new(ErrorCode::ValidationFailed, ctx.locale);
            e.fields = one.fields;
            Err(e)
        }
    }
}

/// Store up to 1,000 events. Each is answered by its index: `stored`, `duplicate`
/// or `rejected` (with the error code and the fields at fault); good events are kept
/// when others are refused.
#[utoipa::path(post, path = "/api/v1/events/batch", tag = "events", request_body = EventBatch,
    responses((status = 200, description = "One result per event, in order", body = BatchResult),
              (status = 422, description = "More than 1,000 events")))]
pub async fn create_event_batch(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<EventBatch>,
) -> Result<Json<BatchResult>, ApiError> {
    interactions::ingest(&s.core, &ctx, input.events)
        .await
        .map(|r| Json(translate(r, &ctx)))
        .api(&ctx)
}

/// A customer's interaction history, newest first (by time of occurrence): every
/// event, Khách's own and ingested, with a text filter, one source only or every
/// source except one.
#[utoipa::path(get, path = "/api/v1/customers/{id}/events", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), TimelineQuery),
    responses((status = 200, description = "A page of timeline entries", body = TimelinePage)))]
pub async fn list_customer_events(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<TimelinePage>, ApiError> {
    interactions::timeline(&s.core, &ctx, id, &q)
        .await
        .map(Json)
        .api(&ctx)
}

/// The filtered interaction history as a CSV or XLSX file (needs the export
/// permission).
#[utoipa::path(get, path = "/api/v1/customers/{id}/events/export", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), TimelineExportQuery),
    responses((status = 200, description = "The file",
        content((String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn export_customer_events(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiQuery(q): ApiQuery<TimelineExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    // The export takes every matching event; a given limit or cursor must still be
    // valid, as on the list.
    if q.limit.is_some() {
        khach_core::paging::page_limit(q.limit).api(&ctx)?;
    }
    khach_core::paging::parse_cursor(q.cursor.as_deref()).api(&ctx)?;
    let f = interactions::export(
        &s.core,
        &ctx,
        id,
        &q.filters(),
        q.format.unwrap_or_default(),
    )
    .await
    .api(&ctx)?;
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.file_name),
            ),
        ],
        f.bytes,
    ))
}

/// The counter rules per event type (Getfly's until changed).
#[utoipa::path(get, path = "/api/v1/interaction-rules", tag = "events",
    responses((status = 200, description = "The rules", body = CounterRules)))]
pub async fn get_interaction_rules(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<CounterRules>, ApiError> {
    interactions::rules::get(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Replace the counter rules. Stored counters change for new events;
/// `khach recompute` applies new rules to the past.
#[utoipa::path(put, path = "/api/v1/interaction-rules", tag = "events",
    request_body = CounterRules,
    responses((status = 200, description = "The rules", body = CounterRules)))]
pub async fn set_interaction_rules(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CounterRules>,
) -> Result<Json<CounterRules>, ApiError> {
    interactions::rules::set(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Score levels and their actions.
#[utoipa::path(get, path = "/api/v1/score-levels", tag = "events",
    responses((status = 200, description = "The levels, lowest first", body = ScoreLevelList)))]
pub async fn list_score_levels(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<ScoreLevelList>, ApiError> {
    interactions::levels::list(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Create a score level.
#[utoipa::path(post, path = "/api/v1/score-levels", tag = "events",
    request_body = ScoreLevelInput,
    responses((status = 201, description = "Created", body = ScoreLevel)))]
pub async fn create_score_level(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ScoreLevelInput>,
) -> Result<(StatusCode, Json<ScoreLevel>), ApiError> {
    interactions::levels::create(&s.core, &ctx, input)
        .await
        .map(|l| (StatusCode::CREATED, Json(l)))
        .api(&ctx)
}

/// Replace a score level.
#[utoipa::path(put, path = "/api/v1/score-levels/{id}", tag = "events",
    params(("id" = i64, Path, description = "Level id")), request_body = ScoreLevelInput,
    responses((status = 200, description = "The level", body = ScoreLevel)))]
pub async fn update_score_level(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<ScoreLevelInput>,
) -> Result<Json<ScoreLevel>, ApiError> {
    interactions::levels::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a score level.
#[utoipa::path(delete, path = "/api/v1/score-levels/{id}", tag = "events",
    params(("id" = i64, Path, description = "Level id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_score_level(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    interactions::levels::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// The caller's newest notifications and the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "events",
    responses((status = 200, description = "Notifications", body = NotificationList)))]
pub async fn list_notifications(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<NotificationList>, ApiError> {
    interactions::notifications(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Mark every notification of the caller read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "events",
    responses((status = 204, description = "Marked read")))]
pub async fn read_notifications(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<StatusCode, ApiError> {
    interactions::mark_notifications_read(&s.core, &ctx)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// A customer's interaction count, score, last contact date and days since.
#[utoipa::path(get, path = "/api/v1/customers/{id}/interactions", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The counters", body = InteractionSummary)))]
pub async fn get_customer_interactions(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<InteractionSummary>, ApiError> {
    interactions::summary(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}
