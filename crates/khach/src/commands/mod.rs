//! One module per subcommand.

mod admin;
mod api_key;
mod bench;
mod bench_duplicates;
mod bench_import;
mod bench_ingest;
mod demo_data;
mod import;
mod recompute;
mod serve;

use crate::cli::{Cli, Command};
use crate::config::Config;
use anyhow::Context;
use khach_core::{Core, CoreConfig, SystemClock, SystemRandomness};
use std::sync::Arc;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // One TLS provider for the whole process (PostgreSQL, SMTP): ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = Config::load(&cli.global)?;
    match cli.command {
        Command::Serve(opts) => {
            if let Some(l) = opts.listen {
                config.listen = l;
            }
            if let Some(u) = opts.public_url {
                config.public_url = Some(u);
            }
            serve::run(config).await
        }
        Command::Migrate => {
            let core = open(&config).await?;
            core.db.close().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(cmd) => admin::run(&config, cmd).await,
        Command::ApiKey(cmd) => api_key::run(&config, cmd).await,
        Command::DemoData(opts) => demo_data::run(&config, opts).await,
        Command::Bench(cmd) => bench::run(&config, cmd).await,
        Command::Recompute(opts) => recompute::run(&config, opts).await,
        Command::Import(opts) => import::run(&config, opts).await,
        Command::Export(opts) => import::export(&config, opts).await,
    }
}

/// Connects, migrates and seeds the built-in roles.
pub async fn open(config: &Config) -> anyhow::Result<Core> {
    let url = config.database_url()?;
    let db = khach_core::Db::connect(&url)
        .await
        .context("cannot open the database")?;
    let smtp = match (&config.smtp_url, &config.smtp_from) {
        (Some(url), from) => Some(khach_core::mail::SmtpConfig {
            url: url.clone(),
            from: from
                .clone()
                .unwrap_or_else(|| "Khách <khach@localhost>".into()),
        }),
        _ => None,
    };
    let core_config = CoreConfig {
        public_url: config.public_url(),
        session_hours: config.session_hours,
        smtp,
        ..CoreConfig::default()
    };
    let core = Core::new(
        db,
        core_config,
        Arc::new(SystemClock),
        Arc::new(SystemRandomness),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    core.bootstrap()
        .await
        .map_err(|e| anyhow::anyhow!("database set-up failed: {e}"))?;
    Ok(core)
}

/// A password from the first line of standard input.
pub fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        eprint!("Password: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        anyhow::bail!("no password given on standard input");
    }
    Ok(pw)
}
