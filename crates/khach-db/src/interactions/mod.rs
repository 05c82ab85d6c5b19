//! Interaction history storage: ingested events, the counters on customers
//! (interaction count, score, last contact), batch look-ups of customers by id, code,
//! phone and e-mail, the timeline query, score levels and notifications. Every batch
//! operation is one statement per chunk, never one round trip per event.

pub mod decay;
pub mod levels;
pub mod timeline;
pub mod write;

use crate::DbError;
use crate::entity::{customer_emails, customer_phones, customers, events};
use crate::events::Event;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Value,
};
use std::collections::{HashMap, HashSet};

/// The counters kept on a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub interaction_count: i64,
    pub score: i64,
    pub last_contact_at: Option<DateTime<Utc>>,
}

/// Rows per statement for a statement of `per_row` bound values. SQLite binds
/// parameters by name in time quadratic in their number (a 6,000-value insert spent
/// most of its time in `sqlite3_bind_parameter_name`), and its statements are
/// in-process calls, so it gets small statements; PostgreSQL pays a round trip per
/// statement, so it gets large ones.
fn rows_per_statement(c: &impl ConnectionTrait, per_row: usize) -> usize {
    let values = match c.get_database_backend() {
        sea_orm::DbBackend::Sqlite => 240,
        _ => 12_000,
    };
    (values / per_row.max(1)).clamp(1, 1000)
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// The stored counters of `ids` (zero for a customer nothing counted yet).
async fn read_counters(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Counters>, DbError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(rows_per_statement(c, 1)) {
        let q = Query::select()
            .columns([
                t("customer_id"),
                t("interaction_count"),
                t("score"),
                t("last_contact_at"),
            ])
            .from(t("customer_counters"))
            .and_where(Expr::col(t("customer_id")).is_in(chunk.iter().copied()))
            .to_owned();
        for row in c.query_all(&q).await? {
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

/// The counters of the existing customers among `ids`, their rows locked until the
/// end of the transaction (created first when missing, so a concurrent batch cannot
/// slip a first row in): recompute reads events and writes absolute values, and an
/// ingestion adding to the same counters must wait. PostgreSQL `FOR UPDATE` in id
/// order; SQLite's writing transactions are already serialised.
pub async fn counters_for_update(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Counters>, DbError> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut found = Vec::with_capacity(sorted.len());
    for chunk in sorted.chunks(rows_per_statement(c, 1)) {
        let live = Query::select()
            .column(t("id"))
            .from(t("customers"))
            .and_where(Expr::col(t("id")).is_in(chunk.iter().copied()))
            .to_owned();
        let mut q = Query::insert();
        q.into_table(t("customer_counters"))
            .columns([t("customer_id")])
            .select_from(live)
            .map_err(|e| DbError::Corrupt(e.to_string()))?
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(t("customer_id"))
                    .do_nothing()
                    .to_owned(),
            );
        c.execute(&q).await?;
        let q = Query::select()
            .column(t("customer_id"))
            .from(t("customer_counters"))
            .and_where(Expr::col(t("customer_id")).is_in(chunk.iter().copied()))
            .order_by(t("customer_id"), sea_orm::Order::Asc)
            .lock(LockType::Update)
            .to_owned();
        for row in c.query_all(&q).await? {
            found.push(row.try_get::<i64>("", "customer_id")?);
        }
    }
    let mut stored = read_counters(c, &found).await?;
    Ok(found
        .into_iter()
        .map(|id| (id, stored.remove(&id).unwrap_or_default()))
        .collect())
}

/// Writes the counters of many customers, one statement per chunk.
pub async fn write_counters(
    c: &impl ConnectionTrait,
    rows: &[(i64, Counters)],
) -> Result<(), DbError> {
    for chunk in rows.chunks(rows_per_statement(c, 4)) {
        let mut q = Query::insert();
        q.into_table(t("customer_counters")).columns([
            t("customer_id"),
            t("interaction_count"),
            t("score"),
            t("last_contact_at"),
        ]);
        for (id, k) in chunk {
            q.values_panic([
                Expr::val(*id),
                Expr::val(k.interaction_count),
                Expr::val(k.score),
                Expr::val(Value::ChronoDateTimeUtc(k.last_contact_at)),
            ]);
        }
        q.on_conflict(
            sea_orm::sea_query::OnConflict::column(t("customer_id"))
                .update_columns([t("interaction_count"), t("score"), t("last_contact_at")])
                .to_owned(),
        );
        c.execute(&q).await?;
    }
    Ok(())
}

/// Counted events of `kinds` on `customers` between `from` and `to`: which clock
/// hours already hold a counted comment.
pub async fn counted_between(
    c: &impl ConnectionTrait,
    customers: &[i64],
    kinds: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String, DateTime<Utc>)>, DbError> {
    let mut out = Vec::new();
    if kinds.is_empty() {
        return Ok(out);
    }
    for chunk in customers.chunks(rows_per_statement(c, 1)) {
        let rows: Vec<(i64, String, DateTime<Utc>)> = events::Entity::find()
            .select_only()
            .columns([
                events::Column::CustomerId,
                events::Column::Kind,
                events::Column::OccurredAt,
            ])
            .filter(events::Column::CustomerId.is_in(chunk.iter().copied()))
            .filter(events::Column::Kind.is_in(kinds.iter().cloned()))
            .filter(events::Column::InteractionDelta.gt(0))
            .filter(events::Column::OccurredAt.gte(from))
            .filter(events::Column::OccurredAt.lt(to))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Events already stored under these (source, external id) pairs: their id and
/// customer.
pub async fn existing_keys(
    c: &impl ConnectionTrait,
    pairs: &[(String, String)],
) -> Result<HashMap<(String, String), (i64, i64)>, DbError> {
    let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
    for (s, k) in pairs {
        by_source.entry(s).or_default().push(k);
    }
    let mut out = HashMap::new();
    for (source, keys) in by_source {
        if c.get_database_backend() == sea_orm::DbBackend::Postgres {
            // One index probe per key whatever the statistics say: with `source = ?
            // AND idem_key IN (…)` a planner that thinks a new source rare (its
            // statistics not refreshed yet) scans every event of the source.
            let keys = serde_json::to_string(&keys).map_err(|e| DbError::Corrupt(e.to_string()))?;
            let stmt = sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT e.id, e.customer_id, e.idem_key \
                 FROM json_array_elements_text($2::json) AS k(key) \
                 CROSS JOIN LATERAL (SELECT id, customer_id, idem_key FROM events \
                   WHERE source = $1 AND idem_key = k.key LIMIT 1) e",
                [
                    Value::String(Some(source.to_string())),
                    Value::String(Some(keys)),
                ],
            );
            for row in c.query_all_raw(stmt).await? {
                let key: Option<String> = row.try_get("", "idem_key")?;
                if let Some(k) = key {
                    out.insert(
                        (source.to_string(), k),
                        (row.try_get("", "id")?, row.try_get("", "customer_id")?),
                    );
                }
            }
            continue;
        }
        for chunk in keys.chunks(rows_per_statement(c, 1)) {
            let rows: Vec<(i64, i64, Option<String>)> = events::Entity::find()
                .select_only()
                .columns([
                    events::Column::Id,
                    events::Column::CustomerId,
                    events::Column::IdemKey,
                ])
                .filter(events::Column::Source.eq(source))
                .filter(events::Column::IdemKey.is_in(chunk.iter().map(|k| k.to_string())))
                .into_tuple()
                .all(c)
                .await?;
            for (id, customer, key) in rows {
                if let Some(k) = key {
                    out.insert((source.to_string(), k), (id, customer));
                }
            }
        }
    }
    Ok(out)
}

/// Which of `ids` are live customers.
pub async fn live_ids(c: &impl ConnectionTrait, ids: &[i64]) -> Result<HashSet<i64>, DbError> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(rows_per_statement(c, 1)) {
        let got: Vec<i64> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .filter(customers::Column::DeletedAt.is_null())
            .into_tuple()
            .all(c)
            .await?;
        out.extend(got);
    }
    Ok(out)
}

/// Live customers by code.
pub async fn ids_by_code(
    c: &impl ConnectionTrait,
    codes: &[String],
) -> Result<HashMap<String, i64>, DbError> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(rows_per_statement(c, 1)) {
        let got: Vec<(i64, String)> = customers::Entity::find()
            .select_only()
            .columns([customers::Column::Id, customers::Column::Code])
            .filter(customers::Column::Code.is_in(chunk.iter().cloned()))
            .filter(customers::Column::DeletedAt.is_null())
            .into_tuple()
            .all(c)
            .await?;
        out.extend(got.into_iter().map(|(id, code)| (code, id)));
    }
    Ok(out)
}

/// Live customers by phone (E.164) or e-mail (lower-case); the oldest when several
/// share one.
pub async fn ids_by_contact(
    c: &impl ConnectionTrait,
    phones: &[String],
    emails: &[String],
) -> Result<(HashMap<String, i64>, HashMap<String, i64>), DbError> {
    let mut by_phone = HashMap::new();
    for chunk in phones.chunks(rows_per_statement(c, 1)) {
        let got: Vec<(i64, String)> = customer_phones::Entity::find()
            .select_only()
            .columns([
                customer_phones::Column::CustomerId,
                customer_phones::Column::E164,
            ])
            .filter(customer_phones::Column::E164.is_in(chunk.iter().cloned()))
            .order_by_desc(customer_phones::Column::CustomerId)
            .into_tuple()
            .all(c)
            .await?;
        by_phone.extend(got.into_iter().map(|(id, v)| (v, id)));
    }
    let mut by_email = HashMap::new();
    for chunk in emails.chunks(rows_per_statement(c, 1)) {
        let got: Vec<(i64, String)> = customer_emails::Entity::find()
            .select_only()
            .columns([
                customer_emails::Column::CustomerId,
                customer_emails::Column::Email,
            ])
            .filter(customer_emails::Column::Email.is_in(chunk.iter().cloned()))
            .order_by_desc(customer_emails::Column::CustomerId)
            .into_tuple()
            .all(c)
            .await?;
        by_email.extend(got.into_iter().map(|(id, v)| (v, id)));
    }
    // Only live customers count.
    let all: Vec<i64> = by_phone
        .values()
        .chain(by_email.values())
        .copied()
        .collect();
    let live = live_ids(c, &all).await?;
    by_phone.retain(|_, id| live.contains(id));
    by_email.retain(|_, id| live.contains(id));
    Ok((by_phone, by_email))
}

/// Every event of `customers`, in the order they were stored (for recompute).
pub async fn of_customers(
    c: &impl ConnectionTrait,
    customers: &[i64],
) -> Result<Vec<Event>, DbError> {
    let mut out = Vec::new();
    for chunk in customers.chunks(rows_per_statement(c, 1)) {
        out.extend(
            events::Entity::find()
                .filter(events::Column::CustomerId.is_in(chunk.iter().copied()))
                .order_by_asc(events::Column::Id)
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// Rewrites what events counted (recompute), one statement per event changed.
pub async fn set_deltas(
    c: &impl ConnectionTrait,
    rows: &[(i64, i32, bool, i32)],
) -> Result<(), DbError> {
    for (id, interaction, contact, score) in rows {
        events::Entity::update_many()
            .col_expr(events::Column::InteractionDelta, Expr::value(*interaction))
            .col_expr(events::Column::Contact, Expr::value(*contact))
            .col_expr(events::Column::ScoreDelta, Expr::value(*score))
            .filter(events::Column::Id.eq(*id))
            .exec(c)
            .await?;
    }
    Ok(())
}

/// Customer ids above `after`, in order, for walking all customers in chunks.
pub async fn customer_ids_after(
    c: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<i64>, DbError> {
    Ok(customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .filter(Condition::all().add(customers::Column::Id.gt(after)))
        .order_by_asc(customers::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}

/// The counters of customers without locking (for reading and checks).
pub async fn counters(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Counters>, DbError> {
    read_counters(c, ids).await
}

/// How many events one source holds (the ingest benchmark's check).
pub async fn count_source(c: &impl ConnectionTrait, source: &str) -> Result<u64, DbError> {
    use sea_orm::PaginatorTrait;
    Ok(events::Entity::find()
        .filter(events::Column::Source.eq(source))
        .count(c)
        .await?)
}
