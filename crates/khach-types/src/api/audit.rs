//! The audit log: who changed what, when, and from where.

use crate::values::Origin;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// Username of the actor at the time (`system` for the CLI without a user).
    pub actor: String,
    pub origin: Origin,
    pub entity: String,
    pub entity_id: Option<String>,
    pub action: String,
    /// Field → `{"old": …, "new": …}`. Secrets never appear here.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub ip: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/audit-log`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
    /// `account`, `role`, `department`, `api_key`, `settings`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<i64>,
    pub origin: Option<Origin>,
    /// Only entries at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}
