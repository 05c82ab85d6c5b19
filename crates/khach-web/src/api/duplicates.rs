//! `/api/v1/duplicates`: the review queue of possible duplicates, decisions on
//! pairs, the detection job; `/api/v1/customers/{id}/duplicates`.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::i18n::t_args;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::{Core, Ctx, duplicates};
use khach_types::Locale;
use khach_types::api::{
    CustomerDuplicates, DuplicateDecision, DuplicatePair, DuplicatePairList, DuplicateQuery,
    DuplicateScan, DuplicateScanState,
};

/// Fills in the words of each reason ("same phone 0912 345 678", "name Nguyễn Văn An
/// ≈ Nguyen Van An") in the caller's language.
pub fn explain(l: Locale, p: &mut DuplicatePair) {
    for r in &mut p.reasons {
        let key = format!("dup-reason-{}", r.code.replace('_', "-"));
        r.text = t_args(
            l,
            &key,
            &[
                ("value", r.value.clone().unwrap_or_else(|| "…".into())),
                ("a", p.a.name.clone()),
                ("b", p.b.name.clone()),
            ],
        );
    }
}

/// Starts a detection run in this process's background, unless one runs already.
pub async fn start_scan(core: &Core, ctx: &Ctx) -> khach_core::CoreResult<DuplicateScan> {
    let (scan, new) = duplicates::start_scan(core, ctx).await?;
    let out = DuplicateScan {
        id: scan.id,
        status: scan.status.clone(),
        customers: scan.customers,
        pairs: scan.pairs,
        started_at: scan.started_at,
        finished_at: scan.finished_at,
    };
    if new {
        let core = core.clone();
        tokio::spawn(async move {
            if let Err(e) = duplicates::run_scan(&core, scan).await {
                tracing::warn!(error = %e, "duplicate detection failed");
            }
        });
    }
    Ok(out)
}

/// The review queue: possible duplicates, best score first. Only pairs whose two
/// customers the caller sees; needs the customer merge permission.
#[utoipa::path(get, path = "/api/v1/duplicates", tag = "duplicates", params(DuplicateQuery),
    responses((status = 200, description = "A page of pairs", body = DuplicatePairList)))]
pub async fn list_duplicates(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<DuplicateQuery>,
) -> Result<Json<DuplicatePairList>, ApiError> {
    let mut list = duplicates::list(&s.core, &ctx, &q).await.api(&ctx)?;
    for p in &mut list.items {
        explain(ctx.locale, p);
    }
    Ok(Json(list))
}

/// Decide about a pair: `not_duplicate` (remembered: never shown again), `later`,
/// or `open`. Needs the merge permission and edit rights on both customers.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/decision", tag = "duplicates",
    params(("id" = i64, Path, description = "Pair id")), request_body = DuplicateDecision,
    responses((status = 200, description = "The pair with its new status", body = DuplicatePair)))]
pub async fn decide_duplicate(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(d): ApiJson<DuplicateDecision>,
) -> Result<Json<DuplicatePair>, ApiError> {
    let mut p = duplicates::decide(&s.core, &ctx, id, &d).await.api(&ctx)?;
    explain(ctx.locale, &mut p);
    Ok(Json(p))
}

/// Start the detection job over every customer (it runs in the background; one run
/// at a time — while one runs, this answers it).
#[utoipa::path(post, path = "/api/v1/duplicates/scan", tag = "duplicates",
    responses((status = 202, description = "The run", body = DuplicateScan)))]
pub async fn scan_duplicates(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<(StatusCode, Json<DuplicateScan>), ApiError> {
    start_scan(&s.core, &ctx)
        .await
        .map(|sc| (StatusCode::ACCEPTED, Json(sc)))
        .api(&ctx)
}

/// The latest detection run.
#[utoipa::path(get, path = "/api/v1/duplicates/scan", tag = "duplicates",
    responses((status = 200, description = "The latest run, if any", body = DuplicateScanState)))]
pub async fn get_duplicate_scan(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<DuplicateScanState>, ApiError> {
    duplicates::latest_scan(&s.core, &ctx)
        .await
        .map(|scan| Json(DuplicateScanState { scan }))
        .api(&ctx)
}

/// A customer's possible duplicates: customers with the same phone (also through
/// sub-contacts) and, for those who may merge, its detected pairs.
#[utoipa::path(get, path = "/api/v1/customers/{id}/duplicates", tag = "duplicates",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "Same-phone customers and pairs", body = CustomerDuplicates)))]
pub async fn get_customer_duplicates(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<CustomerDuplicates>, ApiError> {
    let mut d = duplicates::of_customer(&s.core, &ctx, id).await.api(&ctx)?;
    for p in &mut d.pairs {
        explain(ctx.locale, p);
    }
    Ok(Json(d))
}
