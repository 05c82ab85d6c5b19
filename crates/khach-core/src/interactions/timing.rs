//! Where ingestion time goes, summed over every batch of this process since the
//! last report: `khach bench ingest` prints it. Counters only; nothing depends on
//! them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    /// Parsing, customer look-ups, creation and the scope check.
    Resolve,
    /// Waiting for the writer (SQLite) or a connection.
    Wait,
    /// Keys already stored, rules, levels.
    Lookup,
    /// Once-per-hour slots and the events insert.
    Events,
    /// The counters upsert.
    Counters,
    /// Score level actions.
    Levels,
    Commit,
}

const NAMES: [&str; 7] = [
    "resolve", "wait", "lookup", "events", "counters", "levels", "commit",
];

static NANOS: [AtomicU64; 7] = [const { AtomicU64::new(0) }; 7];
static TIMES: [AtomicU64; 7] = [const { AtomicU64::new(0) }; 7];

pub(crate) fn add(p: Phase, since: Instant) {
    let n = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
    NANOS[p as usize].fetch_add(n, Ordering::Relaxed);
    TIMES[p as usize].fetch_add(1, Ordering::Relaxed);
}

/// Time per phase since the last call, summed over batches (concurrent batches
/// add up to more than the wall time), and how many times each phase ran (commits
/// are transactions: on SQLite, fewer than batches).
pub fn phase_times() -> Vec<(&'static str, Duration, u64)> {
    NAMES
        .iter()
        .zip(NANOS.iter().zip(&TIMES))
        .map(|(name, (n, k))| {
            let d = Duration::from_nanos(n.swap(0, Ordering::Relaxed));
            (*name, d, k.swap(0, Ordering::Relaxed))
        })
        .collect()
}
