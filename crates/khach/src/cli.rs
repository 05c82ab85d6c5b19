//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Khách: a self-hosted customer data platform and CRM.
///
/// Configuration is read from built-in defaults, then `khach.toml` (or --config),
/// then `KHACH_*` environment variables, then these flags.
#[derive(Parser, Debug)]
#[command(name = "khach", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalOpts {
    /// Configuration file (default: ./khach.toml if it exists).
    #[arg(long, global = true, env = "KHACH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database and other data (default ./data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user@host/db`
    /// (default: SQLite in the data directory). Also KHACH_DATABASE_URL.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web UI and the REST API.
    Serve(ServeOpts),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage administrator accounts from the shell.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API keys from the shell.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Add realistic Vietnamese demo customers (the same seed gives the same ones).
    #[command(name = "demo-data")]
    DemoData(DemoDataOpts),
    /// Measure performance on demo customers.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Rebuild every customer's interaction count, score and last contact date from
    /// its events with the rules in force.
    Recompute(RecomputeOpts),
}

#[derive(Args, Debug)]
pub struct RecomputeOpts {
    /// Only report what differs; change nothing. Exits with status 1 when anything
    /// differs.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct DemoDataOpts {
    /// How many customers to add. When the database already holds customers, the
    /// data set continues after them, so a second run adds other people.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub customers: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Customers per transaction.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=50_000))]
    pub batch: u64,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Time quick search (name without diacritics, phone fragment, e-mail) and a
    /// filtered list page on the configured database; prints p50/p95/p99 per query.
    /// Adds demo customers first when the database holds fewer than --customers.
    Search(BenchSearchOpts),
    /// Send events through the batch API over HTTP on loopback (a tenth of them
    /// redelivered duplicates); prints events/s and batch latency, and checks every
    /// unique event is stored exactly once.
    Ingest(BenchIngestOpts),
}

#[derive(Args, Debug)]
pub struct BenchIngestOpts {
    /// Events to send, duplicates included.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub events: u64,
    /// Customers the events are spread over (demo customers are added when fewer).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub customers: u64,
    /// Events per batch (at most 1,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub batch: u64,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// Seed of the generated events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Afterwards, rebuild every counter from the events and compare (slow).
    #[arg(long)]
    pub check_counters: bool,
}

#[derive(Args, Debug)]
pub struct BenchSearchOpts {
    /// How many customers the database should hold.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub customers: u64,
    /// Seed of the demo data (and of the query inputs).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timed runs per query.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub iterations: u64,
    /// Customers per transaction when demo customers are added.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=50_000))]
    pub batch: u64,
}

#[derive(Args, Debug)]
pub struct ServeOpts {
    /// Address to listen on (default 127.0.0.1:8080). Also KHACH_LISTEN.
    #[arg(long)]
    pub listen: Option<String>,
    /// Public base URL used in links (default http://<listen>). Also KHACH_PUBLIC_URL.
    #[arg(long)]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an administrator account. Reads the password from standard input.
    Create {
        /// Login name (3–64 of a-z 0-9 . _ -).
        #[arg(long)]
        username: String,
        /// Full name (default: the username).
        #[arg(long)]
        full_name: Option<String>,
        /// E-mail address (used for password reset).
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input (for scripts);
        /// without it, the password is asked for on the terminal.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an account; its sessions end.
    ResetPassword {
        #[arg(long)]
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create an API key for an account and print its secret (shown only once).
    Create {
        /// The account the key acts as.
        #[arg(long)]
        user: String,
        /// A name to recognise the key by.
        #[arg(long)]
        name: String,
        /// Narrow the key, as JSON: '{"accounts":["view"]}' (default: all of the
        /// owner's permissions).
        #[arg(long)]
        permissions: Option<String>,
    },
}
