//! Storing the events of a batch that passed parsing and the customer look-ups, in
//! one transaction with their counters: the keys already stored are answered as
//! duplicates, the rest inserted (a key a concurrent delivery stores meanwhile is
//! skipped by the unique index and answered as a duplicate too), the counters added
//! to, score levels run.
//!
//! On PostgreSQL each request has its own transaction. SQLite has one writer at a
//! time and its cost is the pages a commit writes (every counter index of a
//! thousand customers, a random leaf of the events index per event) and the sync:
//! batches waiting for the writer are stored together in one transaction (group
//! commit), each still answered for itself.

use super::ingest::Parsed;
use super::record::{Draft, apply};
use super::timing::{self, Phase};
use super::{levels, rules};
use crate::{Backend, Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::interactions as db;
use khach_types::api::{EventResult, EventStatus};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

/// An event ready to store: its index in the request and its customer.
pub(super) struct Ready {
    pub index: usize,
    pub customer: i64,
    pub event: Parsed,
}

/// Stores `ready` and answers each event by its index.
pub(super) async fn store(
    core: &Core,
    ctx: &Ctx,
    ready: Vec<Ready>,
) -> CoreResult<Vec<EventResult>> {
    if ready.is_empty() {
        return Ok(Vec::new());
    }
    let ready = Arc::new(ready);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let r = match core.db.backend() {
            Backend::Sqlite => group::submit(core, ctx, ready.clone()).await,
            Backend::Postgres => alone(core, ctx, &ready).await,
        };
        match r {
            // A concurrent delivery stored a key in a way this attempt could not
            // account for, or the group it was stored with failed: look again.
            Err(CoreError::Conflict { .. }) if attempt < 4 => continue,
            r => return r,
        }
    }
}

async fn alone(core: &Core, ctx: &Ctx, ready: &[Ready]) -> CoreResult<Vec<EventResult>> {
    let t = Instant::now();
    let tx = core.db.begin().await?;
    timing::add(Phase::Wait, t);
    let out = pass(&tx, ctx, ready).await?;
    let t = Instant::now();
    khach_db::commit(tx).await?;
    timing::add(Phase::Commit, t);
    Ok(out)
}

fn key_of(p: &Parsed) -> Option<(String, String)> {
    p.external_id
        .as_ref()
        .map(|x| (p.source.as_str().to_string(), x.clone()))
}

fn done(index: usize, status: EventStatus, event: Option<i64>, customer: i64) -> EventResult {
    EventResult {
        index,
        status,
        event_id: event,
        customer_id: Some(customer),
        error: None,
        fields: BTreeMap::new(),
    }
}

/// One batch inside the caller's transaction.
async fn pass(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ready: &[Ready],
) -> CoreResult<Vec<EventResult>> {
    let t = Instant::now();
    let keys: Vec<(String, String)> = ready.iter().filter_map(|r| key_of(&r.event)).collect();
    let known = db::existing_keys(c, &keys).await?;
    let mut out = Vec::with_capacity(ready.len());
    let mut drafts = Vec::with_capacity(ready.len());
    // Per draft: the request index and the customer.
    let mut slot_of: Vec<(usize, i64)> = Vec::with_capacity(ready.len());
    // A key repeated inside the batch points at the draft that stores it.
    let mut in_batch: HashMap<(String, String), usize> = HashMap::new();
    let mut dup_of: Vec<(usize, usize)> = Vec::new();
    for r in ready {
        let p = &r.event;
        if let Some(k) = key_of(p) {
            if let Some((eid, cid)) = known.get(&k) {
                out.push(done(r.index, EventStatus::Duplicate, Some(*eid), *cid));
                continue;
            }
            if let Some(d) = in_batch.get(&k) {
                dup_of.push((r.index, *d));
                continue;
            }
            in_batch.insert(k, drafts.len());
        }
        slot_of.push((r.index, r.customer));
        drafts.push(Draft {
            customer_id: r.customer,
            kind: p.kind.as_str().to_string(),
            source: p.source.as_str().to_string(),
            occurred_at: p.occurred_at,
            actor_id: ctx.account_id(),
            actor_label: p.actor.clone(),
            payload: Value::Object(p.properties.clone()),
            idem_key: p.external_id.clone(),
        });
    }
    let rules = rules::Rules::new(rules::load(c).await?, ctx.now);
    let levels = levels::load(c).await?;
    if !levels.is_empty() {
        let customers: Vec<i64> = slot_of.iter().map(|s| s.1).collect();
        db::write::lock_customers(c, &customers).await?;
    }
    timing::add(Phase::Lookup, t);
    let keys_of: Vec<Option<(String, String)>> = drafts
        .iter()
        .map(|d| d.idem_key.clone().map(|k| (d.source.clone(), k)))
        .collect();
    let applied = apply(c, &rules, drafts, !levels.is_empty()).await?;
    // Keys a concurrent delivery stored while this one waited on them.
    let skipped: Vec<(String, String)> = applied
        .ids
        .iter()
        .zip(&keys_of)
        .filter(|(id, _)| id.is_none())
        .filter_map(|(_, k)| k.clone())
        .collect();
    let late = if skipped.is_empty() {
        HashMap::new()
    } else {
        db::existing_keys(c, &skipped).await?
    };
    // Each draft's answer: stored here, or stored by the concurrent delivery.
    let mut answer: Vec<(EventStatus, Option<i64>, i64)> = Vec::with_capacity(slot_of.len());
    for ((id, k), (_, customer)) in applied.ids.iter().zip(&keys_of).zip(&slot_of) {
        answer.push(match (id, k.as_ref().and_then(|k| late.get(k))) {
            (Some(id), _) => (EventStatus::Stored, Some(*id), *customer),
            (None, Some((id, cid))) => (EventStatus::Duplicate, Some(*id), *cid),
            (None, None) => {
                return Err(CoreError::Conflict {
                    field: "external_id",
                    key: "value-taken",
                });
            }
        });
    }
    for ((index, _), (status, id, customer)) in slot_of.iter().zip(&answer) {
        out.push(done(*index, *status, *id, *customer));
    }
    for (index, d) in dup_of {
        if let Some((_, id, customer)) = answer.get(d) {
            out.push(done(index, EventStatus::Duplicate, *id, *customer));
        }
    }
    let t = Instant::now();
    levels::cross(c, ctx, &rules, &levels, &applied).await?;
    timing::add(Phase::Levels, t);
    Ok(out)
}

/// Group commit on SQLite. Every batch queues its job and spawns a drainer; the
/// drainers take the writer in turn, and the first to get it stores every job
/// queued by then (up to `MAX_EVENTS`) in one transaction, so the pages they share
/// are written and synced once. The work runs in spawned tasks: a request that is
/// abandoned half-way cannot cut a group short. Only a shortcut within this
/// process: other processes still queue on `BEGIN IMMEDIATE`.
mod group {
    use super::{Ready, pass};
    use crate::interactions::timing::{self, Phase};
    use crate::{Core, CoreError, CoreResult, Ctx};
    use khach_db::ConnectionTrait;
    use khach_types::api::EventResult;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    use tokio::sync::oneshot;

    /// Events stored together at most.
    const MAX_EVENTS: usize = 8_000;

    struct Job {
        /// Which database: jobs of two `Core`s in one process (tests) never mix.
        owner: usize,
        ctx: Ctx,
        ready: Arc<Vec<Ready>>,
        queued: Instant,
        reply: oneshot::Sender<CoreResult<Vec<EventResult>>>,
    }

    static PENDING: Mutex<Vec<Job>> = Mutex::new(Vec::new());
    static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    fn owner_of(core: &Core) -> usize {
        Arc::as_ptr(&core.config) as usize
    }

    fn retry() -> CoreError {
        CoreError::Conflict {
            field: "events",
            key: "value-taken",
        }
    }

    pub(super) async fn submit(
        core: &Core,
        ctx: &Ctx,
        ready: Arc<Vec<Ready>>,
    ) -> CoreResult<Vec<EventResult>> {
        let (reply, answer) = oneshot::channel();
        let owner = owner_of(core);
        PENDING.lock().unwrap_or_else(|e| e.into_inner()).push(Job {
            owner,
            ctx: ctx.clone(),
            ready,
            queued: Instant::now(),
            reply,
        });
        tokio::spawn(drain(core.clone(), owner));
        // A group that failed before answering: store again.
        answer.await.unwrap_or_else(|_| Err(retry()))
    }

    async fn drain(core: Core, owner: usize) {
        let _turn = WRITER.lock().await;
        let jobs: Vec<Job> = {
            let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
            let mut taken = Vec::new();
            let mut events = 0;
            let mut i = 0;
            while i < pending.len() {
                let j = &pending[i];
                if j.owner == owner && (taken.is_empty() || events + j.ready.len() <= MAX_EVENTS) {
                    events += j.ready.len();
                    taken.push(pending.remove(i));
                } else {
                    i += 1;
                }
            }
            taken
        };
        if jobs.is_empty() {
            return;
        }
        for j in &jobs {
            timing::add(Phase::Wait, j.queued);
        }
        match run(&core, &jobs).await {
            Ok(results) => {
                for (j, r) in jobs.into_iter().zip(results) {
                    let _ = j.reply.send(Ok(r));
                }
            }
            Err((failed, e)) => {
                // The job at fault gets its error and the others are stored again;
                // when the transaction itself failed, every job gets the error.
                let text = e.to_string();
                let mut e = Some(e);
                for (n, j) in jobs.into_iter().enumerate() {
                    let r = match failed {
                        Some(f) if f == n => e.take().unwrap_or_else(retry),
                        Some(_) => retry(),
                        None => CoreError::Internal(text.clone()),
                    };
                    let _ = j.reply.send(Err(r));
                }
            }
        }
    }

    /// The jobs in one transaction: their results, or which job failed and why
    /// (`None` when the transaction itself failed).
    async fn run(
        core: &Core,
        jobs: &[Job],
    ) -> Result<Vec<Vec<EventResult>>, (Option<usize>, CoreError)> {
        let tx = core.db.begin().await.map_err(|e| (None, e.into()))?;
        // The pages a group changes stay in memory until the commit writes each
        // once (SQLite's default cache of 2 MiB would spill them half-way), and the
        // log is copied back into the database every 40 MiB rather than every 4: a
        // counter page rewritten by ten groups is copied once.
        tx.execute_unprepared("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000")
            .await
            .map_err(|e| (None, CoreError::Internal(e.to_string())))?;
        let mut out = Vec::with_capacity(jobs.len());
        for (n, j) in jobs.iter().enumerate() {
            out.push(
                pass(&tx, &j.ctx, &j.ready)
                    .await
                    .map_err(|e| (Some(n), e))?,
            );
        }
        let t = Instant::now();
        khach_db::commit(tx).await.map_err(|e| (None, e.into()))?;
        timing::add(Phase::Commit, t);
        Ok(out)
    }
}
