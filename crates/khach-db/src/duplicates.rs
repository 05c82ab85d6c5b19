//! Duplicates storage: reading live customers in chunks for detection (with the
//! phones of their sub-contacts), detection runs, and the detected pairs with the
//! reviewers' decisions. Every batch is one statement per chunk.

use crate::DbError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use std::collections::HashMap;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

fn chunk_size(c: &impl ConnectionTrait, per_row: usize) -> usize {
    let values = match c.get_database_backend() {
        DbBackend::Sqlite => 900,
        _ => 12_000,
    };
    (values / per_row.max(1)).clamp(1, 1000)
}

/// A live customer as detection sees it.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub birthday: Option<NaiveDate>,
    pub ward_code: Option<String>,
    pub street: Option<String>,
    /// Its own phones and its sub-contacts' (E.164).
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

/// Live customers with ids above `after`, in id order, with phones and e-mails.
pub async fn people_after(
    c: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<Person>, DbError> {
    let q = Query::select()
        .columns([
            t("id"),
            t("name"),
            t("birthday"),
            t("ward_code"),
            t("street"),
        ])
        .from(t("customers"))
        .and_where(Expr::col(t("id")).gt(after))
        .and_where(Expr::col(t("deleted_at")).is_null())
        .order_by(t("id"), Order::Asc)
        .limit(limit)
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push(Person {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            birthday: r.try_get("", "birthday")?,
            ward_code: r.try_get("", "ward_code")?,
            street: r.try_get("", "street")?,
            ..Person::default()
        });
    }
    let ids: Vec<i64> = out.iter().map(|p| p.id).collect();
    let mut phones = contacts_of(c, &ids).await?;
    for p in &mut out {
        if let Some((ph, em)) = phones.remove(&p.id) {
            p.phones = ph;
            p.emails = em;
        }
    }
    Ok(out)
}

/// Phones (own, then sub-contacts') and e-mails of `ids`.
async fn contacts_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, (Vec<String>, Vec<String>)>, DbError> {
    let mut m: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for chunk in ids.chunks(chunk_size(c, 1)) {
        for (table, col, phone) in [
            ("customer_phones", "e164", true),
            ("sub_contacts", "phone", true),
            ("customer_emails", "email", false),
        ] {
            let q = Query::select()
                .columns([t("customer_id"), t(col)])
                .from(t(table))
                .and_where(Expr::col(t("customer_id")).is_in(chunk.iter().copied()))
                .and_where(Expr::col(t(col)).is_not_null())
                .order_by(t("id"), Order::Asc)
                .to_owned();
            for r in c.query_all(&q).await? {
                let id: i64 = r.try_get("", "customer_id")?;
                let v: String = r.try_get("", col)?;
                let e = m.entry(id).or_default();
                let list = if phone { &mut e.0 } else { &mut e.1 };
                if !list.contains(&v) {
                    list.push(v);
                }
            }
        }
    }
    Ok(m)
}

/// Live customers other than `id` holding one of `phones` (their own or a
/// sub-contact's), oldest first.
pub async fn live_sharing_phones(
    c: &impl ConnectionTrait,
    id: i64,
    phones: &[String],
    limit: u64,
) -> Result<Vec<i64>, DbError> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    let sub = |table: &str, col: &str| {
        Query::select()
            .column(t("customer_id"))
            .from(t(table))
            .and_where(Expr::col(t(col)).is_in(phones.iter().cloned()))
            .to_owned()
    };
    let q = Query::select()
        .column(t("id"))
        .from(t("customers"))
        .and_where(Expr::col(t("deleted_at")).is_null())
        .and_where(Expr::col(t("id")).ne(id))
        .cond_where(
            Cond::any()
                .add(Expr::col(t("id")).in_subquery(sub("customer_phones", "e164")))
                .add(Expr::col(t("id")).in_subquery(sub("sub_contacts", "phone"))),
        )
        .order_by(t("id"), Order::Asc)
        .limit(limit)
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push(r.try_get("", "id")?);
    }
    Ok(out)
}

/// A detection run.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub id: i64,
    pub status: String,
    pub customers: i64,
    pub pairs: i64,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub created_by: Option<i64>,
}

fn scan_of(r: &QueryResult) -> Result<Scan, DbError> {
    Ok(Scan {
        id: r.try_get("", "id")?,
        status: r.try_get("", "status")?,
        customers: r.try_get("", "customers")?,
        pairs: r.try_get("", "pairs")?,
        started_at: r.try_get("", "started_at")?,
        heartbeat_at: r.try_get("", "heartbeat_at")?,
        finished_at: r.try_get("", "finished_at")?,
        error: r.try_get("", "error")?,
        created_by: r.try_get("", "created_by")?,
    })
}

const SCAN_COLS: [&str; 9] = [
    "id",
    "status",
    "customers",
    "pairs",
    "started_at",
    "heartbeat_at",
    "finished_at",
    "error",
    "created_by",
];

/// The newest run.
pub async fn latest_scan(c: &impl ConnectionTrait) -> Result<Option<Scan>, DbError> {
    let q = Query::select()
        .columns(SCAN_COLS.map(t))
        .from(t("duplicate_scans"))
        .order_by(t("id"), Order::Desc)
        .limit(1)
        .to_owned();
    c.query_one(&q).await?.as_ref().map(scan_of).transpose()
}

/// Records a new run as `running`.
pub async fn insert_scan(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    created_by: Option<i64>,
) -> Result<Scan, DbError> {
    let q = Query::insert()
        .into_table(t("duplicate_scans"))
        .columns(SCAN_COLS[1..].iter().map(|s| t(s)))
        .values_panic([
            Expr::val("running"),
            Expr::val(0i64),
            Expr::val(0i64),
            Expr::val(now),
            Expr::val(now),
            Expr::val(Value::ChronoDateTimeUtc(None)),
            Expr::val(Value::String(None)),
            Expr::val(created_by),
        ])
        .returning_col(t("id"))
        .to_owned();
    let id: i64 = c
        .query_one(&q)
        .await?
        .ok_or(DbError::NotFound)?
        .try_get("", "id")?;
    Ok(Scan {
        id,
        status: "running".into(),
        customers: 0,
        pairs: 0,
        started_at: now,
        heartbeat_at: now,
        finished_at: None,
        error: None,
        created_by,
    })
}

/// Updates a run's progress, and its status when it ends.
pub async fn save_scan(c: &impl ConnectionTrait, s: &Scan) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("duplicate_scans"))
        .value(t("status"), s.status.clone())
        .value(t("customers"), s.customers)
        .value(t("pairs"), s.pairs)
        .value(t("heartbeat_at"), s.heartbeat_at)
        .value(t("finished_at"), s.finished_at)
        .value(t("error"), s.error.clone())
        .and_where(Expr::col(t("id")).eq(s.id))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// A detected pair as stored (`a_id < b_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub id: i64,
    pub a_id: i64,
    pub b_id: i64,
    pub score: i32,
    pub kind: String,
    pub level: String,
    pub reasons: serde_json::Value,
    pub status: String,
    pub found_at: DateTime<Utc>,
}

const PAIR_COLS: [&str; 9] = [
    "id", "a_id", "b_id", "score", "kind", "level", "reasons", "status", "found_at",
];

fn pair_of(r: &QueryResult) -> Result<Pair, DbError> {
    Ok(Pair {
        id: r.try_get("", "id")?,
        a_id: r.try_get("", "a_id")?,
        b_id: r.try_get("", "b_id")?,
        score: r.try_get("", "score")?,
        kind: r.try_get("", "kind")?,
        level: r.try_get("", "level")?,
        reasons: r.try_get("", "reasons")?,
        status: r.try_get("", "status")?,
        found_at: r.try_get("", "found_at")?,
    })
}

/// Writes what a run found. A pair already stored keeps its status (a "not a
/// duplicate" stays remembered) and gets the new score and reasons.
pub async fn upsert_pairs(
    c: &impl ConnectionTrait,
    scan_id: i64,
    now: DateTime<Utc>,
    pairs: &[Pair],
) -> Result<(), DbError> {
    for chunk in pairs.chunks(chunk_size(c, 9)) {
        let mut q = Query::insert();
        q.into_table(t("duplicate_pairs")).columns(
            [
                "a_id", "b_id", "score", "kind", "level", "reasons", "status", "scan_id",
                "found_at",
            ]
            .map(t),
        );
        for p in chunk {
            q.values_panic([
                Expr::val(p.a_id),
                Expr::val(p.b_id),
                Expr::val(p.score),
                Expr::val(p.kind.clone()),
                Expr::val(p.level.clone()),
                Expr::val(p.reasons.clone()),
                Expr::val("open"),
                Expr::val(scan_id),
                Expr::val(now),
            ]);
        }
        q.on_conflict(
            OnConflict::columns([t("a_id"), t("b_id")])
                .update_columns(["score", "kind", "level", "reasons", "scan_id"].map(t))
                .to_owned(),
        );
        c.execute(&q).await?;
    }
    Ok(())
}

/// Forgets open and postponed pairs a run no longer found (one of them changed).
pub async fn drop_stale(c: &impl ConnectionTrait, scan_id: i64) -> Result<u64, DbError> {
    let q = Query::delete()
        .from_table(t("duplicate_pairs"))
        .and_where(Expr::col(t("status")).is_in(["open", "later"]))
        .cond_where(
            Cond::any()
                .add(Expr::col(t("scan_id")).ne(scan_id))
                .add(Expr::col(t("scan_id")).is_null()),
        )
        .to_owned();
    Ok(c.execute(&q).await?.rows_affected())
}

/// How many pairs are stored.
pub async fn count_pairs(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    let q = Query::select()
        .expr_as(Expr::col(t("id")).count(), t("n"))
        .from(t("duplicate_pairs"))
        .to_owned();
    Ok(c.query_one(&q)
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}

/// Filters of the queue (already checked by the core).
#[derive(Debug, Clone, Default)]
pub struct PairFilter {
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub min_score: Option<i32>,
    /// Only pairs with this customer on either side.
    pub customer: Option<i64>,
    /// `(score, id)` of the last pair of the previous page.
    pub before: Option<(i32, i64)>,
}

/// A page of pairs, best score first.
pub async fn pairs(
    c: &impl ConnectionTrait,
    f: &PairFilter,
    limit: u64,
) -> Result<Vec<Pair>, DbError> {
    let mut q = Query::select();
    q.columns(PAIR_COLS.map(t)).from(t("duplicate_pairs"));
    if !f.statuses.is_empty() {
        q.and_where(Expr::col(t("status")).is_in(f.statuses.iter().cloned()));
    }
    if let Some(k) = &f.kind {
        q.and_where(Expr::col(t("kind")).eq(k.clone()));
    }
    if let Some(l) = &f.level {
        q.and_where(Expr::col(t("level")).eq(l.clone()));
    }
    if let Some(s) = f.min_score {
        q.and_where(Expr::col(t("score")).gte(s));
    }
    if let Some(id) = f.customer {
        q.cond_where(
            Cond::any()
                .add(Expr::col(t("a_id")).eq(id))
                .add(Expr::col(t("b_id")).eq(id)),
        );
    }
    if let Some((score, id)) = f.before {
        q.cond_where(
            Cond::any().add(Expr::col(t("score")).lt(score)).add(
                Cond::all()
                    .add(Expr::col(t("score")).eq(score))
                    .add(Expr::col(t("id")).lt(id)),
            ),
        );
    }
    q.order_by(t("score"), Order::Desc)
        .order_by(t("id"), Order::Desc)
        .limit(limit);
    c.query_all(&q).await?.iter().map(pair_of).collect()
}

pub async fn get_pair(c: &impl ConnectionTrait, id: i64) -> Result<Option<Pair>, DbError> {
    let q = Query::select()
        .columns(PAIR_COLS.map(t))
        .from(t("duplicate_pairs"))
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    c.query_one(&q).await?.as_ref().map(pair_of).transpose()
}

/// Records a reviewer's decision on a pair.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: i64,
    status: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("duplicate_pairs"))
        .value(t("status"), status)
        .value(t("decided_by"), by)
        .value(t("decided_at"), now)
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// Marks every pair among `ids` merged (they are one customer now).
pub async fn mark_merged(
    c: &impl ConnectionTrait,
    ids: &[i64],
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("duplicate_pairs"))
        .value(t("status"), "merged")
        .value(t("decided_by"), by)
        .value(t("decided_at"), now)
        .and_where(Expr::col(t("a_id")).is_in(ids.iter().copied()))
        .and_where(Expr::col(t("b_id")).is_in(ids.iter().copied()))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// Reopens the pairs among `ids` that a merge closed (the merge was undone).
pub async fn reopen_merged(c: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("duplicate_pairs"))
        .value(t("status"), "open")
        .and_where(Expr::col(t("status")).eq("merged"))
        .and_where(Expr::col(t("a_id")).is_in(ids.iter().copied()))
        .and_where(Expr::col(t("b_id")).is_in(ids.iter().copied()))
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// The phones of one customer's sub-contacts (E.164).
pub async fn sub_contact_phones(c: &impl ConnectionTrait, id: i64) -> Result<Vec<String>, DbError> {
    let q = Query::select()
        .column(t("phone"))
        .from(t("sub_contacts"))
        .and_where(Expr::col(t("customer_id")).eq(id))
        .and_where(Expr::col(t("phone")).is_not_null())
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push(r.try_get("", "phone")?);
    }
    Ok(out)
}
