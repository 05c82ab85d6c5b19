//! Failed-login records for throttling.

use crate::DbError;
use crate::entity::login_attempts;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// Records an attempt; returns its id.
pub async fn record(
    c: &impl ConnectionTrait,
    key: &str,
    at: DateTime<Utc>,
) -> Result<i64, DbError> {
    let m = login_attempts::ActiveModel {
        key: Set(key.to_string()),
        at: Set(at),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(m.id)
}

pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    login_attempts::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// How many failures since `since`, and the oldest of them.
pub async fn recent(
    c: &impl ConnectionTrait,
    key: &str,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>), DbError> {
    let q = login_attempts::Entity::find()
        .filter(login_attempts::Column::Key.eq(key))
        .filter(login_attempts::Column::At.gt(since));
    let n = q.clone().count(c).await?;
    let oldest = q
        .order_by_asc(login_attempts::Column::At)
        .one(c)
        .await?
        .map(|m| m.at);
    Ok((n, oldest))
}

pub async fn clear(c: &impl ConnectionTrait, key: &str) -> Result<(), DbError> {
    login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::Key.eq(key))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn purge_before(c: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbError> {
    login_attempts::Entity::delete_many()
        .filter(login_attempts::Column::At.lt(before))
        .exec(c)
        .await?;
    Ok(())
}
