//! Saved filters: personal, or shared with everyone.

use crate::DbError;
use crate::entity::saved_filters;
pub use saved_filters::Model as SavedFilter;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

crud!(
    rows,
    saved_filters,
    super::SavedFilter,
    crate::entity::saved_filters::Column::Name
);

/// The caller's own filters and everyone's shared ones.
pub async fn visible_to(
    c: &impl ConnectionTrait,
    entity: &str,
    account: i64,
) -> Result<Vec<SavedFilter>, DbError> {
    Ok(saved_filters::Entity::find()
        .filter(saved_filters::Column::Entity.eq(entity))
        .filter(
            Condition::any()
                .add(saved_filters::Column::OwnerId.eq(account))
                .add(saved_filters::Column::Shared.eq(true)),
        )
        .order_by_asc(saved_filters::Column::Name)
        .all(c)
        .await?)
}
