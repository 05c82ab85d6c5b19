//! Reading a customer's interaction history: the filtered timeline (API and page),
//! its CSV and XLSX export and the chart's series.

use crate::exports::{ExportFile, csv_bytes, neutralise, xlsx_bytes};
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, Utc};
use khach_db::interactions::timeline::{self as store, Filter};
use khach_types::api::{ExportFormat, TimelineEvent, TimelinePage, TimelineQuery};
use khach_types::{Action, EventSource, Module};
use std::collections::HashMap;

fn filter(q: &TimelineQuery) -> CoreResult<Filter> {
    let src = |field: &str, v: &Option<String>| -> CoreResult<Option<String>> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => EventSource::parse(s)
                .map(|s| Some(s.as_str().to_string()))
                .map_err(|e| CoreError::field(field, e)),
        }
    };
    let text =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(CoreError::fields([("q", "value-too-long")]));
    }
    Ok(Filter {
        text,
        source: src("source", &q.source)?,
        except_source: src("except_source", &q.except_source)?,
    })
}

fn cursor(raw: Option<&str>) -> CoreResult<Option<(DateTime<Utc>, i64)>> {
    let Some(raw) = raw else { return Ok(None) };
    let bad = || CoreError::fields([("cursor", "value-cursor")]);
    let (t, id) = raw.split_once('-').ok_or_else(bad)?;
    let t: i64 = t.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let at = DateTime::from_timestamp_micros(t).ok_or_else(bad)?;
    Ok(Some((at, id)))
}

async fn visible(core: &Core, ctx: &Ctx, customer: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::View)?;
    crate::customers::visible(core, ctx, customer).await
}

fn out(ctx: &Ctx, e: khach_db::events::Event, names: &HashMap<i64, String>) -> TimelineEvent {
    TimelineEvent {
        id: e.id,
        actor_name: e
            .actor_label
            .or_else(|| e.actor_id.and_then(|a| names.get(&a).cloned())),
        kind: e.kind,
        source: e.source,
        external_id: e.idem_key,
        occurred_at: e.occurred_at,
        actor_id: e.actor_id,
        interaction_delta: e.interaction_delta,
        score_delta: e.score_delta,
        contact: e.contact,
        payload: if ctx.masked() {
            crate::customers::mask_json(e.payload)
        } else {
            e.payload
        },
    }
}

async fn names(core: &Core, rows: &[khach_db::events::Event]) -> CoreResult<HashMap<i64, String>> {
    let mut names = HashMap::new();
    for a in rows.iter().filter_map(|e| e.actor_id) {
        if let std::collections::hash_map::Entry::Vacant(v) = names.entry(a)
            && let Some(acc) = khach_db::accounts::get(core.db.conn(), a).await?
        {
            v.insert(acc.full_name);
        }
    }
    Ok(names)
}

/// Whether an event holds the folded needle (case and diacritics ignored, as
/// everywhere in Khách) in its type, source, actor or properties.
fn holds(e: &khach_db::events::Event, needle: &str) -> bool {
    let hay = format!(
        "{} {} {} {}",
        e.kind,
        e.source,
        e.actor_label.as_deref().unwrap_or(""),
        e.payload
    );
    khach_types::fold(&hay).contains(needle)
}

/// Events newest first after `before`, up to `want`, matching the filter. The text
/// is matched here rather than in SQL (SQLite's `lower` knows only ASCII, and a
/// Vietnamese needle should not need its diacritics): pages of the customer's
/// events are read until enough match, at most 50,000 events.
async fn select(
    core: &Core,
    customer: i64,
    f: &Filter,
    mut before: Option<(DateTime<Utc>, i64)>,
    want: u64,
) -> CoreResult<Vec<khach_db::events::Event>> {
    let Some(text) = &f.text else {
        return Ok(store::page(core.db.conn(), customer, f, before, want).await?);
    };
    let needle = khach_types::fold(text);
    let sql = Filter {
        text: None,
        ..f.clone()
    };
    let mut out = Vec::new();
    let mut scanned = 0;
    while (out.len() as u64) < want && scanned < 50_000 {
        let rows = store::page(core.db.conn(), customer, &sql, before, 500).await?;
        let Some(last) = rows.last() else { break };
        before = Some((last.occurred_at, last.id));
        scanned += rows.len();
        let n = rows.len();
        out.extend(rows.into_iter().filter(|e| holds(e, &needle)));
        if n < 500 {
            break;
        }
    }
    out.truncate(want as usize);
    Ok(out)
}

/// A page of the timeline, newest first.
pub async fn timeline(
    core: &Core,
    ctx: &Ctx,
    customer: i64,
    q: &TimelineQuery,
) -> CoreResult<TimelinePage> {
    visible(core, ctx, customer).await?;
    let f = filter(q)?;
    let limit = crate::paging::page_limit(q.limit)?;
    let before = cursor(q.cursor.as_deref())?;
    let mut rows = select(core, customer, &f, before, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last()
            .map(|e| format!("{}-{}", e.occurred_at.timestamp_micros(), e.id))
    } else {
        None
    };
    let names = names(core, &rows).await?;
    Ok(TimelinePage {
        items: rows.into_iter().map(|e| out(ctx, e, &names)).collect(),
        next_cursor: next,
    })
}

/// The sources on a customer's timeline.
pub async fn sources(core: &Core, ctx: &Ctx, customer: i64) -> CoreResult<Vec<String>> {
    visible(core, ctx, customer).await?;
    Ok(store::sources(core.db.conn(), customer).await?)
}

/// The filtered timeline as a CSV or XLSX file (newest first, at most 100,000
/// rows; formula-like cells neutralised as in every export). Needs the export
/// permission.
pub async fn export(
    core: &Core,
    ctx: &Ctx,
    customer: i64,
    q: &TimelineQuery,
    format: ExportFormat,
) -> CoreResult<ExportFile> {
    ctx.require(Module::Customers, Action::Export)?;
    visible(core, ctx, customer).await?;
    let f = filter(q)?;
    let rows = select(core, customer, &f, None, 100_000).await?;
    let names = names(core, &rows).await?;
    let headers: Vec<String> = [
        "id",
        "occurred_at",
        "type",
        "source",
        "external_id",
        "actor",
        "interaction_delta",
        "score_delta",
        "contact",
        "properties",
    ]
    .map(String::from)
    .to_vec();
    let lines: Vec<Vec<String>> = rows
        .into_iter()
        .map(|e| {
            let e = out(ctx, e, &names);
            [
                e.id.to_string(),
                e.occurred_at.to_rfc3339(),
                e.kind,
                e.source,
                e.external_id.unwrap_or_default(),
                e.actor_name.unwrap_or_default(),
                e.interaction_delta.to_string(),
                e.score_delta.to_string(),
                e.contact.to_string(),
                e.payload.to_string(),
            ]
            .iter()
            .map(|c| neutralise(c).into_owned())
            .collect()
        })
        .collect();
    let n = lines.len();
    let (bytes, content_type, ext) = match format {
        ExportFormat::Csv => (
            csv_bytes(&headers, &lines)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        ExportFormat::Xlsx => {
            let bytes = crate::imports::blocking(move || xlsx_bytes(&headers, &lines)).await?;
            (bytes, XLSX, "xlsx")
        }
    };
    Ok(ExportFile {
        bytes,
        content_type,
        file_name: format!("customer-{customer}-events.{ext}"),
        rows: n,
    })
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One period of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Interactions counted in the period.
    pub interactions: i64,
    /// The score at the end of the period.
    pub score: i64,
}

/// The chart of a customer's life: up to `n` equal periods from its first event to
/// now.
pub async fn chart(core: &Core, ctx: &Ctx, customer: i64, n: usize) -> CoreResult<Vec<Bucket>> {
    visible(core, ctx, customer).await?;
    let points = store::points(core.db.conn(), customer).await?;
    Ok(buckets(&points, ctx.now, n))
}

/// Splits points (oldest first) into `n` periods ending at `now`.
pub fn buckets(points: &[(DateTime<Utc>, i32, i32)], now: DateTime<Utc>, n: usize) -> Vec<Bucket> {
    let Some(first) = points.first().map(|p| p.0) else {
        return Vec::new();
    };
    let end = points.last().map_or(now, |p| p.0.max(now));
    let n = n.max(1);
    let span = (end - first).num_seconds().max(n as i64 * 3600);
    let width = span / n as i64 + 1;
    let mut out: Vec<Bucket> = (0..n)
        .map(|i| {
            let start = first + chrono::Duration::seconds(width * i as i64);
            Bucket {
                start,
                end: start + chrono::Duration::seconds(width),
                interactions: 0,
                score: 0,
            }
        })
        .collect();
    for (at, i, _) in points {
        let idx = ((*at - first).num_seconds() / width) as usize;
        if let Some(b) = out.get_mut(idx.min(n - 1)) {
            b.interactions += i64::from(*i);
        }
    }
    let mut score = 0i64;
    let mut it = points.iter().peekable();
    for b in &mut out {
        while let Some((at, _, s)) = it.peek() {
            if *at >= b.end {
                break;
            }
            score += i64::from(*s);
            it.next();
        }
        b.score = score;
    }
    out
}
