//! Ingestion: events from integrations, one or a batch of up to 1,000. Each event is
//! parsed on its own (a bad one is reported by index, the others kept); customers
//! are found by id, code, phone or e-mail with a few set look-ups per batch (never
//! one round trip per event) and created when asked; what is left is stored by
//! `store`: the same (source, external id) once, with its counters, in one
//! transaction.

use super::store::{Ready, store};
use super::timing::{self, Phase};
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, Duration, Utc};
use khach_types::api::{BatchResult, CreateCustomer, EventInput, EventResult, EventStatus};
use khach_types::{Action, Email, EventKind, EventSource, Module, Phone};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// The largest batch accepted.
pub const MAX_BATCH: usize = 1000;

/// How a customer is named in an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Ident {
    Id(i64),
    Code(String),
    Phone(String),
    Email(String),
}

/// An event that passed parsing.
pub(super) struct Parsed {
    ident: Ident,
    name: Option<String>,
    create: bool,
    pub kind: EventKind,
    pub source: EventSource,
    pub external_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub actor: Option<String>,
    pub properties: Map<String, Value>,
}

type Fields = BTreeMap<String, &'static str>;

fn parse(e: EventInput, now: DateTime<Utc>) -> Result<Parsed, Fields> {
    let mut errs = Fields::new();
    let kind = EventKind::parse(&e.kind).map_err(|v| errs.insert("type".into(), v.message_key()));
    let source =
        EventSource::parse(&e.source).map_err(|v| errs.insert("source".into(), v.message_key()));
    let cu = e.customer;
    let ident = if let Some(id) = cu.id {
        Some(Ident::Id(id))
    } else if let Some(code) = cu.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(Ident::Code(code.to_uppercase()))
    } else if let Some(p) = cu.phone.as_deref() {
        match Phone::parse(p) {
            Ok(p) => Some(Ident::Phone(p.e164().to_string())),
            Err(v) => {
                errs.insert("customer.phone".into(), v.message_key());
                None
            }
        }
    } else if let Some(m) = cu.email.as_deref() {
        match Email::parse(m) {
            Ok(m) => Some(Ident::Email(m.as_str().to_string())),
            Err(v) => {
                errs.insert("customer.email".into(), v.message_key());
                None
            }
        }
    } else {
        errs.insert("customer".into(), "interactions-customer-required");
        None
    };
    let external_id = e.external_id.map(|x| x.trim().to_string());
    match &external_id {
        Some(x) if x.is_empty() => {
            errs.insert("external_id".into(), "value-required");
        }
        Some(x) if x.chars().count() > 200 => {
            errs.insert("external_id".into(), "value-too-long");
        }
        _ => {}
    }
    // To the microsecond, what both databases keep: the hour an event is counted in
    // is the hour `recompute` reads back.
    let occurred_at = e.occurred_at.unwrap_or(now);
    let occurred_at =
        DateTime::from_timestamp_micros(occurred_at.timestamp_micros()).unwrap_or(occurred_at);
    if occurred_at > now + Duration::days(1) || occurred_at < DateTime::UNIX_EPOCH {
        errs.insert("occurred_at".into(), "interactions-time-range");
    }
    if e.actor.as_deref().is_some_and(|a| a.chars().count() > 200) {
        errs.insert("actor".into(), "value-too-long");
    }
    if cu.name.as_deref().is_some_and(|a| a.chars().count() > 200) {
        errs.insert("customer.name".into(), "value-too-long");
    }
    if let Ok(k) = &kind {
        check_properties(k, &e.properties, &mut errs);
    }
    match (kind, source, ident) {
        (Ok(kind), Ok(source), Some(ident)) if errs.is_empty() => Ok(Parsed {
            ident,
            name: cu
                .name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            create: e.create_if_missing,
            kind,
            source,
            external_id,
            occurred_at,
            actor: e.actor,
            properties: e.properties,
        }),
        _ => Err(errs),
    }
}

/// What some types carry: a call's duration in seconds, the comment of a manual
/// "update last contact".
fn check_properties(k: &EventKind, p: &Map<String, Value>, errs: &mut Fields) {
    if k.as_str().starts_with("call.")
        && let Some(d) = p.get("duration_s")
        && d.as_u64().is_none()
    {
        errs.insert("properties.duration_s".into(), "interactions-duration");
    }
    if k.as_str() == "contact.updated"
        && p.get("comment")
            .and_then(Value::as_str)
            .is_none_or(|c| c.trim().is_empty())
    {
        errs.insert("properties.comment".into(), "value-required");
    }
    if serde_json::to_string(p).map_or(0, |s| s.len()) > 32 * 1024 {
        errs.insert("properties".into(), "value-too-long");
    }
}

/// Resolves identities to customers, a few set queries for the whole batch. Ids are
/// taken as given: the scope check that follows keeps only live customers.
async fn resolve(core: &Core, idents: &[&Ident]) -> CoreResult<HashMap<Ident, i64>> {
    let c = core.db.conn();
    let (mut ids, mut codes, mut phones, mut emails) = (vec![], vec![], vec![], vec![]);
    let mut out = HashMap::new();
    for i in idents {
        match i {
            Ident::Id(x) => {
                out.insert(Ident::Id(*x), *x);
                ids.push(*x);
            }
            Ident::Code(x) => codes.push(x.clone()),
            Ident::Phone(x) => phones.push(x.clone()),
            Ident::Email(x) => emails.push(x.clone()),
        }
    }
    for (code, id) in khach_db::interactions::ids_by_code(c, &codes).await? {
        out.insert(Ident::Code(code), id);
    }
    // Ids and codes of merged records lead to their survivor.
    codes.retain(|k| !out.contains_key(&Ident::Code(k.clone())));
    for (id, s) in khach_db::merges::survivors(c, &ids).await? {
        out.insert(Ident::Id(id), crate::merge::survivor_of(c, s).await?);
    }
    for (code, s) in khach_db::merges::survivors_by_code(c, &codes).await? {
        out.insert(Ident::Code(code), crate::merge::survivor_of(c, s).await?);
    }
    let (p, m) = khach_db::interactions::ids_by_contact(c, &phones, &emails).await?;
    out.extend(p.into_iter().map(|(k, v)| (Ident::Phone(k), v)));
    out.extend(m.into_iter().map(|(k, v)| (Ident::Email(k), v)));
    Ok(out)
}

/// The live customers among `ids` the caller may change: one query per thousand.
async fn editable(core: &Core, ctx: &Ctx, mut ids: Vec<i64>) -> CoreResult<HashSet<i64>> {
    use khach_db::customers::query::{Col, Cond, ids as matching};
    ids.sort_unstable();
    ids.dedup();
    let c = core.db.conn();
    let scope = crate::customers::edit_scope_cond(c, ctx).await?;
    let mut out = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let cond = Cond::All(vec![
            Cond::Ids {
                col: Col::Id,
                ids: chunk.to_vec(),
                negate: false,
            },
            Cond::InBin(false),
            scope.clone(),
        ]);
        out.extend(matching(c, &cond, chunk.len() as u64).await?);
    }
    Ok(out)
}

/// A refused event; `fields` holds message keys, turned into text by the web layer.
fn rejected(index: usize, code: &str, fields: &Fields) -> EventResult {
    EventResult {
        index,
        status: EventStatus::Rejected,
        event_id: None,
        customer_id: None,
        error: Some(code.into()),
        fields: fields
            .iter()
            .map(|(k, v)| (k.clone(), (*v).to_string()))
            .collect(),
    }
}

/// Creates the customers asked for that do not exist yet (each once): how many were
/// created, and why the others could not be (their events are refused).
async fn create_missing(
    core: &Core,
    ctx: &Ctx,
    wanted: Vec<(Ident, Option<String>)>,
) -> CoreResult<(usize, HashMap<Ident, Fields>)> {
    let mut n = 0;
    let mut failed = HashMap::new();
    for (ident, name) in wanted {
        let mut inp = CreateCustomer::default();
        let label = match &ident {
            Ident::Code(c) => {
                inp.code = Some(c.clone());
                c.clone()
            }
            Ident::Phone(p) => {
                inp.phones = vec![p.clone()];
                p.clone()
            }
            Ident::Email(m) => {
                inp.emails = vec![m.clone()];
                m.clone()
            }
            Ident::Id(_) => continue,
        };
        inp.name = name.unwrap_or(label);
        match crate::customers::create(core, ctx, inp).await {
            Ok(_) => n += 1,
            // Created meanwhile by a concurrent delivery: found on the next look-up.
            Err(CoreError::Conflict { .. }) => {}
            Err(CoreError::Validation(f)) => {
                let f = f.into_iter().map(|(k, v)| (format!("customer.{k}"), v));
                failed.insert(ident, f.collect());
            }
            Err(e) => return Err(e),
        }
    }
    Ok((n, failed))
}

/// Stores a batch of events.
pub async fn ingest(core: &Core, ctx: &Ctx, events: Vec<EventInput>) -> CoreResult<BatchResult> {
    ctx.require(Module::Customers, Action::Edit)?;
    if events.len() > MAX_BATCH {
        return Err(CoreError::fields([(
            "events",
            "interactions-batch-too-big",
        )]));
    }
    let started = Instant::now();
    let mut results: Vec<Option<EventResult>> = vec![None; events.len()];
    let mut parsed: Vec<(usize, Parsed)> = Vec::with_capacity(events.len());
    for (i, e) in events.into_iter().enumerate() {
        match parse(e, ctx.now) {
            Ok(p) => parsed.push((i, p)),
            Err(f) => results[i] = Some(rejected(i, "validation_failed", &f)),
        }
    }
    let idents: Vec<&Ident> = parsed.iter().map(|(_, p)| &p.ident).collect();
    let mut found = resolve(core, &idents).await?;
    let mut wanted: Vec<(Ident, Option<String>)> = Vec::new();
    for (_, p) in &parsed {
        if p.create && !found.contains_key(&p.ident) && !wanted.iter().any(|w| w.0 == p.ident) {
            wanted.push((p.ident.clone(), p.name.clone()));
        }
    }
    let mut created = 0;
    let mut failed = HashMap::new();
    if !wanted.is_empty() && ctx.can(Module::Customers, Action::Create) {
        (created, failed) = create_missing(core, ctx, wanted).await?;
        let idents: Vec<&Ident> = parsed.iter().map(|(_, p)| &p.ident).collect();
        found = resolve(core, &idents).await?;
    }
    // The data scope: only live customers the caller may change.
    let editable = editable(core, ctx, found.values().copied().collect()).await?;
    let mut ready: Vec<Ready> = Vec::new();
    for (index, p) in parsed {
        match found.get(&p.ident) {
            Some(id) if editable.contains(id) => ready.push(Ready {
                index,
                customer: *id,
                event: p,
            }),
            _ => match failed.get(&p.ident) {
                Some(f) => results[index] = Some(rejected(index, "validation_failed", f)),
                None => results[index] = Some(rejected(index, "not_found", &Fields::new())),
            },
        }
    }
    timing::add(Phase::Resolve, started);
    for r in store(core, ctx, ready).await? {
        let i = r.index;
        results[i] = Some(r);
    }
    let results: Vec<EventResult> = results.into_iter().flatten().collect();
    let count = |s: EventStatus| results.iter().filter(|r| r.status == s).count();
    Ok(BatchResult {
        stored: count(EventStatus::Stored),
        duplicates: count(EventStatus::Duplicate),
        rejected: count(EventStatus::Rejected),
        created_customers: created,
        results,
    })
}
