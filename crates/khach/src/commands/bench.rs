//! `khach bench search`: quick search and the filtered list on demo customers,
//! measured through the same core functions the REST API calls (so the numbers are
//! the product's: query, count, and loading phones, e-mails and tags of the page).

use super::admin::describe;
use crate::cli::{BenchCommand, BenchSearchOpts};
use crate::config::Config;
use crate::demo::{self, Demo, HISTORY_DAYS, Rng, names};
use chrono::Duration;
use khach_core::customers::seed;
use khach_core::{Backend, Core, CoreResult, Ctx};
use khach_db::customers::Customer;
use khach_types::Origin;
use khach_types::api::{
    BoolOp, CustomerList, CustomerQuery, CustomerSearch, FilterGroup, FilterOp, FilterRule,
};
use serde_json::json;
use std::time::{Duration as Elapsed, Instant};

pub async fn run(config: &Config, cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Search(o) => search(config, o).await,
        BenchCommand::Ingest(o) => super::bench_ingest::ingest(config, o).await,
        BenchCommand::Import(o) => super::bench_import::run(config, o).await,
        BenchCommand::Duplicates(o) => super::bench_duplicates::run(config, o).await,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Phone,
    Email,
    Filtered,
    Own,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Name,
        Kind::Phone,
        Kind::Email,
        Kind::Filtered,
        Kind::Own,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::Name => "name search, no diacritics",
            Kind::Phone => "phone fragment (6 digits)",
            Kind::Email => "e-mail",
            Kind::Filtered => "filtered page (stage+tag+field+created)",
            Kind::Own => "own customers of a salesperson (1 %)",
        }
    }

    /// The p95 goal in milliseconds.
    fn goal_ms(self) -> f64 {
        match self {
            Kind::Filtered | Kind::Own => 100.0,
            _ => 50.0,
        }
    }
}

/// Ids the filtered page refers to.
struct Refs {
    stages: Vec<i64>,
    tags: Vec<i64>,
}

async fn refs(core: &Core) -> CoreResult<Refs> {
    let c = core.db.conn();
    let mut stages = Vec::new();
    for (name, _) in names::STAGES {
        if let Some(s) = khach_db::taxonomy::stage_by_name(c, name).await? {
            stages.push(s.id);
        }
    }
    let mut tags = Vec::new();
    for (name, _) in names::TAGS {
        if let Some(t) = khach_db::taxonomy::tag_by_key(c, &khach_types::fold(name)).await? {
            tags.push(t.id);
        }
    }
    Ok(Refs { stages, tags })
}

/// A random stored customer (inputs are taken from the database, so they match
/// whatever seed filled it).
async fn sample(core: &Core, r: &mut Rng, max_id: i64, want_email: bool) -> CoreResult<Customer> {
    let c = core.db.conn();
    for _ in 0..1000 {
        let id = 1 + r.below(u64::try_from(max_id).unwrap_or(1)) as i64;
        if let Some(row) = khach_db::customers::get(c, id).await?
            && row.phone.is_some()
            && (!want_email || row.email.is_some())
        {
            return Ok(row);
        }
    }
    Err(khach_core::CoreError::NotFound)
}

/// The request of one timed call.
enum Request {
    Quick(CustomerQuery),
    Filter(CustomerSearch),
}

/// Inputs of one call of `kind`, drawn from stored customers and the demo's lists.
async fn request(
    core: &Core,
    until: chrono::DateTime<chrono::Utc>,
    max_id: i64,
    refs: &Refs,
    r: &mut Rng,
    kind: Kind,
) -> CoreResult<Request> {
    let quick = |q: String| {
        Request::Quick(CustomerQuery {
            q: Some(q),
            ..CustomerQuery::default()
        })
    };
    Ok(match kind {
        Kind::Name => quick(khach_types::fold(
            &sample(core, r, max_id, false).await?.name,
        )),
        Kind::Phone => {
            let e164 = sample(core, r, max_id, false)
                .await?
                .phone
                .unwrap_or_default();
            quick(
                e164.get(e164.len().saturating_sub(6)..)
                    .unwrap_or_default()
                    .to_string(),
            )
        }
        Kind::Email => quick(
            sample(core, r, max_id, true)
                .await?
                .email
                .unwrap_or_default(),
        ),
        Kind::Own => Request::Quick(CustomerQuery {
            cursor: None,
            ..CustomerQuery::default()
        }),
        Kind::Filtered => {
            let from = (until - Duration::days(1 + r.below((HISTORY_DAYS - 90) as u64) as i64))
                .date_naive();
            let to = from + Duration::days(90);
            let tier = names::TIERS[r.below(names::TIERS.len() as u64) as usize].0;
            let rule = |field: &str, op: FilterOp, value: serde_json::Value| FilterRule {
                field: field.into(),
                op,
                value,
            };
            let filter = FilterGroup {
                op: BoolOp::And,
                rules: vec![
                    rule("stage", FilterOp::Eq, json!(r.pick(&refs.stages))),
                    rule("tags", FilterOp::HasAny, json!([r.pick(&refs.tags)])),
                    rule("cf.hang", FilterOp::Eq, json!(tier)),
                    rule(
                        "created_at",
                        FilterOp::Between,
                        json!([from.to_string(), to.to_string()]),
                    ),
                ],
                groups: Vec::new(),
            };
            Request::Filter(CustomerSearch {
                q: None,
                filter: Some(filter),
                sort: Some("-created_at".into()),
                limit: Some(50),
                cursor: None,
            })
        }
    })
}

/// One timed call, through the functions behind `GET /customers` and
/// `POST /customers/query`.
async fn call(core: &Core, ctx: &Ctx, req: Request) -> CoreResult<CustomerList> {
    match req {
        Request::Quick(q) => khach_core::customers::list(core, ctx, &q, false).await,
        Request::Filter(s) => khach_core::customers::search(core, ctx, s).await,
    }
}

/// The benchmark's salesperson ("own" data scope), made on first use and given every
/// 100th customer (a supporter of every 1,000th and a viewer of every 1,000th more),
/// through the same assignment the API offers; the context it lists with.
async fn salesperson(core: &Core, ctx: &Ctx, max_id: i64) -> CoreResult<Ctx> {
    const NAME: &str = "bench.sales";
    let c = core.db.conn();
    let account = match khach_db::accounts::by_username(c, NAME).await? {
        Some(a) => a,
        None => {
            let role = khach_db::roles::by_builtin(c, "sales")
                .await?
                .ok_or(khach_core::CoreError::NotFound)?;
            let input = khach_types::api::CreateAccount {
                username: NAME.into(),
                password: "bench-only-password".into(),
                full_name: "Nhân viên đo".into(),
                email: None,
                phone: None,
                department_id: None,
                role_id: role.id,
                active: true,
                auto_assign: false,
                locale: None,
            };
            let id = khach_core::accounts::create(core, ctx, input).await?.id;
            let ids: Vec<i64> = (1..=max_id).filter(|i| i % 100 == 7).collect();
            for chunk in ids.chunks(khach_core::customers::assign::MAX_TICKED) {
                let req = khach_types::api::AssignRequest {
                    ids: chunk.to_vec(),
                    mode: khach_types::api::AssignMode::Single,
                    owners: vec![id],
                    split_by: khach_types::api::SplitBy::Count,
                    shares: Vec::new(),
                    keep_old_owner_as_viewer: false,
                    preview: false,
                };
                khach_core::customers::assign(core, ctx, req).await?;
            }
            let (supported, viewed): (Vec<i64>, Vec<i64>) = (1..=max_id)
                .filter(|i| i % 1000 == 3 || i % 1000 == 5)
                .partition(|i| i % 1000 == 3);
            for (list, supporter) in [(supported, true), (viewed, false)] {
                for chunk in list.chunks(khach_core::customers::assign::MAX_TICKED) {
                    let mut req = khach_types::api::MembersRequest {
                        ids: chunk.to_vec(),
                        ..Default::default()
                    };
                    if supporter {
                        req.add_supporters = vec![id];
                    } else {
                        req.add_viewers = vec![id];
                    }
                    khach_core::customers::members(core, ctx, req).await?;
                }
            }
            khach_db::accounts::get(c, id)
                .await?
                .ok_or(khach_core::CoreError::NotFound)?
        }
    };
    let actor = khach_core::auth::actor_for(core, account, None, None).await?;
    let mut out = ctx.clone();
    out.principal = khach_core::Principal::Account(Box::new(actor));
    Ok(out)
}

/// The nearest-rank percentile of sorted samples, in milliseconds.
fn percentile(sorted: &[Elapsed], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

async fn search(config: &Config, o: BenchSearchOpts) -> anyhow::Result<()> {
    let mut core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    let demo = Demo::new(o.seed, demo::default_until(), o.customers);
    let have = seed::count_all(&core).await.map_err(describe)?;
    if have < o.customers {
        println!(
            "the database has {have} customers; adding {} demo customers (seed {})",
            o.customers - have,
            o.seed
        );
        let f = super::demo_data::fill(&core, &ctx, &demo, have, o.customers, o.batch).await?;
        println!(
            "inserted {} in {:.1} s: {:.0} customers/s",
            f.inserted,
            f.seconds,
            f.rate()
        );
        // Measure on fresh connections, as a server would have them (the bulk
        // insert enlarges the page cache of the SQLite connections it used).
        core.db.close().await?;
        core = super::open(config).await?;
    }
    let total = seed::count_all(&core).await.map_err(describe)?;
    let refs = refs(&core).await.map_err(describe)?;
    if refs.stages.is_empty() || refs.tags.is_empty() {
        anyhow::bail!(
            "the demo stages and tags are missing: run `khach demo-data` on this database first"
        );
    }
    let max_id = seed::max_id(&core).await.map_err(describe)?;
    let backend = match core.db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "backend {backend}, {total} customers, {} timed runs per query after 3 warm-up runs",
        o.iterations
    );
    println!(
        "{:<42} {:>8} {:>8} {:>8} {:>10} {:>7} {:>10}",
        "query", "p50 ms", "p95 ms", "p99 ms", "goal p95", "", "mean hits"
    );
    let sales = salesperson(&core, &ctx, max_id).await.map_err(describe)?;
    let mut missed = 0;
    for kind in Kind::ALL {
        let ctx = if kind == Kind::Own { &sales } else { &ctx };
        let mut r = Rng::new(o.seed ^ 0xBE7C_0000 ^ kind as u64);
        for _ in 0..3 {
            let req = request(&core, demo.until(), max_id, &refs, &mut r, kind)
                .await
                .map_err(describe)?;
            call(&core, ctx, req).await.map_err(describe)?;
        }
        let mut times = Vec::with_capacity(usize::try_from(o.iterations).unwrap_or(0));
        let mut hits = 0u64;
        for _ in 0..o.iterations {
            let req = request(&core, demo.until(), max_id, &refs, &mut r, kind)
                .await
                .map_err(describe)?;
            let start = Instant::now();
            let page = call(&core, ctx, req).await.map_err(describe)?;
            times.push(start.elapsed());
            hits += page.total;
        }
        times.sort();
        let p95 = percentile(&times, 95.0);
        let ok = p95 <= kind.goal_ms();
        if !ok {
            missed += 1;
        }
        println!(
            "{:<42} {:>8.1} {:>8.1} {:>8.1} {:>10} {:>7} {:>10.0}",
            kind.label(),
            percentile(&times, 50.0),
            p95,
            percentile(&times, 99.0),
            format!("≤ {} ms", kind.goal_ms()),
            if ok { "met" } else { "MISSED" },
            hits as f64 / o.iterations as f64
        );
    }
    if missed > 0 {
        println!("{missed} goal(s) missed");
    }
    core.db.close().await?;
    Ok(())
}
