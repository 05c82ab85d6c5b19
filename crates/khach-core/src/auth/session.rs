//! Turning a session cookie or a bearer key into an [`Actor`].

use crate::api_keys::SECRET_PREFIX;
use crate::core::sha256_hex;
use crate::{Actor, Core, CoreError, CoreResult};
use khach_db::accounts::Account;
use khach_types::PermissionSet;

/// Builds the actor of an account: its role's grants, narrowed by a key's.
pub async fn actor_for(
    core: &Core,
    account: Account,
    key: Option<(i64, Option<PermissionSet>)>,
    session_hash: Option<String>,
) -> CoreResult<Actor> {
    let role = khach_db::roles::get(core.db.conn(), account.role_id)
        .await?
        .ok_or_else(|| CoreError::Internal("account without role".into()))?;
    let (perms, scope) = crate::roles::grants(&role)?;
    let (permissions, api_key_id, is_admin) = match key {
        Some((id, Some(narrow))) => {
            let p = perms.intersect(&narrow);
            let full = p == PermissionSet::all();
            (p, Some(id), role.is_admin && full)
        }
        Some((id, None)) => (perms, Some(id), role.is_admin),
        None => (perms, None, role.is_admin),
    };
    Ok(Actor {
        account,
        is_admin,
        permissions,
        scope,
        api_key_id,
        masked: role.mask_contacts && !role.is_admin,
        session_hash,
    })
}

/// The actor behind a session cookie, if the session is live and the account active.
pub async fn authenticate_session(core: &Core, token: &str) -> CoreResult<Actor> {
    let hash = sha256_hex(token);
    let (_, account) = khach_db::sessions::find_live(core.db.conn(), &hash, core.now())
        .await?
        .ok_or(CoreError::Unauthenticated)?;
    if !account.active {
        return Err(CoreError::Unauthenticated);
    }
    actor_for(core, account, None, Some(hash)).await
}

/// The actor behind `Authorization: Bearer khk_…`.
pub async fn authenticate_key(core: &Core, secret: &str) -> CoreResult<Actor> {
    if !secret.starts_with(SECRET_PREFIX) || secret.len() > 200 {
        return Err(CoreError::Unauthenticated);
    }
    // Looked up by hash: the stored value is a digest, so the comparison leaks nothing
    // useful about the secret through timing.
    let key = khach_db::api_keys::by_hash(core.db.conn(), &sha256_hex(secret))
        .await?
        .ok_or(CoreError::Unauthenticated)?;
    if key.revoked_at.is_some() {
        return Err(CoreError::Unauthenticated);
    }
    let account = khach_db::accounts::get(core.db.conn(), key.account_id)
        .await?
        .filter(|a| a.active)
        .ok_or(CoreError::Unauthenticated)?;
    let narrow = key
        .permissions
        .as_deref()
        .map(crate::roles::parse_perms)
        .transpose()?;
    let now = core.now();
    // Last-used time at minute precision: one write per key per minute, not per request.
    if key
        .last_used_at
        .is_none_or(|t| (now - t).num_seconds() >= 60)
    {
        khach_db::api_keys::touch(core.db.conn(), key.id, now).await?;
    }
    actor_for(core, account, Some((key.id, narrow)), None).await
}

pub async fn logout(core: &Core, token: &str) -> CoreResult<()> {
    khach_db::sessions::delete(core.db.conn(), &sha256_hex(token)).await?;
    Ok(())
}
