//! `khach serve`.

use crate::config::Config;
use anyhow::Context;
use khach_web::{AppState, WebConfig};
use tracing_subscriber::EnvFilter;

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_env("KHACH_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Empties the customer recycle bin of what outlived its retention, hourly. Work
/// interrupted by a restart is simply done at the next run.
async fn purge_bin(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Automation, core.now());
        match khach_core::customers::purge_expired(&core, &ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "recycle bin: customers past retention removed"),
            Err(e) => tracing::warn!(error = %e, "recycle bin purge failed"),
        }
    }
}

/// Score decay, checked hourly and applied once a day (when the rules have one).
async fn score_decay(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Automation, core.now());
        match khach_core::interactions::decay::run(&core, &ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(customers = n, "score decay applied"),
            Err(e) => tracing::warn!(error = %e, "score decay failed"),
        }
    }
}

/// Every minute: imports whose worker died (its lease expired) are resumed here.
async fn resume_imports(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match khach_core::imports::orphans(&core).await {
            Ok(runs) => {
                for (id, ctx) in runs {
                    tracing::info!(import = id, "resuming an interrupted import");
                    khach_web::spawn_import(core.clone(), ctx, id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "looking for interrupted imports failed"),
        }
    }
}

/// The sharing run every minute (rules that changed, and "to be shared" customers),
/// and a full resync hourly (saved filters with dates, department moves). Several
/// processes may run it: every step is idempotent and serialised in the database.
async fn sharing_runs(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Automation, core.now());
        let resync = n % 60 == 59;
        n += 1;
        match khach_core::sharing::run(&core, &ctx, resync).await {
            Ok(r) if r.rules + r.shared + r.dropped == 0 => {}
            Ok(r) => tracing::info!(
                rules = r.rules,
                shared = r.shared,
                dropped = r.dropped,
                "sharing run"
            ),
            Err(e) => tracing::warn!(error = %e, "sharing run failed"),
        }
    }
}

/// Outgoing webhooks: queue deliveries for new timeline events and send what is due,
/// every two seconds. The queue is in the database, so a restart loses nothing.
async fn webhook_runs(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    let mut worker = khach_core::webhooks::Worker::with_notice(khach_web::i18n::webhook_notice());
    loop {
        tick.tick().await;
        match khach_core::webhooks::tick(&core, &mut worker).await {
            Ok(t) if t.attempts > 0 => tracing::debug!(attempts = t.attempts, "webhooks sent"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook run failed"),
        }
    }
}

/// Duplicate detection over every customer once a day (a run started by hand
/// counts). Several processes may try: one run at a time is kept in the database.
async fn duplicate_scans(core: khach_core::Core) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Automation, core.now());
        let due = match khach_core::duplicates::latest_scan(&core, &ctx).await {
            Ok(Some(s)) => s.started_at < ctx.now - chrono::Duration::hours(24),
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(error = %e, "duplicate detection: cannot read the last run");
                false
            }
        };
        if !due {
            continue;
        }
        match khach_core::duplicates::start_scan(&core, &ctx).await {
            Ok((scan, true)) => match khach_core::duplicates::run_scan(&core, scan).await {
                Ok(s) => tracing::info!(
                    customers = s.customers,
                    pairs = s.pairs,
                    "duplicate detection"
                ),
                Err(e) => tracing::warn!(error = %e, "duplicate detection failed"),
            },
            Ok((_, false)) => {}
            Err(e) => tracing::warn!(error = %e, "duplicate detection could not start"),
        }
    }
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    init_logging(&config.log_format);
    tracing::info!(?config, "starting Khách");
    let core = super::open(&config).await?;
    tokio::task::spawn_blocking(khach_types::Phone::warm_up);
    tokio::spawn(purge_bin(core.clone()));
    tokio::spawn(sharing_runs(core.clone()));
    tokio::spawn(webhook_runs(core.clone()));
    tokio::spawn(resume_imports(core.clone()));
    tokio::spawn(score_decay(core.clone()));
    tokio::spawn(duplicate_scans(core.clone()));
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| config.listen.clone());
    tracing::info!(%address, backend = ?core.db.backend(), "listening");

    if let Some(token) = khach_core::auth::issue_setup_token(&core)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        // Printed, not logged: the link is a one-time secret meant for the operator.
        println!();
        println!("  No administrator yet. Open this one-time link to create one:");
        println!(
            "  {}/setup?token={token}",
            config.public_url().trim_end_matches('/')
        );
        println!("  (or run: khach admin create --username NAME)");
        println!();
    }

    let secure = config.public_url().starts_with("https://");
    let state = AppState::new(
        core.clone(),
        WebConfig {
            secure_cookies: secure,
        },
    );
    khach_web::serve(listener, state, shutdown_signal())
        .await
        .context("server error")?;
    tracing::info!("stopped");
    core.db.close().await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
