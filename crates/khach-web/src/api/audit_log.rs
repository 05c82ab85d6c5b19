//! `/api/v1/audit-log`: who changed what.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use khach_types::api::{AuditList, AuditQuery};

/// List audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit-log", params(AuditQuery),
    responses((status = 200, description = "A page of entries", body = AuditList)))]
pub async fn list_audit_log(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditList>, ApiError> {
    khach_core::audit::list(&s.core, &ctx, &q)
        .await
        .map(Json)
        .api(&ctx)
}
