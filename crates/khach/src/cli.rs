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
    /// Import customers from a CSV or XLSX file (progress on standard error).
    /// Running the same command again resumes an interrupted import.
    Import(ImportOpts),
    /// Export customers to a CSV or XLSX file.
    Export(ExportOpts),
}

#[derive(Args, Debug)]
pub struct RecomputeOpts {
    /// Only report what differs; change nothing. Exits with status 1 when anything
    /// differs.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct ImportOpts {
    /// The file: CSV (UTF-8, UTF-16 or Windows-1258; separator detected) or XLSX.
    pub file: PathBuf,
    /// Act as this account (its permissions, data scope and "mine"); default: the
    /// system.
    #[arg(long = "as")]
    pub user: Option<String>,
    /// Match existing customers by none, code, phone or email.
    #[arg(long, default_value = "none")]
    pub match_by: String,
    /// On a match: skip, overwrite (only the columns present) or create.
    #[arg(long, default_value = "skip")]
    pub on_match: String,
    /// Owner of new customers without an owner cell: mine, even, sequential, nobody.
    #[arg(long, default_value = "mine")]
    pub owner: String,
    /// Usernames of the split, in order, separated by commas.
    #[arg(long, value_delimiter = ',')]
    pub owners: Vec<String>,
    /// A tag to add to every imported customer (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Column mapping `Header=field` (repeatable; field empty to ignore a column).
    #[arg(long = "map")]
    pub mapping: Vec<String>,
    /// Validate and count only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Resume an interrupted run even if its lease has not expired (only when the
    /// process that ran it is known to be dead).
    #[arg(long)]
    pub take_over: bool,
}

#[derive(Args, Debug)]
pub struct ExportOpts {
    /// Where to write the file.
    #[arg(long)]
    pub out: PathBuf,
    /// csv or xlsx (default: from the file name).
    #[arg(long)]
    pub format: Option<String>,
    /// Columns, separated by commas (default: all).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Only customers matching this quick search.
    #[arg(long)]
    pub q: Option<String>,
    /// Act as this account (its permissions, scope and masking); default: the system.
    #[arg(long = "as")]
    pub user: Option<String>,
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
    /// Generate a CSV of demo customers (with duplicates and bad rows) and import it
    /// with matching by phone; then the same rows by a plain bulk insert.
    Import(BenchImportOpts),
    /// Time the duplicate detection job over demo customers (added when fewer than
    /// --customers) and measure its precision and recall against the people the
    /// demo data entered twice. Use a database holding only demo data of this seed.
    Duplicates(BenchDuplicatesOpts),
}

#[derive(Args, Debug)]
pub struct BenchDuplicatesOpts {
    /// How many customers the database should hold.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub customers: u64,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Customers per transaction when demo customers are added.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=50_000))]
    pub batch: u64,
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
pub struct BenchImportOpts {
    /// Rows of the generated file.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub rows: u64,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Keep the generated file here (default: a temporary file).
    #[arg(long)]
    pub keep: Option<PathBuf>,
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
