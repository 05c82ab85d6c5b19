//! Score levels (their actions as JSON) and in-app notifications.

use crate::DbError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, Value};

/// A stored score level; `actions` is `{"up": …, "down": …}`.
#[derive(Debug, Clone)]
pub struct Level {
    pub id: i64,
    pub name: String,
    pub threshold: i64,
    pub actions: serde_json::Value,
}

fn t(name: &str) -> Alias {
    Alias::new(name)
}

pub async fn all(c: &impl ConnectionTrait) -> Result<Vec<Level>, DbError> {
    let q = Query::select()
        .columns([t("id"), t("name"), t("threshold"), t("actions")])
        .from(t("score_levels"))
        .order_by(t("threshold"), sea_orm::Order::Asc)
        .order_by(t("id"), sea_orm::Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push(Level {
            id: r.try_get("", "id")?,
            name: r.try_get("", "name")?,
            threshold: r.try_get("", "threshold")?,
            actions: r.try_get("", "actions")?,
        });
    }
    Ok(out)
}

pub async fn insert(
    c: &impl ConnectionTrait,
    name: &str,
    threshold: i64,
    actions: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let q = Query::insert()
        .into_table(t("score_levels"))
        .columns([
            t("name"),
            t("threshold"),
            t("actions"),
            t("created_at"),
            t("updated_at"),
        ])
        .values_panic([
            Expr::val(name),
            Expr::val(threshold),
            Expr::val(Value::Json(Some(Box::new(actions)))),
            Expr::val(now),
            Expr::val(now),
        ])
        .returning_col(t("id"))
        .to_owned();
    let row = c.query_one(&q).await?.ok_or(DbError::NotFound)?;
    Ok(row.try_get("", "id")?)
}

pub async fn update(
    c: &impl ConnectionTrait,
    id: i64,
    name: &str,
    threshold: i64,
    actions: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("score_levels"))
        .value(t("name"), name)
        .value(t("threshold"), threshold)
        .value(t("actions"), Value::Json(Some(Box::new(actions))))
        .value(t("updated_at"), now)
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    if c.execute(&q).await?.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    let q = Query::delete()
        .from_table(t("score_levels"))
        .and_where(Expr::col(t("id")).eq(id))
        .to_owned();
    if c.execute(&q).await?.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// A stored notification.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    pub kind: String,
    pub customer_id: Option<i64>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn notify(
    c: &impl ConnectionTrait,
    account: i64,
    kind: &str,
    customer: Option<i64>,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::insert()
        .into_table(t("notifications"))
        .columns([
            t("account_id"),
            t("kind"),
            t("customer_id"),
            t("payload"),
            t("created_at"),
        ])
        .values_panic([
            Expr::val(account),
            Expr::val(kind),
            Expr::val(customer),
            Expr::val(Value::Json(Some(Box::new(payload)))),
            Expr::val(now),
        ])
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}

/// The newest notifications of an account and how many are unread.
pub async fn notes_of(
    c: &impl ConnectionTrait,
    account: i64,
    limit: u64,
) -> Result<(Vec<Note>, u64), DbError> {
    let q = Query::select()
        .columns([
            t("id"),
            t("kind"),
            t("customer_id"),
            t("payload"),
            t("created_at"),
            t("read_at"),
        ])
        .from(t("notifications"))
        .and_where(Expr::col(t("account_id")).eq(account))
        .order_by(t("id"), sea_orm::Order::Desc)
        .limit(limit)
        .to_owned();
    let mut out = Vec::new();
    for r in c.query_all(&q).await? {
        out.push(Note {
            id: r.try_get("", "id")?,
            kind: r.try_get("", "kind")?,
            customer_id: r.try_get("", "customer_id")?,
            payload: r.try_get("", "payload")?,
            created_at: r.try_get("", "created_at")?,
            read_at: r.try_get("", "read_at")?,
        });
    }
    let q = Query::select()
        .expr(Func::count(Expr::col(t("id"))))
        .from(t("notifications"))
        .and_where(Expr::col(t("account_id")).eq(account))
        .and_where(Expr::col(t("read_at")).is_null())
        .to_owned();
    let unread: i64 = match c.query_one(&q).await? {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    Ok((out, u64::try_from(unread).unwrap_or(0)))
}

/// Marks every notification of an account read.
pub async fn mark_read(
    c: &impl ConnectionTrait,
    account: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let q = Query::update()
        .table(t("notifications"))
        .value(t("read_at"), now)
        .and_where(Expr::col(t("account_id")).eq(account))
        .and_where(Expr::col(t("read_at")).is_null())
        .to_owned();
    c.execute(&q).await?;
    Ok(())
}
