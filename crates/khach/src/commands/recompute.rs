//! `khach recompute [--check]`: rebuilds the interaction counters from the events.

use crate::cli::RecomputeOpts;
use crate::config::Config;

pub async fn run(config: &Config, o: RecomputeOpts) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let r = khach_core::interactions::recompute(&core, o.check)
        .await
        .map_err(|e| anyhow::anyhow!("recompute failed: {e}"))?;
    core.db.close().await?;
    println!(
        "customers: {}, events: {}, events recounted: {}, counters {}: {}",
        r.customers,
        r.events,
        r.events_changed,
        if o.check { "differing" } else { "fixed" },
        r.counters_changed
    );
    if o.check && (r.events_changed > 0 || r.counters_changed > 0) {
        anyhow::bail!("stored counters differ from the events");
    }
    Ok(())
}
