//! Departments (a tree through `parent_id`).

use crate::DbError;
use crate::entity::departments;
pub use departments::Model as Department;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Department>, DbError> {
    Ok(departments::Entity::find_by_id(id).one(c).await?)
}

pub async fn list(
    c: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Department>, DbError> {
    let mut q = departments::Entity::find().order_by_asc(departments::Column::Id);
    if let Some(a) = after {
        q = q.filter(departments::Column::Id.gt(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

pub async fn count_children(c: &impl ConnectionTrait, id: i64) -> Result<u64, DbError> {
    Ok(departments::Entity::find()
        .filter(departments::Column::ParentId.eq(id))
        .count(c)
        .await?)
}

pub async fn insert(c: &impl ConnectionTrait, d: Department) -> Result<Department, DbError> {
    let mut am = d.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn update(c: &impl ConnectionTrait, d: Department) -> Result<Department, DbError> {
    let am = d.into_active_model().reset_all();
    Ok(am.update(c).await?)
}

pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    departments::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}
