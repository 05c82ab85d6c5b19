//! Merge storage: the merge records, the merged customers kept as tombstones that
//! resolve to their survivor, and the rows a merge moved (events, sub-contacts,
//! import rows, notifications) with where each came from, moved and moved back in
//! a few set statements whatever their number.

use crate::DbError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, QueryResult, Statement, Value};
use std::collections::HashMap;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// The tables whose rows follow their customer, with how a moved row is named in
/// `customer_merge_moves` (`row_id`, `row_sub`).
const MOVABLE: [(&str, &str, &str, &str); 4] = [
    ("event", "events", "id", "0"),
    ("contact", "sub_contacts", "id", "0"),
    ("notification", "notifications", "id", "0"),
    ("import_row", "import_rows", "import_id", "row_no"),
];

/// A merge as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    pub id: i64,
    pub survivor_id: i64,
    pub merged_ids: Vec<i64>,
    pub snapshot: serde_json::Value,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

const COLS: [&str; 7] = [
    "id",
    "survivor_id",
    "merged_ids",
    "snapshot",
    "created_by",
    "created_at",
    "undone_at",
];

fn merge_of(r: &QueryResult) -> Result<Merge, DbError> {
    let ids: serde_json::Value = r.try_get("", "merged_ids")?;
    Ok(Merge {
        id: r.try_get("", "id")?,
        survivor_id: r.try_get("", "survivor_id")?,
        merged_ids: serde_json::from_value(ids).map_err(|e| DbError::Corrupt(e.to_string()))?,
        snapshot: r.try_get("", "snapshot")?,
        created_by: r.try_get("", "created_by")?,
        created_at: r.try_get("", "created_at")?,
        undone_at: r.try_get("", "undone_at")?,
    })
}

/// Records a merge and marks the merged customers as its tombstones.
pub async fn insert(
    c: &impl ConnectionTrait,
    survivor: i64,
    merged: &[i64],
    snapshot: serde_json::Value,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table(t("customer_merges"))
        .columns(COLS[1..].iter().map(|s| t(s)))
        .values_panic([
            Expr::val(survivor),
            Expr::val(serde_json::json!(merged)),
            Expr::val(snapshot),
            Expr::val(by),
            Expr::val(now),
            Expr::val(Value::ChronoDateTimeUtc(None)),
        ])
        .returning_col(t("id"))
        .to_owned();
    let id: i64 = c
        .query_one(&q)
        .await?
        .ok_or(DbError::NotFound)?
        .try_get("", "id")?;
    let mut q = Query::insert();
    q.into_table(t("merged_customers")).columns([
        t("customer_id"),
        t("merge_id"),
        t("survivor_id"),
    ]);
    for m in merged {
        q.values_panic([Expr::val(*m), Expr::val(id), Expr::val(survivor)]);
    }
    c.execute(&q).await?;
    Ok(id)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Merge>, DbError> {
    let q = Query::select()
        .columns(COLS.map(t))
        .from(t("customer_merges"))
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    c.query_one(&q).await?.as_ref().map(merge_of).transpose()
}

/// The merges into `survivor` not undone, newest first.
pub async fn of_survivor(c: &impl ConnectionTrait, survivor: i64) -> Result<Vec<Merge>, DbError> {
    let q = Query::select()
        .columns(COLS.map(t))
        .from(t("customer_merges"))
        .and_where(Expr::col(t("survivor_id")).eq(survivor))
        .and_where(Expr::col(t("undone_at")).is_null())
        .order_by(t("id"), Order::Desc)
        .to_owned();
    c.query_all(&q).await?.iter().map(merge_of).collect()
}

/// Marks a merge undone and frees its tombstones.
pub async fn set_undone(
    c: &impl ConnectionTrait,
    id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("customer_merges"))
        .value(t("undone_at"), now)
        .value(t("undone_by"), by)
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    c.execute(&q).await?;
    let q = Query::delete()
        .from_table(t("merged_customers"))
        .and_where(Expr::col(t("merge_id")).eq(id))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// For each of `ids` that is a tombstone, the customer it was merged into.
pub async fn survivors(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let q = Query::select()
            .columns([t("customer_id"), t("survivor_id")])
            .from(t("merged_customers"))
            .and_where(Expr::col(t("customer_id")).is_in(chunk.iter().copied()))
            .to_owned();
        for r in c.query_all(&q).await? {
            out.insert(r.try_get("", "customer_id")?, r.try_get("", "survivor_id")?);
        }
    }
    Ok(out)
}

/// Tombstones among customers with these codes: code → the customer it was merged
/// into.
pub async fn survivors_by_code(
    c: &impl ConnectionTrait,
    codes: &[String],
) -> Result<HashMap<String, i64>, DbError> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let q = Query::select()
            .column((t("customers"), t("code")))
            .column((t("merged_customers"), t("survivor_id")))
            .from(t("customers"))
            .inner_join(
                t("merged_customers"),
                Expr::col((t("merged_customers"), t("customer_id")))
                    .equals((t("customers"), t("id"))),
            )
            .and_where(Expr::col((t("customers"), t("code"))).is_in(chunk.iter().cloned()))
            .to_owned();
        for r in c.query_all(&q).await? {
            out.insert(r.try_get("", "code")?, r.try_get("", "survivor_id")?);
        }
    }
    Ok(out)
}

fn id_list(ids: &[i64]) -> String {
    // Numbers we hold, not text from a caller: safe to write into the SQL.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// How many rows of each movable kind `customers` hold (for a preview).
pub async fn movable_counts(
    c: &impl ConnectionTrait,
    customers: &[i64],
) -> Result<HashMap<&'static str, i64>, DbError> {
    let mut out = HashMap::new();
    for (kind, table, _, _) in MOVABLE {
        let q = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), t("n"))
            .from(t(table))
            .and_where(Expr::col(t("customer_id")).is_in(customers.iter().copied()))
            .to_owned();
        let n: i64 = c
            .query_one(&q)
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        out.insert(kind, n);
    }
    Ok(out)
}

/// Moves every movable row of `merged` to `survivor`, remembering where each came
/// from under `merge_id`.
pub async fn move_rows(
    c: &impl ConnectionTrait,
    merge_id: i64,
    survivor: i64,
    merged: &[i64],
) -> Result<(), DbError> {
    let b = c.get_database_backend();
    let ids = id_list(merged);
    for (kind, table, row_id, row_sub) in MOVABLE {
        let log = format!(
            "INSERT INTO customer_merge_moves (merge_id, kind, row_id, row_sub, from_id) \
             SELECT CAST($1 AS BIGINT), '{kind}', {row_id}, {row_sub}, customer_id \
             FROM {table} WHERE customer_id IN ({ids})"
        );
        c.execute_raw(Statement::from_sql_and_values(b, log, [merge_id.into()]))
            .await?;
        let update = format!("UPDATE {table} SET customer_id = $1 WHERE customer_id IN ({ids})");
        c.execute_raw(Statement::from_sql_and_values(b, update, [survivor.into()]))
            .await?;
    }
    Ok(())
}

/// Puts the rows `merge_id` moved back on the customers they came from — those
/// still on `survivor` (what happened later elsewhere stays where it is).
pub async fn move_back(
    c: &impl ConnectionTrait,
    merge_id: i64,
    survivor: i64,
) -> Result<(), DbError> {
    let b = c.get_database_backend();
    for (kind, table, row_id, row_sub) in MOVABLE {
        let matching = format!(
            "FROM customer_merge_moves m WHERE m.merge_id = $1 AND m.kind = '{kind}' \
             AND m.row_id = {table}.{row_id} AND m.row_sub = {}",
            if row_sub == "0" {
                "0".to_string()
            } else {
                format!("{table}.{row_sub}")
            }
        );
        let sql = format!(
            "UPDATE {table} SET customer_id = (SELECT m.from_id {matching}) \
             WHERE EXISTS (SELECT 1 {matching}) AND customer_id = $2"
        );
        c.execute_raw(Statement::from_sql_and_values(
            b,
            sql,
            [merge_id.into(), survivor.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The customers still merged into `survivor` (tombstones of merges not undone),
/// each with its merge.
pub async fn tombstones_of(
    c: &impl ConnectionTrait,
    survivor: i64,
) -> Result<Vec<(i64, i64)>, DbError> {
    let q = Query::select()
        .columns([t("customer_id"), t("merge_id")])
        .from(t("merged_customers"))
        .and_where(Expr::col(t("survivor_id")).eq(survivor))
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push((r.try_get("", "customer_id")?, r.try_get("", "merge_id")?));
    }
    Ok(out)
}

/// Replaces what a merge remembers about what it added.
pub async fn set_snapshot(
    c: &impl ConnectionTrait,
    id: i64,
    snapshot: serde_json::Value,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("customer_merges"))
        .value(t("snapshot"), snapshot)
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}
