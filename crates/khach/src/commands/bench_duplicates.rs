//! `khach bench duplicates`: the detection job over demo customers, timed, and
//! judged against the demo's own labels (which customers are one person entered
//! again). Prints a table and one JSON line with the figures.

use super::admin::describe;
use crate::cli::BenchDuplicatesOpts;
use crate::config::Config;
use crate::demo::{self, Demo};
use khach_core::customers::seed;
use khach_core::{Ctx, duplicates};
use khach_db::duplicates::{PairFilter, pairs};
use khach_types::Origin;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// Precision and recall of a set of found pairs against the true ones.
fn judge(found: &HashSet<(i64, i64)>, truth: &HashSet<(i64, i64)>) -> (f64, f64, usize) {
    let hits = found.intersection(truth).count();
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (ratio(hits, found.len()), ratio(hits, truth.len()), hits)
}

pub async fn run(config: &Config, o: BenchDuplicatesOpts) -> anyhow::Result<()> {
    let mut core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    let demo = Demo::new(o.seed, demo::default_until(), o.customers);
    let have = seed::count_all(&core).await.map_err(describe)?;
    if have < o.customers {
        eprintln!(
            "adding {} demo customers (seed {})",
            o.customers - have,
            o.seed
        );
        super::demo_data::fill(&core, &ctx, &demo, have, o.customers, o.batch).await?;
        core.db.close().await?;
        core = super::open(config).await?;
    }
    let start = Instant::now();
    let (scan, _) = duplicates::start_scan(&core, &ctx)
        .await
        .map_err(describe)?;
    let scan = duplicates::run_scan(&core, scan).await.map_err(describe)?;
    let seconds = start.elapsed().as_secs_f64();

    // Customer ids in creation order are the demo's indexes.
    let c = core.db.conn();
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let chunk = khach_db::interactions::customer_ids_after(c, after, 10_000)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(last) = chunk.last().copied() else {
            break;
        };
        after = last;
        ids.extend(chunk);
    }
    let mut groups: HashMap<u64, Vec<i64>> = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        groups
            .entry(demo.person_of(index as u64))
            .or_default()
            .push(*id);
    }
    let mut truth = HashSet::new();
    for g in groups.values() {
        for (n, a) in g.iter().enumerate() {
            for b in &g[n + 1..] {
                truth.insert((*a.min(b), *a.max(b)));
            }
        }
    }
    let all = pairs(c, &PairFilter::default(), u64::MAX >> 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let set = |keep: &dyn Fn(&khach_db::duplicates::Pair) -> bool| -> HashSet<(i64, i64)> {
        all.iter()
            .filter(|p| keep(p))
            .map(|p| (p.a_id, p.b_id))
            .collect()
    };
    let likely = set(&|p| p.level == "likely");
    let exact = set(&|p| p.kind == "exact");
    let every = set(&|_| true);
    let (lp, lr, lh) = judge(&likely, &truth);
    let (ep, er, _) = judge(&exact, &truth);
    let (ap, ar, _) = judge(&every, &truth);
    println!(
        "backend {:?}, {} customers, {} true duplicate pairs; detection took {seconds:.1} s",
        core.db.backend(),
        scan.customers,
        truth.len()
    );
    println!(
        "{:<28} {:>8} {:>10} {:>8}",
        "pairs shown as", "pairs", "precision", "recall"
    );
    for (label, n, p, r) in [
        ("likely (score >= 70)", likely.len(), lp, lr),
        ("exact (same phone/e-mail)", exact.len(), ep, er),
        ("all kept", every.len(), ap, ar),
    ] {
        println!("{label:<28} {n:>8} {p:>10.4} {r:>8.4}");
    }
    // What the likely pairs that the labels call two people have in common.
    let mut wrong: HashMap<String, usize> = HashMap::new();
    for p in all.iter().filter(|p| p.level == "likely") {
        if !truth.contains(&(p.a_id, p.b_id)) {
            let codes: Vec<String> = p
                .reasons
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["code"].as_str().map(String::from))
                .collect();
            *wrong.entry(codes.join("+")).or_default() += 1;
        }
    }
    let mut wrong: Vec<_> = wrong.into_iter().collect();
    wrong.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (codes, n) in wrong.iter().take(8) {
        println!("  likely but two people in the labels: {n:>6}  {codes}");
    }
    println!(
        "{}",
        serde_json::json!({
            "customers": scan.customers, "seconds": seconds, "truth": truth.len(),
            "likely": likely.len(), "likely_hits": lh,
            "likely_precision": lp, "likely_recall": lr,
            "exact_precision": ep, "exact_recall": er,
            "all_precision": ap, "all_recall": ar,
        })
    );
    core.db.close().await?;
    Ok(())
}
