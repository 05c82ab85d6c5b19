//! `khach import FILE` and `khach export`: the same engine as the page and the API,
//! with progress lines on standard error.

use super::admin::describe;
use crate::cli::{ExportOpts, ImportOpts};
use crate::config::Config;
use anyhow::Context;
use khach_core::imports::read::Input;
use khach_core::{Core, Ctx, Principal};
use khach_types::Origin;
use khach_types::api::{
    CustomerSearch, ExportFormat, ExportRequest, Import, ImportOptions, MatchBy, OnMatch, OwnerMode,
};
use std::sync::Mutex;
use std::time::Instant;

/// The context of the shell user: the system, or the account named by `--as`.
async fn context(core: &Core, user: Option<&str>) -> anyhow::Result<Ctx> {
    let mut ctx = Ctx::system(Origin::Cli, core.now());
    if let Some(u) = user {
        let account = khach_db::accounts::by_username(core.db.conn(), &u.trim().to_lowercase())
            .await?
            .filter(|a| a.active)
            .ok_or_else(|| anyhow::anyhow!("no active account named {u}"))?;
        let actor = khach_core::auth::actor_for(core, account, None, None)
            .await
            .map_err(describe)?;
        ctx.principal = Principal::Account(Box::new(actor));
    }
    Ok(ctx)
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(v.to_string()))
        .map_err(|_| anyhow::anyhow!("unknown {what}: {v}"))
}

async fn options(core: &Core, o: &ImportOpts) -> anyhow::Result<ImportOptions> {
    let mut owners = Vec::new();
    for u in &o.owners {
        let a = khach_db::accounts::by_username(core.db.conn(), &u.trim().to_lowercase())
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account named {u}"))?;
        owners.push(a.id);
    }
    let mut mapping = std::collections::BTreeMap::new();
    for m in &o.mapping {
        let (h, f) = m
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--map takes Header=field, not {m}"))?;
        mapping.insert(h.to_string(), f.to_string());
    }
    Ok(ImportOptions {
        mapping,
        match_by: parse::<MatchBy>("--match-by", &o.match_by)?,
        on_match: parse::<OnMatch>("--on-match", &o.on_match)?,
        owner_mode: parse::<OwnerMode>("--owner", &o.owner)?,
        owners,
        tags: o.tags.clone(),
        stage_id: None,
        source_id: None,
        dry_run: o.dry_run,
    })
}

fn line(i: &Import, started: Instant) -> String {
    let c = i.counts;
    let pct = if c.total > 0 {
        format!(" ({:.0} %)", 100.0 * c.processed as f64 / c.total as f64)
    } else {
        String::new()
    };
    let secs = started.elapsed().as_secs_f64().max(0.001);
    format!(
        "import {}: {}/{} rows{pct}: {} created, {} updated, {} skipped, {} failed; {:.0} rows/s",
        i.id,
        c.processed,
        c.total,
        c.created,
        c.updated,
        c.skipped,
        c.failed,
        c.processed as f64 / secs
    )
}

/// Starts (or resumes) and runs an import; returns the finished run.
pub async fn import_file(
    core: &Core,
    ctx: &Ctx,
    file: &std::path::Path,
    opts: ImportOptions,
    take_over: bool,
    quiet: bool,
) -> anyhow::Result<Import> {
    let path = file
        .canonicalize()
        .with_context(|| format!("cannot open {}", file.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = khach_core::imports::start(core, ctx, &name, Input::Path(path), opts)
        .await
        .map_err(describe)?;
    if started.counts.processed > 0 && !quiet {
        eprintln!(
            "resuming import {} after row {}",
            started.id, started.counts.processed
        );
    }
    let t0 = Instant::now();
    let last = Mutex::new(Instant::now());
    let progress = |i: &Import| {
        if quiet {
            return;
        }
        if let Ok(mut l) = last.lock()
            && l.elapsed().as_millis() >= 1000
        {
            *l = Instant::now();
            eprintln!("{}", line(i, t0));
        }
    };
    let done = khach_core::imports::run(core, ctx, started.id, take_over, &progress)
        .await
        .map_err(describe)?;
    if !quiet {
        eprintln!("{}", line(&done, t0));
    }
    Ok(done)
}

pub async fn run(config: &Config, o: ImportOpts) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = context(&core, o.user.as_deref()).await?;
    let opts = options(&core, &o).await?;
    let done = import_file(&core, &ctx, &o.file, opts, o.take_over, false).await?;
    let c = done.counts;
    // The one line on stdout, for scripts.
    println!(
        "{{\"id\":{},\"total\":{},\"created\":{},\"updated\":{},\"skipped\":{},\"failed\":{}}}",
        done.id, c.total, c.created, c.updated, c.skipped, c.failed
    );
    if c.failed > 0 || c.skipped > 0 {
        let problems = khach_core::imports::problems(&core, &ctx, done.id, 0, 20)
            .await
            .map_err(describe)?;
        for p in problems.items {
            eprintln!("  row {}: {} ({})", p.row, p.reason, p.outcome.as_str());
        }
    }
    core.db.close().await?;
    Ok(())
}

pub async fn export(config: &Config, o: ExportOpts) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = context(&core, o.user.as_deref()).await?;
    let xlsx = match o.format.as_deref() {
        Some("xlsx") => true,
        Some("csv") => false,
        Some(f) => anyhow::bail!("unknown --format {f} (csv or xlsx)"),
        None => o.out.extension().is_some_and(|e| e == "xlsx"),
    };
    let req = ExportRequest {
        search: CustomerSearch {
            q: o.q.clone(),
            ..CustomerSearch::default()
        },
        ids: None,
        columns: o.columns.clone(),
        format: if xlsx {
            ExportFormat::Xlsx
        } else {
            ExportFormat::Csv
        },
    };
    let f = khach_core::exports::export(&core, &ctx, req)
        .await
        .map_err(describe)?;
    std::fs::write(&o.out, &f.bytes)
        .with_context(|| format!("cannot write {}", o.out.display()))?;
    eprintln!("exported {} customers to {}", f.rows, o.out.display());
    core.db.close().await?;
    Ok(())
}
