//! `/api/v1/customers/merge`: merge several customers into one (with `dry_run` to
//! preview); `/api/v1/customers/{id}/merges` and `/api/v1/customers/merges/{id}/undo`
//! to see and undo the merges into a customer.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use khach_core::merge;
use khach_types::api::{Customer, MergeInput, MergePreview, MergeRecordList};

/// Merge `merged_ids` into `survivor_id`: per field the value of the record named in
/// `fields` (default: the survivor's, empty ones filled from the others), phones,
/// e-mails, tags, supporters and viewers united, every event, sub-contact and import
/// row moved, counters recomputed, the merged records kept as tombstones whose ids
/// and codes lead to the survivor. One transaction; logged on the timeline and in
/// the audit log, sent as the `customer.merged` webhook. With `dry_run: true`
/// nothing is written. Needs the merge permission and edit rights on every record.
#[utoipa::path(post, path = "/api/v1/customers/merge", tag = "customers", request_body = MergeInput,
    responses((status = 200, description = "What the merge does (dry run) or did (`merge_id` set)", body = MergePreview)))]
pub async fn merge_customers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<MergeInput>,
) -> Result<Json<MergePreview>, ApiError> {
    merge::merge(&s.core, &ctx, input).await.map(Json).api(&ctx)
}

/// The merges into a customer that can be undone, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/merges", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "Merges into this customer", body = MergeRecordList)))]
pub async fn list_customer_merges(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<MergeRecordList>, ApiError> {
    merge::of_survivor(&s.core, &ctx, id)
        .await
        .map(|items| Json(MergeRecordList { items }))
        .api(&ctx)
}

/// Undo a merge within the retention window (the recycle bin's): the merged records
/// come back with their own fields and what they brought; what happened since stays
/// on the survivor. 409 when already undone, expired, or when a restored record's
/// code, phone or e-mail now belongs to another customer.
#[utoipa::path(post, path = "/api/v1/customers/merges/{id}/undo", tag = "customers",
    params(("id" = i64, Path, description = "Merge id")),
    responses((status = 200, description = "The survivor after the undo", body = Customer)))]
pub async fn undo_merge(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Customer>, ApiError> {
    merge::undo(&s.core, &ctx, id).await.map(Json).api(&ctx)
}
