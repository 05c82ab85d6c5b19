//! The writes of a stored batch, in as few statements as each backend does best:
//! events inserted so that a key a concurrent delivery stored meanwhile is skipped,
//! not an error, and what the batch adds to each customer's counters in one upsert.
//! PostgreSQL gets the rows as one JSON parameter: one short statement, prepared
//! once, whatever the batch size. SQLite gets multi-row statements of a few fixed
//! sizes (each text prepared once per connection) and answers no rows: the writer
//! holds the database alone, so the ids of a statement's rows are consecutive and
//! its last id and row count give them all.

use super::Counters;
use crate::DbError;
use crate::events::Event;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Rows per SQLite statement: a few fixed sizes, far below its 32,766 bound
/// parameters.
fn sqlite_chunks(rows: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut left = rows;
    for size in [250, 50, 10, 1] {
        while left >= size {
            out.push(size);
            left -= size;
        }
    }
    out
}

fn values_list(rows: usize, per_row: usize) -> String {
    let one = format!("({})", vec!["?"; per_row].join(", "));
    vec![one; rows].join(", ")
}

/// What a stored batch adds to one customer's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delta {
    pub interaction: i64,
    pub score: i64,
    /// The latest contact among the batch's events, if any was one.
    pub last_contact_at: Option<DateTime<Utc>>,
}

impl Delta {
    pub fn is_zero(&self) -> bool {
        self.interaction == 0 && self.score == 0 && self.last_contact_at.is_none()
    }
}

const EVENT_COLS: &str = "customer_id, kind, source, occurred_at, actor_id, payload, \
     score_delta, idem_key, interaction_delta, contact, actor_label";

#[derive(Serialize)]
struct EventRow<'a> {
    customer_id: i64,
    kind: &'a str,
    source: &'a str,
    occurred_at: DateTime<Utc>,
    actor_id: Option<i64>,
    payload: &'a serde_json::Value,
    score_delta: i32,
    idem_key: Option<&'a str>,
    interaction_delta: i32,
    contact: bool,
    actor_label: Option<&'a str>,
}

fn json_param<T: Serialize>(rows: &T) -> Result<Value, DbError> {
    serde_json::to_string(rows)
        .map(|s| Value::String(Some(s)))
        .map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Inserts events in the order given. Answers, in the same order, each event's id,
/// or `None` when a concurrent delivery stored its (source, external id) first
/// (PostgreSQL; on SQLite, where nothing runs concurrently, an error).
pub async fn insert_events(
    c: &impl ConnectionTrait,
    rows: &[Event],
) -> Result<Vec<Option<i64>>, DbError> {
    match c.get_database_backend() {
        DbBackend::Postgres => insert_events_pg(c, rows).await,
        backend => {
            let mut ids = Vec::with_capacity(rows.len());
            let mut rest = rows;
            for size in sqlite_chunks(rows.len()) {
                let (chunk, tail) = rest.split_at(size);
                rest = tail;
                let sql = format!(
                    "INSERT INTO events ({EVENT_COLS}) VALUES {} \
                     ON CONFLICT (source, idem_key) DO NOTHING",
                    values_list(size, 11)
                );
                let mut values = Vec::with_capacity(size * 11);
                for e in chunk {
                    values.extend([
                        Value::BigInt(Some(e.customer_id)),
                        Value::String(Some(e.kind.clone())),
                        Value::String(Some(e.source.clone())),
                        Value::ChronoDateTimeUtc(Some(e.occurred_at)),
                        Value::BigInt(e.actor_id),
                        Value::Json(Some(Box::new(e.payload.clone()))),
                        Value::Int(Some(e.score_delta)),
                        Value::String(e.idem_key.clone()),
                        Value::Int(Some(e.interaction_delta)),
                        Value::Bool(Some(e.contact)),
                        Value::String(e.actor_label.clone()),
                    ]);
                }
                let r = c
                    .execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
                let last = i64::try_from(r.last_insert_id()).unwrap_or(0);
                let n = i64::try_from(size).unwrap_or(0);
                if r.rows_affected() != size as u64 || last < n {
                    // A key stored by another writer since it was looked up.
                    return Err(DbError::Unique("external_id"));
                }
                ids.extend((last - n + 1..=last).map(Some));
            }
            Ok(ids)
        }
    }
}

async fn insert_events_pg(
    c: &impl ConnectionTrait,
    rows: &[Event],
) -> Result<Vec<Option<i64>>, DbError> {
    let json: Vec<EventRow> = rows
        .iter()
        .map(|e| EventRow {
            customer_id: e.customer_id,
            kind: &e.kind,
            source: &e.source,
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            payload: &e.payload,
            score_delta: e.score_delta,
            idem_key: e.idem_key.as_deref(),
            interaction_delta: e.interaction_delta,
            contact: e.contact,
            actor_label: e.actor_label.as_deref(),
        })
        .collect();
    let sql = format!(
        "INSERT INTO events ({EVENT_COLS}) SELECT {EVENT_COLS} \
         FROM json_to_recordset($1::json) AS r(customer_id int8, kind text, \
         source text, occurred_at timestamptz, actor_id int8, payload jsonb, \
         score_delta int4, idem_key text, interaction_delta int4, contact bool, \
         actor_label text) \
         ON CONFLICT (source, idem_key) DO NOTHING RETURNING id, source, idem_key"
    );
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [json_param(&json)?]);
    let mut got: Vec<(i64, String, Option<String>)> = Vec::with_capacity(rows.len());
    for row in c.query_all_raw(stmt).await? {
        got.push((
            row.try_get("", "id")?,
            row.try_get("", "source")?,
            row.try_get("", "idem_key")?,
        ));
    }
    // Ids come from a sequence in the order rows are inserted, which is the order
    // given: the n-th smallest id belongs to the n-th event not skipped.
    got.sort_unstable_by_key(|g| g.0);
    let stored: HashSet<(&str, &str)> = got
        .iter()
        .filter_map(|(_, s, k)| k.as_deref().map(|k| (s.as_str(), k)))
        .collect();
    let mut ids = got.iter().map(|g| g.0);
    Ok(rows
        .iter()
        .map(|e| match e.idem_key.as_deref() {
            Some(k) if !stored.contains(&(e.source.as_str(), k)) => None,
            _ => ids.next(),
        })
        .collect())
}

#[derive(Serialize)]
struct DeltaRow {
    customer_id: i64,
    interaction_count: i64,
    score: i64,
    last_contact_at: Option<DateTime<Utc>>,
}

/// Adds to the counters of many customers (a missing row counts from zero); with
/// `answer`, returns their new values. Rows are written in customer order, so two
/// batches lock the counters they share in the same order and cannot deadlock.
pub async fn add_counters(
    c: &impl ConnectionTrait,
    deltas: &HashMap<i64, Delta>,
    answer: bool,
) -> Result<HashMap<i64, Counters>, DbError> {
    let mut rows: Vec<DeltaRow> = deltas
        .iter()
        .filter(|(_, d)| !d.is_zero())
        .map(|(id, d)| DeltaRow {
            customer_id: *id,
            interaction_count: d.interaction,
            score: d.score,
            last_contact_at: d.last_contact_at,
        })
        .collect();
    rows.sort_unstable_by_key(|r| r.customer_id);
    let cols = "customer_id, interaction_count, score, last_contact_at";
    let returning = if answer {
        " RETURNING customer_id, interaction_count, score, last_contact_at"
    } else {
        ""
    };
    let upsert = format!(
        "ON CONFLICT (customer_id) DO UPDATE SET \
         interaction_count = customer_counters.interaction_count + excluded.interaction_count, \
         score = customer_counters.score + excluded.score, \
         last_contact_at = CASE WHEN excluded.last_contact_at IS NOT NULL \
           AND (customer_counters.last_contact_at IS NULL \
             OR excluded.last_contact_at > customer_counters.last_contact_at) \
           THEN excluded.last_contact_at ELSE customer_counters.last_contact_at END{returning}"
    );
    let stmts: Vec<Statement> = match c.get_database_backend() {
        _ if rows.is_empty() => Vec::new(),
        DbBackend::Postgres => {
            let sql = format!(
                "INSERT INTO customer_counters ({cols}) SELECT {cols} \
                 FROM json_to_recordset($1::json) AS r(customer_id int8, \
                 interaction_count int8, score int8, last_contact_at timestamptz) \
                 ORDER BY customer_id {upsert}"
            );
            vec![Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                [json_param(&rows)?],
            )]
        }
        backend => {
            let mut rest = &rows[..];
            let mut stmts = Vec::new();
            for size in sqlite_chunks(rows.len()) {
                let (chunk, tail) = rest.split_at(size);
                rest = tail;
                let values = chunk.iter().flat_map(|r| {
                    [
                        Value::BigInt(Some(r.customer_id)),
                        Value::BigInt(Some(r.interaction_count)),
                        Value::BigInt(Some(r.score)),
                        Value::ChronoDateTimeUtc(r.last_contact_at),
                    ]
                });
                let sql = format!(
                    "INSERT INTO customer_counters ({cols}) VALUES {} {upsert}",
                    values_list(size, 4)
                );
                stmts.push(Statement::from_sql_and_values(backend, sql, values));
            }
            stmts
        }
    };
    let mut out = HashMap::new();
    for stmt in stmts {
        if !answer {
            c.execute_raw(stmt).await?;
            continue;
        }
        for row in c.query_all_raw(stmt).await? {
            out.insert(
                row.try_get("", "customer_id")?,
                Counters {
                    interaction_count: row.try_get("", "interaction_count")?,
                    score: row.try_get("", "score")?,
                    last_contact_at: row.try_get("", "last_contact_at")?,
                },
            );
        }
    }
    Ok(out)
}

/// Serialises the read-then-write of the once-per-hour rule on PostgreSQL:
/// transaction-scoped advisory locks on each (customer, type, clock hour) slot a
/// batch may count in, taken in ascending order before the events are inserted.
/// Two batches wait for each other only when they bring the same slot. SQLite's
/// writers are serialised already.
pub async fn lock_slots(
    c: &impl ConnectionTrait,
    slots: &[(i64, &str, i64)],
) -> Result<(), DbError> {
    if c.get_database_backend() != DbBackend::Postgres || slots.is_empty() {
        return Ok(());
    }
    // FNV-1a: the same number in every process; two slots sharing one merely wait.
    let mut keys: Vec<i32> = slots
        .iter()
        .map(|(customer, kind, hour)| {
            let mut h: u32 = 0x811c_9dc5;
            let bytes = customer.to_le_bytes();
            for b in bytes
                .iter()
                .chain(kind.as_bytes())
                .chain(&hour.to_le_bytes())
            {
                h ^= u32::from(*b);
                h = h.wrapping_mul(0x0100_0193);
            }
            h as i32
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // Numbers we computed, not text from a caller: safe to write into the SQL.
    let list: Vec<String> = keys.iter().map(i32::to_string).collect();
    let sql = format!(
        "SELECT pg_advisory_xact_lock(7101, h) \
         FROM (SELECT unnest(ARRAY[{}]::int4[]) AS h ORDER BY 1) s",
        list.join(",")
    );
    c.execute_unprepared(&sql).await?;
    Ok(())
}

/// Locks the customer rows of a batch (in id order) when score levels may run
/// actions that change them: a customer write locks its row before the counters, so
/// a batch must too, or the two could each wait for the other. `FOR NO KEY UPDATE`
/// still lets events referencing the customers be inserted meanwhile.
pub async fn lock_customers(c: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockType, Query};
    if c.get_database_backend() != DbBackend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for chunk in sorted.chunks(10_000) {
        let q = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("customers"))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .order_by(Alias::new("id"), sea_orm::Order::Asc)
            .lock(LockType::NoKeyUpdate)
            .to_owned();
        c.query_all(&q).await?;
    }
    Ok(())
}
