//! `khach demo-data`: realistic Vietnamese demo customers (see [`crate::demo`]),
//! checked by the same rules as any customer and inserted in bulk.

use super::admin::describe;
use crate::cli::DemoDataOpts;
use crate::config::Config;
use crate::demo::{self, Demo, names};
use khach_core::customers::seed;
use khach_core::{Core, Ctx};
use khach_types::Origin;
use khach_types::api::{
    CreateCustomField, CreateSource, CreateStage, FieldEntity, FieldKind, FieldOption,
};
use std::time::Instant;

pub async fn run(config: &Config, opts: DemoDataOpts) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    // Continue the data set after the customers already there, so that a second
    // run adds other people rather than the same ones again.
    let from = seed::count_all(&core).await.map_err(describe)?;
    let demo = Demo::new(opts.seed, demo::default_until(), from + opts.customers);
    let f = fill(&core, &ctx, &demo, from, from + opts.customers, opts.batch).await?;
    println!(
        "inserted {} demo customers (seed {}) in {:.1} s: {:.0} customers/s; {} customers in the database",
        f.inserted,
        opts.seed,
        f.seconds,
        f.rate(),
        f.total
    );
    core.db.close().await?;
    Ok(())
}

/// What a fill did.
pub struct Filled {
    pub inserted: u64,
    /// Wall time of generating, checking and inserting (statistics refresh excluded).
    pub seconds: f64,
    pub total: u64,
}

impl Filled {
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.inserted as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Adds demo customers `from..to` of `demo`, after making sure the stages, sources
/// and custom fields they use exist. Progress goes to standard error.
pub async fn fill(
    core: &Core,
    ctx: &Ctx,
    demo: &Demo,
    from: u64,
    to: u64,
    batch: u64,
) -> anyhow::Result<Filled> {
    ensure_setup(core, ctx).await.map_err(describe)?;
    let start = Instant::now();
    let step = 100_000;
    let rows = demo.customers(from, to).enumerate().map(move |(i, g)| {
        let done = i as u64;
        if done > 0 && done.is_multiple_of(step) {
            eprintln!("  … {done} of {} generated", to.saturating_sub(from));
        }
        g
    });
    let inserted = seed::insert_generated(core, ctx, rows, usize::try_from(batch).unwrap_or(5000))
        .await
        .map_err(describe)?;
    let seconds = start.elapsed().as_secs_f64();
    if inserted > 0 {
        seed::analyze(core).await.map_err(describe)?;
    }
    let total = seed::count_all(core).await.map_err(describe)?;
    Ok(Filled {
        inserted,
        seconds,
        total,
    })
}

/// Creates the demo's stages, sources and custom fields when missing.
pub(crate) async fn ensure_setup(core: &Core, ctx: &Ctx) -> khach_core::CoreResult<()> {
    let c = core.db.conn();
    for (name, _) in names::STAGES {
        if khach_db::taxonomy::stage_by_name(c, name).await?.is_none() {
            let input = CreateStage {
                name: (*name).to_string(),
                color: None,
                position: None,
            };
            khach_core::taxonomy::create_stage(core, ctx, input).await?;
        }
    }
    for (name, priority, _) in names::SOURCES {
        if khach_db::taxonomy::source_by_key(c, &khach_types::fold(name))
            .await?
            .is_none()
        {
            let input = CreateSource {
                name: (*name).to_string(),
                priority: *priority,
            };
            khach_core::taxonomy::create_source(core, ctx, input).await?;
        }
    }
    let defs = khach_core::fields::defs(c, FieldEntity::Customer).await?;
    let tiers = names::TIERS
        .iter()
        .map(|(k, l, _)| FieldOption {
            key: (*k).into(),
            label: (*l).into(),
        })
        .collect();
    let wanted = [
        ("hang", "Hạng thành viên", FieldKind::Select, tiers),
        ("chi_tieu", "Tổng chi tiêu", FieldKind::Money, Vec::new()),
        (
            "ngay_mua_cuoi",
            "Ngày mua cuối",
            FieldKind::Date,
            Vec::new(),
        ),
    ];
    for (key, label, kind, options) in wanted {
        if defs.iter().any(|d| d.key == key) {
            continue;
        }
        let input = CreateCustomField {
            entity: FieldEntity::Customer,
            key: Some(key.into()),
            label: label.into(),
            kind,
            required: false,
            unique: false,
            position: None,
            show_in_list: true,
            filterable: true,
            importable: true,
            options,
        };
        khach_core::fields::create(core, ctx, input).await?;
    }
    Ok(())
}
