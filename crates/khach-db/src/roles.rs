//! Roles.

use crate::DbError;
use crate::entity::roles;
pub use roles::Model as Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Role>, DbError> {
    Ok(roles::Entity::find_by_id(id).one(c).await?)
}

pub async fn by_builtin(c: &impl ConnectionTrait, key: &str) -> Result<Option<Role>, DbError> {
    Ok(roles::Entity::find()
        .filter(roles::Column::Builtin.eq(key))
        .one(c)
        .await?)
}

pub async fn list(
    c: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Role>, DbError> {
    let mut q = roles::Entity::find().order_by_asc(roles::Column::Id);
    if let Some(a) = after {
        q = q.filter(roles::Column::Id.gt(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

pub async fn insert(c: &impl ConnectionTrait, r: Role) -> Result<Role, DbError> {
    let mut am = r.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn update(c: &impl ConnectionTrait, r: Role) -> Result<Role, DbError> {
    let am = r.into_active_model().reset_all();
    Ok(am.update(c).await?)
}

pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    roles::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}
