//! Score decay, once a day: every customer's score is brought to what its events'
//! points are worth that day (the same sum the incremental path and recompute
//! make), and the score levels it falls below run their "down" actions. A run
//! interrupted half-way is finished by the next one: each chunk is its own
//! transaction and recomputing a chunk twice changes nothing.

use super::levels;
use super::record::Applied;
use super::rules::{Rules, load};
use crate::{Core, CoreResult, Ctx};
use khach_db::interactions::{self as store, Counters};
use std::collections::HashMap;

/// The day (UTC, `YYYY-MM-DD`) of the last finished decay run.
const DAY_KEY: &str = "interactions.decay_day";
const CHUNK: u64 = 500;

/// Applies the decay if it is configured and has not run today; how many
/// customers' scores changed.
pub async fn run(core: &Core, ctx: &Ctx) -> CoreResult<u64> {
    let c = core.db.conn();
    if load(c).await?.decay.is_none() {
        return Ok(0);
    }
    let today = ctx.now.date_naive().to_string();
    if khach_db::settings::get(c, DAY_KEY).await?.as_deref() == Some(today.as_str()) {
        return Ok(0);
    }
    let mut changed = 0;
    let mut after = 0;
    loop {
        let ids = store::customer_ids_after(c, after, CHUNK).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        changed += chunk(core, ctx, &ids).await?;
    }
    khach_db::settings::put(c, DAY_KEY, today, ctx.now).await?;
    Ok(changed)
}

async fn chunk(core: &Core, ctx: &Ctx, ids: &[i64]) -> CoreResult<u64> {
    let tx = core.db.begin().await?;
    let rules = Rules::new(load(&tx).await?, ctx.now);
    // Customers first, then their counters: the order ingestion locks them in.
    let live = store::counters_for_update(&tx, ids).await?;
    store::decay::lock_counters(&tx, ids).await?;
    // Read again under the counters' lock: an ingestion may have added points
    // between the two locks.
    let mut stored = store::counters(&tx, ids).await?;
    let before: HashMap<i64, Counters> = live
        .into_keys()
        .map(|id| (id, stored.remove(&id).unwrap_or_default()))
        .collect();
    let mut score: HashMap<i64, i64> = before.keys().map(|id| (*id, 0)).collect();
    for (customer, points, at) in store::decay::scored_of(&tx, ids).await? {
        if let Some(s) = score.get_mut(&customer) {
            *s += rules.worth(points, at);
        }
    }
    let after: HashMap<i64, Counters> = before
        .iter()
        .map(|(id, k)| {
            let score = score.get(id).copied().unwrap_or(k.score);
            (*id, Counters { score, ..*k })
        })
        .filter(|(id, k)| before.get(id) != Some(k))
        .collect();
    let n = after.len() as u64;
    if n > 0 {
        let rows: Vec<(i64, Counters)> = after.iter().map(|(id, k)| (*id, *k)).collect();
        store::write_counters(&tx, &rows).await?;
        let applied = Applied {
            ids: Vec::new(),
            scores: after
                .iter()
                .map(|(id, k)| (*id, (before.get(id).map_or(0, |b| b.score), k.score)))
                .collect(),
        };
        let levels = levels::load(&tx).await?;
        levels::cross(&tx, ctx, &rules, &levels, &applied).await?;
    }
    khach_db::commit(tx).await?;
    Ok(n)
}
