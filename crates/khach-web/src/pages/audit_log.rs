//! `/settings/audit-log`: filterable list of changes.

use super::format::datetime;
use super::{Layout, PageCtx, encode, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use khach_types::Origin;
use khach_types::api::AuditQuery;
use serde::Deserialize;

struct Entry {
    at: String,
    actor: String,
    origin: String,
    entity: String,
    entity_id: String,
    action: String,
    changes: Vec<(String, String, String)>,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit_log/list.html")]
struct ListPage {
    l: Layout,
    entries: Vec<Entry>,
    f: Filters,
    entities: Vec<(&'static str, String)>,
    origins: Vec<(&'static str, String)>,
    next_link: Option<String>,
}

/// The filter form, as typed (dates as yyyy-mm-dd from `<input type=date>`).
#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
}

fn day(s: &str, plus_days: i64) -> Option<chrono::DateTime<Utc>> {
    use chrono::Datelike;
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1..=9999).contains(&d.year()))?;
    let start = d.and_hms_opt(0, 0, 0)?;
    // Days are Vietnam days (UTC+7).
    Some(
        Utc.from_utc_datetime(&start) - chrono::Duration::hours(7)
            + chrono::Duration::days(plus_days),
    )
}

/// "role_id" → the catalogue's "field-role", or the raw name when there is none.
fn field_label(l: khach_types::Locale, field: &str) -> String {
    let key = format!("field-{}", field.trim_end_matches("_id").replace('_', "-"));
    crate::i18n::try_t(l, &key).unwrap_or_else(|| field.to_string())
}

fn short(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    s.chars().take(120).collect()
}

pub async fn list(State(s): State<AppState>, p: PageCtx, Query(f): Query<Filters>) -> Response {
    let q = AuditQuery {
        limit: Some(50),
        cursor: f.cursor.clone(),
        entity: Some(f.entity.clone()).filter(|e| !e.is_empty()),
        entity_id: None,
        actor_id: None,
        origin: Origin::parse(&f.origin),
        from: day(&f.from, 0),
        to: day(&f.to, 1),
    };
    let list = match khach_core::audit::list(&s.core, &p.ctx, &q).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let tr = |k: String| crate::i18n::t(l, &k);
    let entries = list
        .items
        .into_iter()
        .map(|e| Entry {
            at: datetime(&e.at),
            actor: e.actor,
            origin: tr(format!("origin-{}", e.origin.as_str())),
            entity: tr(format!("entity-{}", e.entity.replace('_', "-"))),
            entity_id: e.entity_id.unwrap_or_default(),
            action: tr(format!("audit-action-{}", e.action.replace('_', "-"))),
            changes: e
                .changes
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (field_label(l, k), short(&v["old"]), short(&v["new"])))
                        .collect()
                })
                .unwrap_or_default(),
            ip: e.ip.unwrap_or_default(),
        })
        .collect();
    let next_link = list.next_cursor.map(|c| {
        format!(
            "/settings/audit-log?entity={}&origin={}&from={}&to={}&cursor={}",
            encode(&f.entity),
            encode(&f.origin),
            encode(&f.from),
            encode(&f.to),
            encode(&c)
        )
    });
    let entities = [
        "account",
        "role",
        "department",
        "api_key",
        "settings",
        "session",
    ]
    .into_iter()
    .map(|e| (e, tr(format!("entity-{}", e.replace('_', "-")))))
    .collect();
    let origins = ["ui", "api", "cli", "import", "integration", "automation"]
        .into_iter()
        .map(|o| (o, tr(format!("origin-{o}"))))
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            l: p.with_title("audit-title").layout,
            entries,
            f,
            entities,
            origins,
            next_link,
        },
    )
}
