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
