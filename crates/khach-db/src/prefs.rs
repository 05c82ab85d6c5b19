//! Per-account preferences (list columns, detail tabs), JSON values by key.

use crate::DbError;
use crate::entity::account_prefs;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::Value;

pub async fn get(
    c: &impl ConnectionTrait,
    account: i64,
    key: &str,
) -> Result<Option<Value>, DbError> {
    Ok(
        account_prefs::Entity::find_by_id((account, key.to_string()))
            .one(c)
            .await?
            .map(|m| m.value),
    )
}

pub async fn put(
    c: &impl ConnectionTrait,
    account: i64,
    key: &str,
    value: Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let am = account_prefs::ActiveModel {
        account_id: Set(account),
        key: Set(key.to_string()),
        value: Set(value),
        updated_at: Set(now),
    };
    account_prefs::Entity::insert(am)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                account_prefs::Column::AccountId,
                account_prefs::Column::Key,
            ])
            .update_columns([
                account_prefs::Column::Value,
                account_prefs::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(c)
        .await?;
    Ok(())
}
