//! Chunked multi-row inserts for generated data (`khach demo-data`): customers with
//! explicit ids, then their phones, e-mails and tags, in as few statements as the
//! bound-variable limits allow. Ids are taken as one block after the highest id in
//! use, so no row needs a round trip to learn its id. The caller owns the
//! transaction (one per chunk) and holds [`crate::Lock::Customers`] in it.

use super::Customer;
use crate::DbError;
use crate::entity::{customer_emails, customer_phones, customer_tags, customers};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect, Set, Statement,
};

/// Bound values per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

/// A customer to insert with what hangs off it.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// `id` is ignored: [`insert`] assigns consecutive ids.
    pub row: Customer,
    /// `(e164, typed)` in order.
    pub phones: Vec<(String, String)>,
    pub emails: Vec<String>,
    pub tags: Vec<i64>,
}

/// Rows per statement for a table of `cols` bound columns.
fn per_statement(cols: usize) -> usize {
    (MAX_PARAMS / cols.max(1)).max(1)
}

async fn scalar_i64(c: &impl ConnectionTrait, sql: &str) -> Result<i64, DbError> {
    let b = c.get_database_backend();
    let row = c
        .query_one_raw(Statement::from_string(b, sql.to_string()))
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("no row from {sql}")))?;
    Ok(row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0))
}

/// The first id of a block of fresh ids: past every id in use and every id handed
/// out before (SQLite's AUTOINCREMENT counter, PostgreSQL's sequence).
async fn first_free_id(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    let max = scalar_i64(c, "SELECT MAX(id) FROM customers").await?;
    let seq = match c.get_database_backend() {
        DbBackend::Postgres => {
            scalar_i64(
                c,
                "SELECT nextval(pg_get_serial_sequence('customers', 'id'))",
            )
            .await?
        }
        _ => {
            scalar_i64(
                c,
                "SELECT seq FROM sqlite_sequence WHERE name = 'customers' \
                 UNION ALL SELECT 0 ORDER BY 1 DESC LIMIT 1",
            )
            .await?
                + 1
        }
    };
    Ok(Ord::max(seq, max + 1))
}

/// Inserts `rows` with consecutive ids and returns the first id (0 when there is
/// nothing to insert). Phones, e-mails and tags follow in multi-row statements.
pub async fn insert(c: &impl ConnectionTrait, rows: Vec<NewCustomer>) -> Result<i64, DbError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let backend = c.get_database_backend();
    if backend == DbBackend::Sqlite {
        // A bigger page cache for this connection: index maintenance of a bulk load
        // is twice as fast with 64 MiB as with the default 2 MiB (notes/performance).
        c.execute_unprepared("PRAGMA cache_size = -65536").await?;
    }
    let first = first_free_id(c).await?;
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut tags = Vec::new();
    let mut models = Vec::with_capacity(rows.len());
    for (id, r) in (first..).zip(rows) {
        for (i, (e164, typed)) in r.phones.into_iter().enumerate() {
            phones.push(customer_phones::ActiveModel {
                id: ActiveValue::NotSet,
                customer_id: Set(id),
                e164: Set(e164),
                typed: Set(Some(typed)),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            });
        }
        for (i, email) in r.emails.into_iter().enumerate() {
            emails.push(customer_emails::ActiveModel {
                id: ActiveValue::NotSet,
                customer_id: Set(id),
                email: Set(email),
                typed: Set(None),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            });
        }
        for t in r.tags {
            tags.push(customer_tags::ActiveModel {
                customer_id: Set(id),
                tag_id: Set(t),
            });
        }
        let mut row = r.row;
        row.search_tri = super::search_tri(backend, &row);
        let mut am = row.into_active_model();
        am.id = Set(id);
        models.push(am);
    }
    let last = first + i64::try_from(models.len()).unwrap_or(i64::MAX) - 1;
    // 32 columns on customers, 4 bound on phones and e-mails, 2 on tags.
    insert_chunks(c, models, per_statement(32)).await?;
    insert_chunks(c, phones, per_statement(4)).await?;
    insert_chunks(c, emails, per_statement(4)).await?;
    insert_chunks(c, tags, per_statement(2)).await?;
    if backend == DbBackend::Postgres {
        // Later single inserts continue after the block.
        c.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT setval(pg_get_serial_sequence('customers', 'id'), $1)",
            [sea_orm::Value::BigInt(Some(last))],
        ))
        .await?;
    }
    Ok(first)
}

async fn insert_chunks<A>(
    c: &impl ConnectionTrait,
    models: Vec<A>,
    size: usize,
) -> Result<(), DbError>
where
    A: ActiveModelTrait + Send,
{
    let mut rest = models;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(size));
        <A::Entity as EntityTrait>::insert_many(rest)
            .exec_without_returning(c)
            .await?;
        rest = tail;
    }
    Ok(())
}

/// Which of `codes` some customer (live or in the bin) already holds.
pub async fn taken_codes(
    c: &impl ConnectionTrait,
    codes: &[String],
) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for chunk in codes.chunks(MAX_PARAMS) {
        let found: Vec<String> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Code)
            .filter(customers::Column::Code.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// How many customers there are, live or in the bin.
pub async fn count_all(c: &impl ConnectionTrait) -> Result<u64, DbError> {
    let n: Option<i64> = customers::Entity::find()
        .select_only()
        .expr(Expr::col(customers::Column::Id).count())
        .into_tuple()
        .one(c)
        .await?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

/// The highest customer id (0 when there are none).
pub async fn max_id(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    scalar_i64(c, "SELECT MAX(id) FROM customers").await
}

/// Refreshes the planner's statistics after a bulk load, so the first queries on
/// the new rows are planned with their real sizes (SQLite keeps none until asked;
/// PostgreSQL's autovacuum gets there, but later). On PostgreSQL it is a `VACUUM`
/// too: that merges the trigram indexes' pending lists (a GIN index takes new
/// entries unsorted, and every search reads them all until they are merged) and
/// marks pages all-visible for index-only scans. Not inside a transaction.
pub async fn analyze(c: &impl ConnectionTrait) -> Result<(), DbError> {
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => {
            "VACUUM ANALYZE customers, customer_phones, customer_emails, customer_tags"
        }
        _ => "ANALYZE",
    };
    c.execute_unprepared(sql).await?;
    Ok(())
}
