//! Key/value settings, values as JSON text.

use crate::DbError;
use crate::entity::settings;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

pub async fn get(c: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DbError> {
    Ok(settings::Entity::find_by_id(key.to_string())
        .one(c)
        .await?
        .map(|m| m.value))
}

/// Inserts or replaces one setting.
pub async fn put(
    c: &impl ConnectionTrait,
    key: &str,
    value: String,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let am = settings::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value),
        updated_at: Set(now),
    };
    settings::Entity::insert(am)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(settings::Column::Key)
                .update_columns([settings::Column::Value, settings::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(c)
        .await?;
    Ok(())
}
