//! Introspection of the live schema (tables, columns, indexes by name), so a test can
//! check that the migrations give both backends the same shape.

use crate::{Backend, Db, DbError};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeSet;

/// `table`, `table.column` and `index:name` entries of the application schema.
pub async fn describe(db: &Db) -> Result<BTreeSet<String>, DbError> {
    let c = db.conn();
    let be = c.get_database_backend();
    let mut out = BTreeSet::new();
    let tables_sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let tables: Vec<String> = c
        .query_all_raw(Statement::from_string(be, tables_sql))
        .await?
        .into_iter()
        .filter_map(|r| r.try_get::<String>("", "t").ok())
        .filter(|t| !t.starts_with("seaql_") && !is_search_index(t))
        .collect();
    for t in &tables {
        out.insert(t.clone());
        let (cols_sql, idx_sql) = match db.backend() {
            Backend::Sqlite => (
                format!("SELECT name AS c FROM pragma_table_info('{t}')"),
                format!("SELECT name AS c FROM pragma_index_list('{t}') WHERE origin = 'c'"),
            ),
            Backend::Postgres => (
                format!(
                    "SELECT column_name::text AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{t}'"
                ),
                format!(
                    "SELECT indexname::text AS c FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '{t}' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE 'pk\\_%'"
                ),
            ),
        };
        for r in c
            .query_all_raw(Statement::from_string(be, cols_sql))
            .await?
        {
            if let Ok(col) = r.try_get::<String>("", "c") {
                out.insert(format!("{t}.{col}"));
            }
        }
        for r in c.query_all_raw(Statement::from_string(be, idx_sql)).await? {
            if let Ok(ix) = r.try_get::<String>("", "c")
                && !is_search_index(&ix)
            {
                out.insert(format!("index:{ix}"));
            }
        }
    }
    Ok(out)
}

/// The customer search index differs by design (an FTS5 table and its shadow tables
/// on SQLite, a GIN index over `customers.search_tri` on PostgreSQL) and mirrors
/// the customers table, so it is not part of the compared shape.
fn is_search_index(name: &str) -> bool {
    name.starts_with("customers_fts") || name.starts_with("ix_customers_search_")
}
