//! From the timeline to the queue. Every event kind of the product already lands on
//! the customer timeline (`events`), so the dispatcher tails that table by id instead
//! of every writer queueing deliveries itself. Ids are handed out before commit, so on
//! PostgreSQL a lower id can appear after a higher one: ids skipped over are kept as
//! gaps and looked at again for a while. The unique (endpoint, event) index makes a
//! second look harmless.

use super::Worker;
use crate::{Core, CoreResult};
use chrono::Duration;
use khach_db::events::Event;
use khach_db::webhooks::{self as db, Delivery, Endpoint};
use serde_json::{Value, json};

const CURSOR: &str = "webhooks.cursor";
const BATCH: u64 = 2000;
/// How long a skipped id may still turn up (a transaction still open).
const GAP_TTL_SECONDS: i64 = 120;
const MAX_GAPS: usize = 20_000;

/// The subscription kind an event belongs to.
pub fn kind_of(event_kind: &str) -> &'static str {
    match event_kind {
        "customer.created" => "customer.created",
        "customer.deleted" => "customer.deleted",
        "customer.restored" => "customer.restored",
        "customer.merged" => "customer.merged",
        "score.level_crossed" => "score.level_crossed",
        k if k.starts_with("customer.") => "customer.updated",
        _ => "event.ingested",
    }
}

/// The body sent for a timeline event.
pub fn body(kind: &str, e: &Event) -> Value {
    json!({
        "type": kind,
        "timestamp": e.occurred_at,
        "data": {
            "event_id": e.id,
            "customer_id": e.customer_id,
            "kind": e.kind,
            "source": e.source,
            "occurred_at": e.occurred_at,
            "actor_id": e.actor_id,
            "payload": e.payload,
        }
    })
}

fn wants(ep: &Endpoint, kind: &str, e: &Event) -> bool {
    if e.id <= ep.start_event_id {
        return false;
    }
    let subscribed = ep
        .kinds
        .as_array()
        .is_some_and(|k| k.iter().any(|v| v.as_str() == Some(kind)));
    // A score level's "send a webhook" action names endpoints directly.
    let named = kind == "score.level_crossed"
        && e.payload["webhook_ids"]
            .as_array()
            .is_some_and(|ids| ids.iter().any(|v| v.as_i64() == Some(ep.id)));
    subscribed || named
}

fn deliveries(core: &Core, endpoints: &[Endpoint], events: &[Event]) -> Vec<Delivery> {
    let now = core.now();
    let mut out = vec![];
    for e in events {
        let kind = kind_of(&e.kind);
        for ep in endpoints.iter().filter(|ep| wants(ep, kind, e)) {
            out.push(Delivery {
                id: 0,
                endpoint_id: ep.id,
                event_id: Some(e.id),
                msg_id: format!("msg_{}_{}", e.id, ep.id),
                kind: kind.into(),
                body: body(kind, e).to_string(),
                status: "pending".into(),
                attempts: 0,
                next_at: now,
                locked_until: None,
                last_status: None,
                last_error: None,
                created_at: now,
                finished_at: None,
            });
        }
    }
    out
}

/// Queues deliveries for the events written since the last run; returns how many
/// events were looked at.
pub async fn run(core: &Core, w: &mut Worker) -> CoreResult<u64> {
    let c = core.db.conn();
    let now = core.now();
    let endpoints = db::active_endpoints(c).await?;
    let mut cursor = match khach_db::settings::get(c, CURSOR).await? {
        Some(v) => v.parse::<i64>().unwrap_or(0),
        None => endpoints
            .iter()
            .map(|e| e.start_event_id)
            .min()
            .unwrap_or(0),
    };
    if endpoints.is_empty() {
        // Nothing listens: move on without reading the events.
        let top = db::max_event_id(c).await?;
        if top != cursor {
            khach_db::settings::put(c, CURSOR, top.to_string(), now).await?;
        }
        w.gaps.clear();
        return Ok(0);
    }
    let mut seen = 0u64;
    // Ids skipped earlier that have committed since.
    w.gaps
        .retain(|_, t| now - *t < Duration::seconds(GAP_TTL_SECONDS));
    if !w.gaps.is_empty() {
        let ids: Vec<i64> = w.gaps.keys().copied().take(1000).collect();
        let found = db::events_by_ids(c, &ids).await?;
        for e in &found {
            w.gaps.remove(&e.id);
        }
        seen += found.len() as u64;
        db::queue(c, deliveries(core, &endpoints, &found)).await?;
    }
    loop {
        let batch = db::events_after(c, cursor, BATCH).await?;
        let Some(last) = batch.last().map(|e| e.id) else {
            break;
        };
        let mut expected = cursor + 1;
        for e in &batch {
            for gap in expected..e.id {
                if w.gaps.len() < MAX_GAPS {
                    w.gaps.insert(gap, now);
                }
            }
            expected = e.id + 1;
        }
        // Queue first, then move the cursor: a crash in between only re-queues
        // what the unique index turns away.
        db::queue(c, deliveries(core, &endpoints, &batch)).await?;
        cursor = last;
        khach_db::settings::put(c, CURSOR, cursor.to_string(), now).await?;
        seen += batch.len() as u64;
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    Ok(seen)
}
