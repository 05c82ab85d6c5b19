//! One-time tokens (first-run set-up, password reset), stored hashed.

use crate::DbError;
use crate::entity::one_time_tokens;
use chrono::{DateTime, Utc};
pub use one_time_tokens::Model as Token;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

pub async fn insert(c: &impl ConnectionTrait, t: Token) -> Result<(), DbError> {
    t.into_active_model().insert(c).await?;
    Ok(())
}

/// An unused, unexpired token of this purpose.
pub async fn find_live(
    c: &impl ConnectionTrait,
    hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<Token>, DbError> {
    Ok(one_time_tokens::Entity::find_by_id(hash.to_string())
        .filter(one_time_tokens::Column::Purpose.eq(purpose))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .filter(one_time_tokens::Column::ExpiresAt.gt(now))
        .one(c)
        .await?)
}

/// Spends a token; false when it was already spent (a concurrent use won).
pub async fn mark_used(
    c: &impl ConnectionTrait,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = one_time_tokens::Entity::update_many()
        .col_expr(
            one_time_tokens::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(one_time_tokens::Column::TokenHash.eq(hash))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .exec(c)
        .await?
        .rows_affected;
    Ok(n == 1)
}

/// Invalidates every unused token of a purpose (and account, when given).
pub async fn expire_all(
    c: &impl ConnectionTrait,
    purpose: &str,
    account_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut q = one_time_tokens::Entity::update_many()
        .col_expr(
            one_time_tokens::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(one_time_tokens::Column::Purpose.eq(purpose))
        .filter(one_time_tokens::Column::UsedAt.is_null());
    if let Some(a) = account_id {
        q = q.filter(one_time_tokens::Column::AccountId.eq(a));
    }
    q.exec(c).await?;
    Ok(())
}
