//! `khach bench ingest`: events through `POST /api/v1/events/batch` over HTTP on
//! loopback, against a server started in this process on the configured database.
//! Customers are demo customers (added when too few); a tenth of the events sent are
//! redeliveries of earlier ones. Prints events/s and batch latency percentiles, then
//! checks that the stored events are exactly the unique (source, external id) sent.

use super::admin::describe;
use crate::cli::BenchIngestOpts;
use crate::config::Config;
use crate::demo::{self, Demo, Rng};
use khach_core::customers::seed;
use khach_core::{Backend, Core, Ctx};
use khach_types::Origin;
use khach_types::api::{CreateAccount, CreateApiKey};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KINDS: &[&str] = &[
    "page.viewed",
    "email.delivered",
    "email.opened",
    "email.clicked",
    "form.submitted",
    "sms.delivered",
    "call.out.answered",
    "order.placed",
    "comment.added",
    "custom.app_opened",
];

/// An API key of a bench administrator (made once per database).
async fn bench_key(core: &Core) -> anyhow::Result<String> {
    let ctx = Ctx::system(Origin::Cli, core.now());
    let c = core.db.conn();
    let account = match khach_db::accounts::by_username(c, "bench").await? {
        Some(a) => a.id,
        None => {
            let admin = khach_db::roles::by_builtin(c, "admin")
                .await?
                .ok_or_else(|| anyhow::anyhow!("the Admin role is missing"))?;
            let mut pw = [0u8; 16];
            core.random.fill(&mut pw);
            khach_core::accounts::create(
                core,
                &ctx,
                CreateAccount {
                    full_name: "Benchmark".into(),
                    username: "bench".into(),
                    password: format!("B{}", hex_of(&pw)),
                    email: None,
                    phone: None,
                    department_id: None,
                    role_id: admin.id,
                    active: true,
                    auto_assign: false,
                    locale: None,
                },
            )
            .await
            .map_err(describe)?
            .id
        }
    };
    let created = khach_core::api_keys::create_for(
        core,
        &ctx,
        account,
        CreateApiKey {
            name: format!("bench {}", core.now().timestamp_micros()),
            permissions: None,
        },
    )
    .await
    .map_err(describe)?;
    Ok(created.secret)
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The batches to send: (events, how many are new).
fn plan(o: &BenchIngestOpts, ids: &[i64], source: &str) -> Vec<Value> {
    let mut r = Rng::new(o.seed ^ 0x001A_6E57);
    let mut sent: Vec<Value> = Vec::new();
    let mut batches = Vec::new();
    let mut batch = Vec::with_capacity(o.batch as usize);
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    for n in 0..o.events {
        let dup = !sent.is_empty() && r.below(10) == 0;
        let e = if dup {
            sent[r.below(sent.len() as u64) as usize].clone()
        } else {
            let cid = ids[r.below(ids.len() as u64) as usize];
            let at = start + chrono::Duration::seconds(r.below(300 * 86_400) as i64);
            let e = json!({
                "customer": {"id": cid},
                "type": KINDS[r.below(KINDS.len() as u64) as usize],
                "source": source,
                "external_id": format!("e{n}"),
                "occurred_at": at.to_rfc3339(),
                "properties": {"url": "/san-pham/ao-dai", "campaign": "tet-2027"}
            });
            sent.push(e.clone());
            e
        };
        batch.push(e);
        if batch.len() as u64 == o.batch {
            batches.push(json!({ "events": std::mem::take(&mut batch) }));
        }
    }
    if !batch.is_empty() {
        batches.push(json!({ "events": batch }));
    }
    batches
}

pub async fn ingest(config: &Config, o: BenchIngestOpts) -> anyhow::Result<()> {
    let mut core = super::open(config).await?;
    let have = seed::count_all(&core).await.map_err(describe)?;
    if have < o.customers {
        let ctx = Ctx::system(Origin::Cli, core.now());
        let demo = Demo::new(o.seed, demo::default_until(), o.customers);
        println!("adding {} demo customers", o.customers - have);
        super::demo_data::fill(&core, &ctx, &demo, have, o.customers, 5000).await?;
        core.db.close().await?;
        core = super::open(config).await?;
    }
    let mut ids = Vec::new();
    let mut after = 0;
    while (ids.len() as u64) < o.customers {
        let got = khach_db::interactions::customer_ids_after(core.db.conn(), after, 10_000).await?;
        let Some(last) = got.last().copied() else {
            break;
        };
        after = last;
        ids.extend(got);
    }
    ids.truncate(o.customers as usize);
    let key = bench_key(&core).await?;
    let source = format!("bench{}", core.now().timestamp() % 1_000_000_000);
    let batches = plan(&o, &ids, &source);
    let unique = batches
        .iter()
        .flat_map(|b| b["events"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["external_id"].as_str().map(str::to_string))
        .collect::<std::collections::HashSet<_>>()
        .len();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = khach_web::AppState::new(
        core.clone(),
        khach_web::WebConfig {
            secure_cookies: false,
        },
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(khach_web::serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    let backend = match core.db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "backend {backend}: {} events ({} unique) in {} batches over {} customers, {} concurrent clients",
        o.events,
        unique,
        batches.len(),
        ids.len(),
        o.concurrency
    );
    let url = format!("http://{addr}/api/v1/events/batch");
    khach_core::interactions::phase_times();
    let client = reqwest::Client::new();
    let queue = Arc::new(tokio::sync::Mutex::new(batches.into_iter()));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..o.concurrency {
        let (queue, client, url, key) = (queue.clone(), client.clone(), url.clone(), key.clone());
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failed = 0u64;
            loop {
                let Some(b) = queue.lock().await.next() else {
                    break;
                };
                let body = serde_json::to_vec(&b).unwrap_or_default();
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let ok = match r {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                times.push(t.elapsed());
                if !ok {
                    failed += 1;
                }
            }
            (times, failed)
        }));
    }
    let mut times = Vec::new();
    let mut failed = 0;
    for w in workers {
        let (t, f) = w.await?;
        times.extend(t);
        failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    times.sort();
    let _ = stop_tx.send(());
    let _ = server.await;
    let phases: Vec<String> = khach_core::interactions::phase_times()
        .into_iter()
        .map(|(name, d, n)| format!("{name} {:.1} s ({n})", d.as_secs_f64()))
        .collect();
    let stored = khach_db::interactions::count_source(core.db.conn(), &source).await?;
    println!(
        "{:.0} events/s ({:.1} s); batch latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; failed batches {failed}",
        o.events as f64 / secs,
        secs,
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        percentile(&times, 100.0),
    );
    println!(
        "server time per phase, summed over batches: {}",
        phases.join(", ")
    );
    println!(
        "stored events {stored}, unique (source, external id) sent {unique}: {}",
        if stored == unique as u64 {
            "exactly once"
        } else {
            "MISMATCH"
        }
    );
    if o.check_counters {
        let t = Instant::now();
        let r = khach_core::interactions::recompute(&core, true)
            .await
            .map_err(describe)?;
        println!(
            "recompute check: {} customers, {} events, counters differing {} ({:.1} s)",
            r.customers,
            r.events,
            r.counters_changed,
            t.elapsed().as_secs_f64()
        );
    }
    core.db.close().await?;
    if stored != unique as u64 || failed > 0 {
        anyhow::bail!("ingestion was not exactly-once");
    }
    Ok(())
}
