//! The interaction history on the customer page (the "history" tab): counters, an
//! SVG chart drawn here on the server (interactions per period as bars, accumulated
//! score as a line; each series hides with a checkbox, no script needed), and the
//! events newest first with a text filter, "only source X" / "every source except
//! X" and a CSV or XLSX export. Also the notifications list.

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use khach_core::interactions::{self, Bucket};
use khach_types::api::{ExportFormat, TimelineEvent, TimelineQuery};
use khach_types::{Action, Module};
use serde::Deserialize;

/// The history tab's filter, from the page's query string.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct HistoryFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub source: String,
    /// `only` (default) or `except`.
    #[serde(default)]
    pub mode: String,
}

/// One bar of the chart.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub title: String,
}

/// The chart, in SVG coordinates.
pub struct Chart {
    pub width: i64,
    pub height: i64,
    pub bars: Vec<Bar>,
    /// `x,y x,y …` of the score line.
    pub line: String,
    pub first: String,
    pub last: String,
    pub max_interactions: i64,
    pub max_score: i64,
}

/// One event row.
pub struct Row {
    pub e: TimelineEvent,
    pub name: String,
    pub at: String,
    pub details: String,
}

/// Everything the history tab shows.
pub struct History {
    pub interaction_count: i64,
    pub score: i64,
    pub last_contact: String,
    /// Whole days since the last contact, empty when never.
    pub days_since: String,
    pub chart: Option<Chart>,
    pub rows: Vec<Row>,
    pub sources: Vec<String>,
    pub f: HistoryFilter,
    pub export: String,
    pub export_xlsx: String,
    pub can_export: bool,
}

const W: i64 = 720;
const H: i64 = 200;

fn chart(buckets: &[Bucket]) -> Option<Chart> {
    let (first, last) = (buckets.first()?, buckets.last()?);
    let n = buckets.len() as i64;
    let max_i = buckets
        .iter()
        .map(|b| b.interactions)
        .max()
        .unwrap_or(0)
        .max(1);
    let min_s = buckets.iter().map(|b| b.score).min().unwrap_or(0).min(0);
    let max_s = buckets.iter().map(|b| b.score).max().unwrap_or(0).max(1);
    let slot = W / n.max(1);
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let h = (b.interactions.max(0) * (H - 10)) / max_i;
            Bar {
                x: i as i64 * slot + 1,
                y: H - h,
                w: (slot - 2).max(1),
                h,
                title: format!(
                    "{}: {}",
                    crate::pages::format::datetime(&b.start),
                    b.interactions
                ),
            }
        })
        .collect();
    let line = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = H - ((b.score - min_s) * (H - 10)) / (max_s - min_s).max(1);
            format!("{},{}", i as i64 * slot + slot / 2, y)
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some(Chart {
        width: W,
        height: H,
        bars,
        line,
        first: crate::pages::format::datetime(&first.start),
        last: crate::pages::format::datetime(&last.end),
        max_interactions: max_i,
        max_score: max_s,
    })
}

/// The event's name in the page's language (`custom.<name>` shows its name).
pub fn event_name(l: khach_types::Locale, kind: &str) -> String {
    let key = format!("event-{}", kind.replace(['.', '_'], "-"));
    crate::i18n::try_t(l, &key).unwrap_or_else(|| kind.to_string())
}

fn days_since(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    at.map(|a| (now - a).num_days().max(0).to_string())
        .unwrap_or_default()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The history tab of customer `id`.
pub async fn history(s: &AppState, p: &PageCtx, id: i64, f: HistoryFilter) -> History {
    let (core, ctx) = (&s.core, &p.ctx);
    let except = f.mode == "except";
    let source = Some(f.source.clone()).filter(|s| !s.is_empty());
    let q = TimelineQuery {
        q: Some(f.q.clone()).filter(|s| !s.trim().is_empty()),
        source: if except { None } else { source.clone() },
        except_source: if except { source } else { None },
        limit: Some(200),
        cursor: None,
    };
    let counters = interactions::counters(core, ctx, id)
        .await
        .unwrap_or_default();
    let buckets = interactions::chart(core, ctx, id, 24)
        .await
        .unwrap_or_default();
    let rows = interactions::timeline(core, ctx, id, &q)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|e| Row {
            name: event_name(ctx.locale, &e.kind),
            at: crate::pages::format::datetime(&e.occurred_at),
            details: serde_json::to_string_pretty(&e.payload).unwrap_or_default(),
            e,
        })
        .collect();
    // The file links share the filters; the extension picks the format.
    let export = format!(
        "/customers/{id}/events.csv?q={}&source={}&mode={}",
        enc(&f.q),
        enc(&f.source),
        enc(&f.mode)
    );
    let export_xlsx = export.replacen("/events.csv?", "/events.xlsx?", 1);
    History {
        interaction_count: counters.interaction_count,
        score: counters.score,
        last_contact: crate::pages::format::opt_datetime(&counters.last_contact_at),
        days_since: days_since(ctx.now, counters.last_contact_at),
        chart: chart(&buckets),
        rows,
        sources: interactions::sources(core, ctx, id)
            .await
            .unwrap_or_default(),
        export,
        export_xlsx,
        can_export: ctx.can(Module::Customers, Action::Export),
        f,
    }
}

/// `GET /customers/{id}/events.csv`: the filtered history as a file.
pub async fn export_csv(
    State(s): State<AppState>,
    p: PageCtx,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::extract::Query(f): axum::extract::Query<HistoryFilter>,
) -> Response {
    export(&s, p, id, f, ExportFormat::Csv).await
}

/// `GET /customers/{id}/events.xlsx`.
pub async fn export_xlsx(
    State(s): State<AppState>,
    p: PageCtx,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::extract::Query(f): axum::extract::Query<HistoryFilter>,
) -> Response {
    export(&s, p, id, f, ExportFormat::Xlsx).await
}

async fn export(
    s: &AppState,
    p: PageCtx,
    id: i64,
    f: HistoryFilter,
    format: ExportFormat,
) -> Response {
    let except = f.mode == "except";
    let source = Some(f.source.clone()).filter(|s| !s.is_empty());
    let q = TimelineQuery {
        q: Some(f.q).filter(|s| !s.trim().is_empty()),
        source: if except { None } else { source.clone() },
        except_source: if except { source } else { None },
        limit: None,
        cursor: None,
    };
    match interactions::export(&s.core, &p.ctx, id, &q, format).await {
        Ok(file) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    file.content_type.to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.file_name),
                ),
            ],
            file.bytes,
        )
            .into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "interactions/notifications.html")]
struct NotificationsPage {
    l: crate::pages::Layout,
    items: Vec<(khach_types::api::Notification, String, String)>,
    unread: u64,
}

/// `GET /notifications`: the bell's list.
pub async fn notifications(State(s): State<AppState>, p: PageCtx) -> Response {
    let list = match interactions::notifications(&s.core, &p.ctx).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let items = list
        .items
        .into_iter()
        .map(|n| {
            let at = crate::pages::format::datetime(&n.created_at);
            let text = crate::i18n::t_args(
                l,
                if n.payload["direction"] == "down" {
                    "interactions-note-down"
                } else {
                    "interactions-note-up"
                },
                &[
                    (
                        "customer",
                        n.payload["customer_name"]
                            .as_str()
                            .unwrap_or("")
                            .to_string(),
                    ),
                    (
                        "level",
                        n.payload["level_name"].as_str().unwrap_or("").to_string(),
                    ),
                    ("score", n.payload["score"].to_string()),
                ],
            );
            (n, at, text)
        })
        .collect();
    let page = NotificationsPage {
        items,
        unread: list.unread,
        l: p.with_title("interactions-notifications-title").layout,
    };
    render(StatusCode::OK, &page)
}

/// `POST /notifications/read`.
pub async fn read_notifications(State(s): State<AppState>, p: PageCtx) -> Response {
    match interactions::mark_notifications_read(&s.core, &p.ctx).await {
        Ok(()) => Redirect::to("/notifications").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
