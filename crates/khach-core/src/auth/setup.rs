//! First run: while no active admin exists, a one-time link (printed in the log) lets
//! a person create the first admin account.

use crate::accounts::NewAccount;
use crate::core::sha256_hex;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::Duration;
use khach_db::tokens::Token;
use khach_types::api::{Account, CreateAccount};

const PURPOSE: &str = "setup";

/// Issues a new set-up token (24 h) and invalidates earlier ones; `None` when an
/// admin already exists.
pub async fn issue_setup_token(core: &Core) -> CoreResult<Option<String>> {
    if !crate::accounts::needs_setup(core).await? {
        return Ok(None);
    }
    let now = core.now();
    let token = core.token("", 24);
    let tx = core.db.begin().await?;
    khach_db::tokens::expire_all(&tx, PURPOSE, None, now).await?;
    khach_db::tokens::insert(
        &tx,
        Token {
            token_hash: sha256_hex(&token),
            purpose: PURPOSE.into(),
            account_id: None,
            created_at: now,
            expires_at: now + Duration::hours(24),
            used_at: None,
        },
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(Some(token))
}

pub async fn setup_token_valid(core: &Core, token: &str) -> CoreResult<bool> {
    Ok(crate::accounts::needs_setup(core).await?
        && khach_db::tokens::find_live(core.db.conn(), &sha256_hex(token), PURPOSE, core.now())
            .await?
            .is_some())
}

/// Creates the first admin with the token. Checking the token, spending it and
/// creating the account happen in one transaction: two clicks make one admin.
pub async fn complete_setup(
    core: &Core,
    ctx: &Ctx,
    token: &str,
    mut input: CreateAccount,
) -> CoreResult<Account> {
    if !setup_token_valid(core, token).await? {
        return Err(CoreError::NotFound);
    }
    let admin = khach_db::roles::by_builtin(core.db.conn(), "admin")
        .await?
        .ok_or_else(|| CoreError::Internal("admin role missing".into()))?;
    input.role_id = admin.id;
    input.active = true;
    let new = NewAccount::parse(&input, crate::settings::get(core).await?.default_locale)?;
    let hash = crate::auth::password::hash(core, new.password.expose()).await?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Admins).await?;
    let hashed = sha256_hex(token);
    let live = khach_db::tokens::find_live(&tx, &hashed, PURPOSE, ctx.now).await?;
    if live.is_none()
        || khach_db::accounts::count_active_admins(&tx).await? > 0
        || !khach_db::tokens::mark_used(&tx, &hashed, ctx.now).await?
    {
        return Err(CoreError::NotFound);
    }
    let account = crate::accounts::insert_in(&tx, ctx, new, hash).await?;
    khach_db::commit(tx).await?;
    Ok(account)
}
