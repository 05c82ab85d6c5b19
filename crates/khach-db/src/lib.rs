//! Storage for Khách: the [`Db`] handle over SQLite or PostgreSQL (chosen at run time
//! from the URL), the migrations, and one module of queries per feature. Callers never
//! learn which backend is in use; dialect differences stay in small helpers here.

#[macro_use]
mod crud;
pub mod entity;
mod error;
pub mod migration;

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod companies;
pub mod custom_fields;
pub mod customers;
pub mod departments;
pub mod duplicates;
pub mod events;
pub mod exports;
pub mod idempotency;
pub mod imports;
pub mod interactions;
pub mod login_attempts;
pub mod merges;
pub mod ownership;
pub mod prefs;
pub mod roles;
pub mod saved_filters;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod sharing;
pub mod taxonomy;
pub mod tokens;
pub mod webhooks;

pub use error::DbError;
pub use sea_orm::{ConnectionTrait, DatabaseTransaction};

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Which database a [`Db`] talks to. Exposed only for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to the application database.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
}

impl Db {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
        if url.starts_with("sqlite:") {
            // WAL + synchronous=FULL: a commit survives a crash and a power loss;
            // busy_timeout lets writers queue instead of failing with SQLITE_BUSY.
            opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .create_if_missing(true)
            });
        } else {
            opts.max_connections(16);
        }
        let conn = Database::connect(opts).await?;
        Ok(Self { conn })
    }

    pub fn backend(&self) -> Backend {
        match self.conn.get_database_backend() {
            DbBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), DbError> {
        migration::Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// The connection, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a transaction that may write. On SQLite it is `BEGIN IMMEDIATE`, so a
    /// read-then-write never fails half-way with SQLITE_BUSY.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbError> {
        let tx = self
            .conn
            .begin_with_options(TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            })
            .await?;
        Ok(tx)
    }

    /// A cheap round trip, for the readiness check.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<(), DbError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// Named application locks, held until the end of the transaction.
#[derive(Debug, Clone, Copy)]
pub enum Lock {
    /// Serialises changes that could leave no active administrator.
    Admins = 1,
    /// Serialises moves in the department tree (no cycles).
    DepartmentTree = 2,
    /// Serialises read-modify-write of the settings document.
    Settings = 3,
    /// Serialises customer writes that check codes, phones and e-mails for
    /// uniqueness, and the code counter.
    Customers = 4,
    /// Serialises changes to custom field definitions and the stage order.
    Config = 5,
    /// Serialises sharing rule changes and sharing runs.
    Sharing = 6,
    /// Serialises detection runs and their writes to the duplicate pairs.
    Duplicates = 7,
}

/// Takes `lock` for the rest of the transaction. PostgreSQL needs it for rules that
/// read then write (READ COMMITTED would let two transactions both pass the check);
/// on SQLite every writing transaction is `BEGIN IMMEDIATE`, already serialised.
pub async fn lock(c: &impl ConnectionTrait, lock: Lock) -> Result<(), DbError> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [sea_orm::Value::BigInt(Some(7_000_000 + lock as i64))],
        ))
        .await?;
    }
    Ok(())
}

/// Commits a transaction.
pub async fn commit(tx: DatabaseTransaction) -> Result<(), DbError> {
    tx.commit().await?;
    Ok(())
}

/// Escapes `%`, `_` and backslash for a `LIKE … ESCAPE` pattern with a backslash.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
