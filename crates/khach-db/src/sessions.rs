//! Login sessions, stored by the hash of the cookie value.

use crate::DbError;
use crate::entity::{accounts, sessions};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
pub use sessions::Model as Session;

pub async fn insert(c: &impl ConnectionTrait, s: Session) -> Result<(), DbError> {
    s.into_active_model().insert(c).await?;
    Ok(())
}

/// The live session with this hash and its account, if not expired.
pub async fn find_live(
    c: &impl ConnectionTrait,
    id_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Session, accounts::Model)>, DbError> {
    let Some(s) = sessions::Entity::find_by_id(id_hash.to_string())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(c)
        .await?
    else {
        return Ok(None);
    };
    let acct = accounts::Entity::find_by_id(s.account_id).one(c).await?;
    Ok(acct.map(|a| (s, a)))
}

pub async fn delete(c: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbError> {
    sessions::Entity::delete_by_id(id_hash.to_string())
        .exec(c)
        .await?;
    Ok(())
}

/// Ends every session of an account (deactivation, password change).
pub async fn delete_for_account(
    c: &impl ConnectionTrait,
    account_id: i64,
    except: Option<&str>,
) -> Result<u64, DbError> {
    let mut q = sessions::Entity::delete_many().filter(sessions::Column::AccountId.eq(account_id));
    if let Some(keep) = except {
        q = q.filter(sessions::Column::IdHash.ne(keep));
    }
    Ok(q.exec(c).await?.rows_affected)
}

pub async fn purge_expired(c: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(now))
        .exec(c)
        .await?
        .rows_affected)
}
