//! The one write path of the timeline: events are stored and the counters of their
//! customers changed in the caller's transaction, by the rules in force. Ingestion,
//! customer writes (`customer.*` entries) and score-level actions all come here.

use super::rules::{Rules, hour_of};
use crate::CoreResult;
use chrono::{DateTime, Utc};
use khach_db::ConnectionTrait;
use khach_db::interactions::{self as store, Counters};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

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

/// What a stored batch did: the event ids in draft order, and each customer's
/// counters before and after.
pub(crate) struct Applied {
    pub ids: Vec<i64>,
    pub before: HashMap<i64, Counters>,
    pub after: HashMap<i64, Counters>,
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

/// Stores `drafts` in order and updates their customers' counters.
pub(crate) async fn apply(
    c: &impl ConnectionTrait,
    rules: &Rules,
    drafts: Vec<Draft>,
) -> CoreResult<Applied> {
    let customers: Vec<i64> = drafts.iter().map(|d| d.customer_id).collect();
    let before = store::counters_for_update(c, &customers).await?;
    let mut after = before.clone();
    let mut slots = counted_slots(c, rules, &drafts).await?;
    let mut rows = Vec::with_capacity(drafts.len());
    for d in drafts {
        let (interaction, contact, score) = count(
            rules,
            &mut slots,
            d.customer_id,
            &d.kind,
            &d.source,
            d.occurred_at,
            &d.payload,
        );
        if let Some(k) = after.get_mut(&d.customer_id) {
            add(rules, k, interaction, contact, score, d.occurred_at);
        }
        rows.push(khach_db::events::Event {
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
        });
    }
    let ids = store::insert(c, rows).await?;
    let changed: Vec<(i64, Counters)> = after
        .iter()
        .filter(|(id, k)| before.get(id) != Some(k))
        .map(|(id, k)| (*id, *k))
        .collect();
    store::write_counters(c, &changed).await?;
    Ok(Applied { ids, before, after })
}
