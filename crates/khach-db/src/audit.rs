//! The append-only audit log.

use crate::DbError;
use crate::entity::audit_log;
pub use audit_log::Model as AuditRow;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

pub async fn insert(c: &impl ConnectionTrait, row: AuditRow) -> Result<(), DbError> {
    let mut am = row.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    am.insert(c).await?;
    Ok(())
}

/// Inserts many rows in a few statements (bulk actions audit each record).
pub async fn insert_many(c: &impl ConnectionTrait, rows: Vec<AuditRow>) -> Result<(), DbError> {
    let models: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let mut am = r.into_active_model();
            am.id = sea_orm::ActiveValue::NotSet;
            am
        })
        .collect();
    for chunk in models.chunks(500) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Filters of a listing; all optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<i64>,
    pub origin: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first; `before` is the id cursor.
pub async fn list(
    c: &impl ConnectionTrait,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditRow>, DbError> {
    let mut q = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(b) = before {
        q = q.filter(audit_log::Column::Id.lt(b));
    }
    if let Some(e) = &f.entity {
        q = q.filter(audit_log::Column::Entity.eq(e.as_str()));
    }
    if let Some(e) = &f.entity_id {
        q = q.filter(audit_log::Column::EntityId.eq(e.as_str()));
    }
    if let Some(a) = f.actor_id {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(o) = &f.origin {
        q = q.filter(audit_log::Column::Origin.eq(o.as_str()));
    }
    if let Some(t) = f.from {
        q = q.filter(audit_log::Column::At.gte(t));
    }
    if let Some(t) = f.to {
        q = q.filter(audit_log::Column::At.lt(t));
    }
    Ok(q.limit(limit).all(c).await?)
}
