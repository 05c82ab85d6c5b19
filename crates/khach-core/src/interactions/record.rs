//! The one write path of the timeline: events are stored and the counters of their
//! customers changed in the caller's transaction, by the rules in force. Ingestion,
//! customer writes (`customer.*` entries) and score-level actions all come here.

use super::rules::{Rules, hour_of};
use super::timing::{self, Phase};
use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use khach_db::ConnectionTrait;
use khach_db::interactions::{self as store, Counters, write::Delta};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// An event about to be stored.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub customer_id: i64,
    pub kind: String,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_label: Option<String>,
    pub payload: Value,
    pub idem_key: Option<String>,
}

/// What a stored batch did: each draft's id in draft order (`None` when a
/// concurrent delivery stored its (source, external id) first), and the score
/// before and after of each customer whose counters changed.
pub(crate) struct Applied {
    pub ids: Vec<Option<i64>>,
    pub scores: BTreeMap<i64, (i64, i64)>,
}

/// The counted (customer, type, hour) slots of once-per-hour types already stored.
async fn counted_slots(
    c: &impl ConnectionTrait,
    rules: &Rules,
    drafts: &[Draft],
) -> CoreResult<HashSet<(i64, String, i64)>> {
    let hourly: HashSet<String> = rules.hourly_kinds().into_iter().collect();
    let relevant: Vec<&Draft> = drafts.iter().filter(|d| hourly.contains(&d.kind)).collect();
    let (Some(from), Some(to)) = (
        relevant.iter().map(|d| d.occurred_at).min(),
        relevant.iter().map(|d| d.occurred_at).max(),
    ) else {
        return Ok(HashSet::new());
    };
    let from = hour_start(from);
    let to = hour_start(to) + chrono::Duration::hours(1);
    let customers: Vec<i64> = relevant
        .iter()
        .map(|d| d.customer_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let kinds: Vec<String> = hourly.into_iter().collect();
    Ok(store::counted_between(c, &customers, &kinds, from, to)
        .await?
        .into_iter()
        .map(|(cu, k, at)| (cu, k, hour_of(at)))
        .collect())
}

fn hour_start(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(hour_of(t) * 3600, 0).unwrap_or(t)
}

/// One event's counted values, given the slots already taken (updated in place).
pub(crate) fn count(
    rules: &Rules,
    slots: &mut HashSet<(i64, String, i64)>,
    customer: i64,
    kind: &str,
    source: &str,
    at: DateTime<Utc>,
    payload: &Value,
) -> (i32, bool, i32) {
    let e = rules.effect(kind, source, payload);
    let mut interaction = e.interaction;
    if e.hourly && interaction > 0 && !slots.insert((customer, kind.to_string(), hour_of(at))) {
        interaction = 0;
    }
    (interaction, e.contact, e.score)
}

/// Adds one event's values to a customer's counters (its points at what they are
/// worth today, when the score decays).
pub(crate) fn add(
    rules: &Rules,
    k: &mut Counters,
    interaction: i32,
    contact: bool,
    score: i32,
    at: DateTime<Utc>,
) {
    k.interaction_count += i64::from(interaction);
    k.score += rules.worth(score, at);
    if contact && k.last_contact_at.is_none_or(|l| at > l) {
        k.last_contact_at = Some(at);
    }
}

/// Stores `drafts` and adds what they count to their customers' counters; with
/// `scores`, also answers each changed customer's score before and after.
///
/// Events with an external id are inserted sorted by (source, external id), the
/// others after them in the order given: two concurrent batches then meet on the
/// unique index in the same order and never wait for each other in a cycle. What
/// they count is decided in that same order, the order of their ids, which is the
/// order `recompute` replays.
pub(crate) async fn apply(
    c: &impl ConnectionTrait,
    rules: &Rules,
    drafts: Vec<Draft>,
    scores: bool,
) -> CoreResult<Applied> {
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&drafts[*a], &drafts[*b]);
        let keyless = |d: &Draft| d.idem_key.is_none();
        keyless(x)
            .cmp(&keyless(y))
            .then_with(|| match (&x.idem_key, &y.idem_key) {
                (Some(p), Some(q)) => (&x.source, p).cmp(&(&y.source, q)),
                _ => a.cmp(b),
            })
            .then(a.cmp(b))
    });
    let hourly: HashSet<String> = rules.hourly_kinds().into_iter().collect();
    let hourly_slots: Vec<(i64, &str, i64)> = drafts
        .iter()
        .filter(|d| hourly.contains(&d.kind))
        .map(|d| (d.customer_id, d.kind.as_str(), hour_of(d.occurred_at)))
        .collect();
    let t = Instant::now();
    store::write::lock_slots(c, &hourly_slots).await?;
    let mut slots = counted_slots(c, rules, &drafts).await?;
    let mut took_slot = Vec::with_capacity(drafts.len());
    let mut counted = Vec::with_capacity(drafts.len());
    for &n in &order {
        let d = &drafts[n];
        let (interaction, contact, score) = count(
            rules,
            &mut slots,
            d.customer_id,
            &d.kind,
            &d.source,
            d.occurred_at,
            &d.payload,
        );
        took_slot.push(interaction > 0 && hourly.contains(&d.kind));
        counted.push((interaction, contact, score));
    }
    let mut drafts: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let rows: Vec<khach_db::events::Event> = order
        .iter()
        .zip(&counted)
        .filter_map(|(&n, &(interaction, contact, score))| {
            let d = drafts.get_mut(n)?.take()?;
            Some(khach_db::events::Event {
                id: 0,
                customer_id: d.customer_id,
                kind: d.kind,
                source: d.source,
                occurred_at: d.occurred_at,
                actor_id: d.actor_id,
                payload: d.payload,
                score_delta: score,
                idem_key: d.idem_key,
                interaction_delta: interaction,
                contact,
                actor_label: d.actor_label,
            })
        })
        .collect();
    let stored = store::write::insert_events(c, &rows).await?;
    timing::add(Phase::Events, t);
    let t = Instant::now();
    let mut deltas: HashMap<i64, Delta> = HashMap::new();
    let mut ids = vec![None; drafts.len()];
    for ((row, id), (&n, took)) in rows.iter().zip(&stored).zip(order.iter().zip(&took_slot)) {
        let Some(id) = id else {
            // Stored meanwhile by a concurrent delivery. If this one took a
            // once-per-hour slot, the drafts after it were counted as if it were
            // stored here: the caller starts over and finds it stored.
            if *took {
                return Err(CoreError::Conflict {
                    field: "external_id",
                    key: "value-taken",
                });
            }
            continue;
        };
        ids[n] = Some(*id);
        let k = deltas.entry(row.customer_id).or_default();
        k.interaction += i64::from(row.interaction_delta);
        k.score += rules.worth(row.score_delta, row.occurred_at);
        if row.contact && k.last_contact_at.is_none_or(|l| row.occurred_at > l) {
            k.last_contact_at = Some(row.occurred_at);
        }
    }
    let after = store::write::add_counters(c, &deltas, scores).await?;
    let scores = after
        .iter()
        .map(|(id, k)| {
            let added = deltas.get(id).map_or(0, |d| d.score);
            (*id, (k.score - added, k.score))
        })
        .collect();
    timing::add(Phase::Counters, t);
    Ok(Applied { ids, scores })
}
