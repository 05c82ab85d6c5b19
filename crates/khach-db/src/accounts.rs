//! Accounts: lookups, listing by id cursor, insert and whole-row update.

use crate::DbError;
use crate::entity::{accounts, roles};
pub use accounts::Model as Account;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Account>, DbError> {
    Ok(accounts::Entity::find_by_id(id).one(c).await?)
}

pub async fn by_username(c: &impl ConnectionTrait, u: &str) -> Result<Option<Account>, DbError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Username.eq(u))
        .one(c)
        .await?)
}

pub async fn by_email(c: &impl ConnectionTrait, e: &str) -> Result<Option<Account>, DbError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Email.eq(e))
        .one(c)
        .await?)
}

/// Accounts with id greater than `after`, ascending.
pub async fn list(
    c: &impl ConnectionTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Account>, DbError> {
    let mut q = accounts::Entity::find().order_by_asc(accounts::Column::Id);
    if let Some(a) = after {
        q = q.filter(accounts::Column::Id.gt(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

/// Active accounts whose role is the Admin role.
pub async fn count_active_admins(c: &impl ConnectionTrait) -> Result<u64, DbError> {
    Ok(accounts::Entity::find()
        .join(JoinType::InnerJoin, admin_join())
        .filter(accounts::Column::Active.eq(true))
        .filter(roles::Column::IsAdmin.eq(true))
        .count(c)
        .await?)
}

/// Active accounts whose role is the Admin role.
pub async fn active_admins(c: &impl ConnectionTrait) -> Result<Vec<Account>, DbError> {
    Ok(accounts::Entity::find()
        .join(JoinType::InnerJoin, admin_join())
        .filter(accounts::Column::Active.eq(true))
        .filter(roles::Column::IsAdmin.eq(true))
        .all(c)
        .await?)
}

fn admin_join() -> sea_orm::RelationDef {
    accounts::Entity::belongs_to(roles::Entity)
        .from(accounts::Column::RoleId)
        .to(roles::Column::Id)
        .into()
}

pub async fn count_with_role(c: &impl ConnectionTrait, role_id: i64) -> Result<u64, DbError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::RoleId.eq(role_id))
        .count(c)
        .await?)
}

pub async fn count_in_department(c: &impl ConnectionTrait, dep: i64) -> Result<u64, DbError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::DepartmentId.eq(dep))
        .count(c)
        .await?)
}

/// Ids of the accounts in a department (for the "department" data scope).
pub async fn ids_in_department(c: &impl ConnectionTrait, dep: i64) -> Result<Vec<i64>, DbError> {
    Ok(accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::DepartmentId.eq(dep))
        .into_tuple()
        .all(c)
        .await?)
}

/// Inserts a new account; `id` of the argument is ignored.
pub async fn insert(c: &impl ConnectionTrait, a: Account) -> Result<Account, DbError> {
    let mut am = a.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

/// Writes every column of `a` except the password hash, which only
/// [`set_password`] changes: a profile edit racing a password reset must not write
/// back the old hash.
pub async fn update(c: &impl ConnectionTrait, a: Account) -> Result<Account, DbError> {
    let mut am = a.into_active_model().reset_all();
    am.password_hash = sea_orm::ActiveValue::NotSet;
    Ok(am.update(c).await?)
}

pub async fn set_password(
    c: &impl ConnectionTrait,
    id: i64,
    hash: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbError> {
    let am = accounts::ActiveModel {
        id: Set(id),
        password_hash: Set(hash),
        updated_at: Set(now),
        ..Default::default()
    };
    am.update(c).await?;
    Ok(())
}
