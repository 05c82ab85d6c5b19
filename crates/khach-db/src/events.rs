//! The customer timeline: append-only events.

use crate::DbError;
use crate::entity::events;
pub use events::Model as Event;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

pub async fn append(c: &impl ConnectionTrait, e: Event) -> Result<Event, DbError> {
    let mut am = e.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

/// Appends many events in a few statements.
pub async fn append_many(c: &impl ConnectionTrait, events: Vec<Event>) -> Result<(), DbError> {
    let models: Vec<_> = events
        .into_iter()
        .map(|e| {
            let mut am = e.into_active_model();
            am.id = sea_orm::ActiveValue::NotSet;
            am
        })
        .collect();
    for chunk in models.chunks(500) {
        events::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Newest first, `kind` starting with `prefix`, below id `before`.
pub async fn for_customer(
    c: &impl ConnectionTrait,
    customer_id: i64,
    prefix: &str,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Event>, DbError> {
    let mut q = events::Entity::find()
        .filter(events::Column::CustomerId.eq(customer_id))
        .filter(events::Column::Kind.starts_with(prefix))
        .order_by_desc(events::Column::Id);
    if let Some(b) = before {
        q = q.filter(events::Column::Id.lt(b));
    }
    Ok(q.limit(limit).all(c).await?)
}
