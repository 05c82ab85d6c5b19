use super::create::{check_refs, parse_full_name, parse_opt, taken};
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{Account, ResetPassword, UpdateAccount};
use khach_types::{Action, ContactPhone, Email, Module, Password};

pub async fn update(core: &Core, ctx: &Ctx, id: i64, input: UpdateAccount) -> CoreResult<Account> {
    ctx.require(Module::Accounts, Action::Edit)?;
    let mut errs = FieldErrors::default();
    let full_name = input
        .full_name
        .as_deref()
        .map(|n| parse_full_name(&mut errs, n));
    let email = input
        .email
        .as_ref()
        .map(|e| parse_opt(&mut errs, "email", e.as_deref(), Email::parse));
    let phone = input
        .phone
        .as_ref()
        .map(|p| parse_opt(&mut errs, "phone", p.as_deref(), ContactPhone::parse));
    errs.finish()?;

    let tx = core.db.begin().await?;
    // Held to the end: two admins demoting each other at once must not both pass
    // the last-admin check (PostgreSQL; SQLite writers are already serialised).
    khach_db::lock(&tx, khach_db::Lock::Admins).await?;
    let old = khach_db::accounts::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let was_admin = ensure_can_manage(&tx, ctx, &old).await?;
    if input.role_id.is_some_and(|r| r != old.role_id)
        && !ctx.is_admin()
        && ctx.account_id() == Some(id)
    {
        // Nobody but an admin changes their own role.
        return Err(CoreError::Forbidden);
    }
    // The requested e-mail, when the field was sent (`None` inside: cleared).
    let new_email: Option<Option<String>> =
        email.map(|e| e.flatten().map(|x| x.as_str().to_string()));
    let via_key = ctx.actor().is_some_and(|a| a.api_key_id.is_some());
    if ctx.account_id() == Some(id)
        && via_key
        && new_email.as_ref().is_some_and(|e| *e != old.email)
    {
        // The e-mail receives reset links: not changeable for oneself by API key.
        return Err(CoreError::Forbidden);
    }
    let mut row = old.clone();
    if let Some(Some(n)) = full_name {
        row.full_name = n;
    }
    if let Some(e) = new_email {
        row.email = e;
    }
    if let Some(Some(p)) = phone {
        row.phone = p.map(|p| p.as_str().to_string());
    }
    if let Some(d) = input.department_id {
        row.department_id = d;
    }
    if let Some(r) = input.role_id {
        row.role_id = r;
    }
    if let Some(a) = input.active {
        row.active = a;
    }
    if let Some(a) = input.auto_assign {
        row.auto_assign = a;
    }
    if let Some(l) = input.locale {
        row.locale = l.as_str().into();
    }
    let is_admin = if row.role_id != old.role_id || row.department_id != old.department_id {
        check_refs(&tx, ctx, row.role_id, row.department_id).await?
    } else {
        was_admin
    };
    // Losing an admin (demoted or deactivated) must leave at least one active admin.
    if was_admin && old.active && (!is_admin || !row.active) {
        let admins = khach_db::accounts::count_active_admins(&tx).await?;
        if admins <= 1 {
            return Err(CoreError::LastAdmin);
        }
    }
    let mut ch = Changes::new();
    ch.diff("full_name", &old.full_name, &row.full_name);
    ch.diff("email", &old.email, &row.email);
    ch.diff("phone", &old.phone, &row.phone);
    ch.diff("department_id", &old.department_id, &row.department_id);
    ch.diff("role_id", &old.role_id, &row.role_id);
    ch.diff("active", &old.active, &row.active);
    ch.diff("auto_assign", &old.auto_assign, &row.auto_assign);
    ch.diff("locale", &old.locale, &row.locale);
    if ch.is_empty() {
        return Ok(super::to_api(old));
    }
    row.updated_at = ctx.now;
    let saved = khach_db::accounts::update(&tx, row).await.map_err(taken)?;
    if saved.email != old.email {
        // Links sent to the old address must not outlive the change.
        khach_db::tokens::expire_all(&tx, "password_reset", Some(id), ctx.now).await?;
    }
    if old.active && !saved.active {
        // Deactivation stops every way in at once: sessions, API keys, reset links.
        khach_db::sessions::delete_for_account(&tx, id, None).await?;
        khach_db::api_keys::revoke_all_for_account(&tx, id, ctx.now).await?;
        khach_db::tokens::expire_all(&tx, "password_reset", Some(id), ctx.now).await?;
    }
    let action = match (old.active, saved.active) {
        (true, false) => "deactivate",
        (false, true) => "activate",
        _ => "update",
    };
    audit::record(&tx, ctx, "account", Some(id.to_string()), action, ch).await?;
    khach_db::commit(tx).await?;
    Ok(super::to_api(saved))
}

/// An administrator sets a new password for someone; their sessions end.
pub async fn reset_password(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: ResetPassword,
) -> CoreResult<()> {
    ctx.require(Module::Accounts, Action::Edit)?;
    // One's own password changes only with the current one (`/me/password`).
    if ctx.account_id() == Some(id) {
        return Err(CoreError::Forbidden);
    }
    let pw =
        Password::parse(&input.new_password).map_err(|e| CoreError::field("new_password", e))?;
    let target = khach_db::accounts::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    ensure_can_manage(core.db.conn(), ctx, &target).await?;
    let hash = crate::auth::password::hash(core, pw.expose()).await?;
    let tx = core.db.begin().await?;
    khach_db::accounts::set_password(&tx, id, hash, ctx.now).await?;
    khach_db::sessions::delete_for_account(&tx, id, None).await?;
    khach_db::tokens::expire_all(&tx, "password_reset", Some(id), ctx.now).await?;
    khach_db::login_attempts::clear(&tx, &crate::auth::account_key(&target.username)).await?;
    audit::record(
        &tx,
        ctx,
        "account",
        Some(id.to_string()),
        "reset_password",
        Changes::new(),
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// Fails unless the caller could have given `target` its current role (nobody edits
/// someone more powerful than themselves). Returns whether `target` is an admin.
async fn ensure_can_manage(
    c: &impl khach_db::ConnectionTrait,
    ctx: &Ctx,
    target: &khach_db::accounts::Account,
) -> CoreResult<bool> {
    let role = khach_db::roles::get(c, target.role_id)
        .await?
        .ok_or_else(|| CoreError::Internal("account without role".into()))?;
    crate::roles::ensure_grantable(ctx, &role)?;
    Ok(role.is_admin)
}
