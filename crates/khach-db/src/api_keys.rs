//! API keys, found by the SHA-256 of their secret.

use crate::DbError;
use crate::entity::api_keys;
pub use api_keys::Model as ApiKey;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub async fn insert(c: &impl ConnectionTrait, k: ApiKey) -> Result<ApiKey, DbError> {
    let mut am = k.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<ApiKey>, DbError> {
    Ok(api_keys::Entity::find_by_id(id).one(c).await?)
}

pub async fn by_hash(c: &impl ConnectionTrait, hash: &str) -> Result<Option<ApiKey>, DbError> {
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::SecretHash.eq(hash))
        .one(c)
        .await?)
}

/// Keys by id ascending; only `account` when given.
pub async fn list(
    c: &impl ConnectionTrait,
    account: Option<i64>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<ApiKey>, DbError> {
    let mut q = api_keys::Entity::find().order_by_asc(api_keys::Column::Id);
    if let Some(a) = account {
        q = q.filter(api_keys::Column::AccountId.eq(a));
    }
    if let Some(a) = after {
        q = q.filter(api_keys::Column::Id.gt(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

pub async fn revoke(c: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    let am = api_keys::ActiveModel {
        id: Set(id),
        revoked_at: Set(Some(now)),
        ..Default::default()
    };
    am.update(c).await?;
    Ok(())
}

/// Revokes every live key of an account; returns how many.
pub async fn revoke_all_for_account(
    c: &impl ConnectionTrait,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(api_keys::Entity::update_many()
        .col_expr(
            api_keys::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(api_keys::Column::AccountId.eq(account_id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(c)
        .await?
        .rows_affected)
}

pub async fn touch(c: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    let am = api_keys::ActiveModel {
        id: Set(id),
        last_used_at: Set(Some(now)),
        ..Default::default()
    };
    am.update(c).await?;
    Ok(())
}
