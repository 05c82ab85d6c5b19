//! What the daily score decay reads: the points each event earned and when.

use crate::DbError;
use crate::entity::events;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// (customer, points, occurred at) of every event of `customers` that earned points.
pub async fn scored_of(
    c: &impl ConnectionTrait,
    customers: &[i64],
) -> Result<Vec<(i64, i32, DateTime<Utc>)>, DbError> {
    let mut out = Vec::new();
    for chunk in customers.chunks(200) {
        let rows: Vec<(i64, i32, DateTime<Utc>)> = events::Entity::find()
            .select_only()
            .column(events::Column::CustomerId)
            .column(events::Column::ScoreDelta)
            .column(events::Column::OccurredAt)
            .filter(events::Column::CustomerId.is_in(chunk.iter().copied()))
            .filter(events::Column::ScoreDelta.ne(0))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Locks the counter rows of `customers` until the end of the transaction
/// (PostgreSQL), so an ingestion adding points meanwhile waits and then adds them
/// to the decayed score instead of being overwritten by it.
pub async fn lock_counters(c: &impl ConnectionTrait, customers: &[i64]) -> Result<(), DbError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockType, Query};
    if c.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut sorted = customers.to_vec();
    sorted.sort_unstable();
    for chunk in sorted.chunks(1000) {
        let q = Query::select()
            .column(Alias::new("customer_id"))
            .from(Alias::new("customer_counters"))
            .and_where(Expr::col(Alias::new("customer_id")).is_in(chunk.iter().copied()))
            .order_by(Alias::new("customer_id"), sea_orm::Order::Asc)
            .lock(LockType::Update)
            .to_owned();
        c.query_all(&q).await?;
    }
    Ok(())
}
