//! Webhook endpoints, their deliveries (the work queue) and the attempt log.

use crate::DbError;
use crate::entity::{events, webhook_attempts, webhook_deliveries, webhook_endpoints};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
pub use webhook_attempts::Model as Attempt;
pub use webhook_deliveries::Model as Delivery;
pub use webhook_endpoints::Model as Endpoint;

pub async fn insert_endpoint(c: &impl ConnectionTrait, e: Endpoint) -> Result<Endpoint, DbError> {
    let mut am = e.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

/// Writes every column of `e` (found by its id).
pub async fn save_endpoint(c: &impl ConnectionTrait, e: Endpoint) -> Result<Endpoint, DbError> {
    let am = e.into_active_model().reset_all();
    Ok(am.update(c).await?)
}

pub async fn get_endpoint(c: &impl ConnectionTrait, id: i64) -> Result<Option<Endpoint>, DbError> {
    Ok(webhook_endpoints::Entity::find_by_id(id).one(c).await?)
}

pub async fn list_endpoints(c: &impl ConnectionTrait) -> Result<Vec<Endpoint>, DbError> {
    Ok(webhook_endpoints::Entity::find()
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(c)
        .await?)
}

pub async fn active_endpoints(c: &impl ConnectionTrait) -> Result<Vec<Endpoint>, DbError> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::Active.eq(true))
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(c)
        .await?)
}

pub async fn delete_endpoint(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    webhook_endpoints::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// The newest timeline event id (0 when there is none).
pub async fn max_event_id(c: &impl ConnectionTrait) -> Result<i64, DbError> {
    let v: Option<Option<i64>> = events::Entity::find()
        .select_only()
        .column_as(events::Column::Id.max(), "m")
        .into_tuple()
        .one(c)
        .await?;
    Ok(v.flatten().unwrap_or(0))
}

/// Timeline events with an id above `after`, oldest first.
pub async fn events_after(
    c: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<events::Model>, DbError> {
    Ok(events::Entity::find()
        .filter(events::Column::Id.gt(after))
        .order_by_asc(events::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

pub async fn events_by_ids(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<events::Model>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(events::Entity::find()
        .filter(events::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(events::Column::Id)
        .all(c)
        .await?)
}

/// Queues deliveries; one already queued for the same endpoint and event is kept.
pub async fn queue(c: &impl ConnectionTrait, rows: Vec<Delivery>) -> Result<(), DbError> {
    let models: Vec<_> = rows
        .into_iter()
        .map(|d| {
            let mut am = d.into_active_model();
            am.id = sea_orm::ActiveValue::NotSet;
            am
        })
        .collect();
    for chunk in models.chunks(200) {
        webhook_deliveries::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    webhook_deliveries::Column::EndpointId,
                    webhook_deliveries::Column::EventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Takes up to `limit` deliveries that are due and not held by another worker, and
/// holds them until `hold`. Two workers never get the same delivery: the update
/// re-checks the hold.
pub async fn claim_due(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
    hold: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Delivery>, DbError> {
    let free = Condition::any()
        .add(webhook_deliveries::Column::LockedUntil.is_null())
        .add(webhook_deliveries::Column::LockedUntil.lt(now));
    let ids: Vec<i64> = webhook_deliveries::Entity::find()
        .select_only()
        .column(webhook_deliveries::Column::Id)
        .filter(webhook_deliveries::Column::Status.eq("pending"))
        .filter(webhook_deliveries::Column::NextAt.lte(now))
        .filter(free.clone())
        .order_by_asc(webhook_deliveries::Column::NextAt)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::LockedUntil, Expr::value(hold))
        .filter(webhook_deliveries::Column::Id.is_in(ids))
        .filter(webhook_deliveries::Column::Status.eq("pending"))
        .filter(free)
        .exec_with_returning(c)
        .await?)
}

/// Records an attempt and the delivery's new state.
pub async fn record_attempt(
    c: &impl ConnectionTrait,
    d: Delivery,
    a: Attempt,
) -> Result<(), DbError> {
    d.into_active_model().reset_all().update(c).await?;
    let mut am = a.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    am.insert(c).await?;
    Ok(())
}

/// Stops what is still queued for an endpoint (it was disabled or deleted).
pub async fn cancel_pending(
    c: &impl ConnectionTrait,
    endpoint: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let r = webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::Status, Expr::value("cancelled"))
        .col_expr(webhook_deliveries::Column::FinishedAt, Expr::value(now))
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint))
        .filter(webhook_deliveries::Column::Status.eq("pending"))
        .exec(c)
        .await?;
    Ok(r.rows_affected)
}

pub async fn get_delivery(c: &impl ConnectionTrait, id: i64) -> Result<Option<Delivery>, DbError> {
    Ok(webhook_deliveries::Entity::find_by_id(id).one(c).await?)
}

/// An endpoint's deliveries, newest first, below id `before`.
pub async fn deliveries(
    c: &impl ConnectionTrait,
    endpoint: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Delivery>, DbError> {
    let mut q = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint))
        .order_by_desc(webhook_deliveries::Column::Id);
    if let Some(b) = before {
        q = q.filter(webhook_deliveries::Column::Id.lt(b));
    }
    Ok(q.limit(limit).all(c).await?)
}

/// The attempts of some deliveries, oldest first.
pub async fn attempts(
    c: &impl ConnectionTrait,
    deliveries: &[i64],
) -> Result<Vec<Attempt>, DbError> {
    if deliveries.is_empty() {
        return Ok(vec![]);
    }
    Ok(webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.is_in(deliveries.iter().copied()))
        .order_by_asc(webhook_attempts::Column::Id)
        .all(c)
        .await?)
}

/// Puts a finished delivery back in the queue, due at `now` (a manual redelivery).
pub async fn requeue(c: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    webhook_deliveries::ActiveModel {
        id: Set(id),
        status: Set("pending".into()),
        attempts: Set(0),
        next_at: Set(now),
        locked_until: Set(None),
        finished_at: Set(None),
        ..Default::default()
    }
    .update(c)
    .await?;
    Ok(())
}
