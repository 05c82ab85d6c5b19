//! `khach recompute`: rebuilds every counter from the events, replaying them in the
//! order they were stored with the rules in force — the same computation as the
//! incremental path, so with unchanged rules nothing moves.

use super::record::{add, count};
use super::rules::{Rules, load};
use crate::{Core, CoreResult};
use khach_db::interactions::{self as store, Counters};
use std::collections::{HashMap, HashSet};

/// What a recompute found (and, unless checking only, fixed).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub customers: u64,
    pub events: u64,
    /// Events whose stored counted values differ from the rules'.
    pub events_changed: u64,
    /// Customers whose stored counters differ from their events'.
    pub counters_changed: u64,
}

const CHUNK: u64 = 500;

/// Walks every customer in chunks, one transaction each.
pub async fn recompute(core: &Core, check_only: bool) -> CoreResult<Report> {
    let mut report = Report::default();
    let mut after = 0;
    loop {
        let ids = store::customer_ids_after(core.db.conn(), after, CHUNK).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let tx = core.db.begin().await?;
        let (events, events_changed, counters_changed) =
            recompute_ids(&tx, &ids, core.now()).await?;
        report.customers += ids.len() as u64;
        report.events += events;
        report.events_changed += events_changed;
        report.counters_changed += counters_changed;
        if !check_only {
            khach_db::commit(tx).await?;
        }
    }
    Ok(report)
}

/// Rebuilds the counters of `ids` (and what each event counted) from their events,
/// inside the caller's transaction: `(events, events changed, counters changed)`.
/// A merge and its undo call it for the customers they touch.
pub(crate) async fn recompute_ids(
    tx: &impl khach_db::ConnectionTrait,
    ids: &[i64],
    now: chrono::DateTime<chrono::Utc>,
) -> CoreResult<(u64, u64, u64)> {
    let rules = Rules::new(load(tx).await?, now);
    let stored = store::counters_for_update(tx, ids).await?;
    let events = store::of_customers(tx, ids).await?;
    let mut fresh: HashMap<i64, Counters> =
        ids.iter().map(|id| (*id, Counters::default())).collect();
    let mut slots = HashSet::new();
    let mut changed_events = Vec::new();
    for e in &events {
        let (i, contact, s) = count(
            &rules,
            &mut slots,
            e.customer_id,
            &e.kind,
            &e.source,
            e.occurred_at,
            &e.payload,
        );
        if (i, contact, s) != (e.interaction_delta, e.contact, e.score_delta) {
            changed_events.push((e.id, i, contact, s));
        }
        if let Some(k) = fresh.get_mut(&e.customer_id) {
            add(&rules, k, i, contact, s, e.occurred_at);
        }
    }
    let changed: Vec<(i64, Counters)> = fresh
        .into_iter()
        .filter(|(id, k)| stored.get(id).is_some_and(|s| !same(s, k)))
        .collect();
    store::set_deltas(tx, &changed_events).await?;
    store::write_counters(tx, &changed).await?;
    Ok((
        events.len() as u64,
        changed_events.len() as u64,
        changed.len() as u64,
    ))
}

/// Equal counters; times compared to the microsecond (what both databases keep).
fn same(a: &Counters, b: &Counters) -> bool {
    let micros = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.timestamp_micros());
    a.interaction_count == b.interaction_count
        && a.score == b.score
        && micros(a.last_contact_at) == micros(b.last_contact_at)
}
