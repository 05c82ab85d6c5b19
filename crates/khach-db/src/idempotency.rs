//! Idempotency records: reserve a key, store the answer, replay it.

use crate::DbError;
use crate::entity::idempotency_keys;
use chrono::{DateTime, Utc};
pub use idempotency_keys::Model as Record;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn get(c: &impl ConnectionTrait, key_hash: &str) -> Result<Option<Record>, DbError> {
    Ok(idempotency_keys::Entity::find_by_id(key_hash.to_string())
        .one(c)
        .await?)
}

/// Inserts a pending record; `DbError::Unique` when the key is already taken.
pub async fn reserve(
    c: &impl ConnectionTrait,
    key_hash: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    idempotency_keys::ActiveModel {
        key_hash: Set(key_hash.to_string()),
        request_hash: Set(request_hash.to_string()),
        status: Set(None),
        body: Set(None),
        created_at: Set(now),
    }
    .insert(c)
    .await?;
    Ok(())
}

pub async fn complete(
    c: &impl ConnectionTrait,
    key_hash: &str,
    status: i32,
    body: String,
) -> Result<(), DbError> {
    idempotency_keys::ActiveModel {
        key_hash: Set(key_hash.to_string()),
        status: Set(Some(status)),
        body: Set(Some(body)),
        ..Default::default()
    }
    .update(c)
    .await?;
    Ok(())
}

pub async fn release(c: &impl ConnectionTrait, key_hash: &str) -> Result<(), DbError> {
    idempotency_keys::Entity::delete_by_id(key_hash.to_string())
        .exec(c)
        .await?;
    Ok(())
}

pub async fn purge_before(c: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbError> {
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::CreatedAt.lt(before))
        .exec(c)
        .await?;
    Ok(())
}
