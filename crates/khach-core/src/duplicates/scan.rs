//! The detection job: reads every live customer in chunks, finds the pairs
//! ([`super::detect`]) off the async runtime, and writes them in one transaction —
//! new pairs open, known pairs keep their decision, pairs no longer found dropped.
//! One run at a time across processes: a run whose heartbeat stopped for
//! [`STALE_MINUTES`] (its process died) may be replaced.

use super::detect::{self, Record};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::duplicates::{self as db, Pair, Scan};
use khach_types::api::DuplicateScan;
use khach_types::{Action, Module};

const CHUNK: u64 = 5_000;
/// A running scan without a heartbeat for this long is taken for dead.
pub const STALE_MINUTES: i64 = 5;

pub(crate) fn to_api(s: Scan) -> DuplicateScan {
    DuplicateScan {
        id: s.id,
        status: s.status,
        customers: s.customers,
        pairs: s.pairs,
        started_at: s.started_at,
        finished_at: s.finished_at,
    }
}

/// Records a new run unless one is running; the caller then runs it
/// ([`run`]) in the background. Returns the run and whether it is new.
pub async fn start(core: &Core, ctx: &Ctx) -> CoreResult<(Scan, bool)> {
    ctx.require(Module::Customers, Action::Merge)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Duplicates).await?;
    if let Some(s) = db::latest_scan(&tx).await?
        && s.status == "running"
        && s.heartbeat_at > ctx.now - chrono::Duration::minutes(STALE_MINUTES)
    {
        return Ok((s, false));
    }
    let s = db::insert_scan(&tx, ctx.now, ctx.account_id()).await?;
    crate::audit::record(
        &tx,
        ctx,
        "duplicates",
        Some(s.id.to_string()),
        "scan",
        crate::audit::Changes::new(),
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok((s, true))
}

/// Carries out a run recorded by [`start`]; a failure is recorded on the run.
pub async fn run(core: &Core, mut scan: Scan) -> CoreResult<Scan> {
    match run_inner(core, &mut scan).await {
        Ok(()) => Ok(scan),
        Err(e) => {
            scan.status = "failed".into();
            scan.error = Some(e.to_string());
            scan.finished_at = Some(core.now());
            db::save_scan(core.db.conn(), &scan).await?;
            Err(e)
        }
    }
}

async fn run_inner(core: &Core, scan: &mut Scan) -> CoreResult<()> {
    let c = core.db.conn();
    let mut records = Vec::new();
    let (mut after, mut chunks) = (0, 0u64);
    loop {
        let people = db::people_after(c, after, CHUNK).await?;
        let Some(last) = people.last().map(|p| p.id) else {
            break;
        };
        after = last;
        records.extend(people.into_iter().map(Record::of));
        chunks += 1;
        if chunks % 20 == 0 {
            scan.heartbeat_at = core.now();
            scan.customers = records.len() as i64;
            db::save_scan(c, scan).await?;
        }
    }
    scan.customers = records.len() as i64;
    let found = tokio::task::spawn_blocking(move || detect::detect(&records))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let now = core.now();
    let pairs: Vec<Pair> = found
        .iter()
        .map(|f| Pair {
            id: 0,
            a_id: f.a,
            b_id: f.b,
            score: f.score,
            kind: f.kind().into(),
            level: f.level().into(),
            reasons: serde_json::to_value(&f.reasons).unwrap_or_default(),
            status: "open".into(),
            found_at: now,
        })
        .collect();
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Duplicates).await?;
    db::upsert_pairs(&tx, scan.id, now, &pairs).await?;
    db::drop_stale(&tx, scan.id).await?;
    scan.pairs = db::count_pairs(&tx).await?;
    scan.status = "done".into();
    scan.heartbeat_at = now;
    scan.finished_at = Some(now);
    db::save_scan(&tx, scan).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// The newest run.
pub async fn latest(core: &Core, ctx: &Ctx) -> CoreResult<Option<DuplicateScan>> {
    ctx.require(Module::Customers, Action::Merge)?;
    Ok(db::latest_scan(core.db.conn()).await?.map(to_api))
}
