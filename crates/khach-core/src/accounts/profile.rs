use super::create::{parse_full_name, parse_opt, taken};
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{Account, ChangePassword, UpdateProfile};
use khach_types::{ContactPhone, Email, Password};

/// A person edits their own name, contact details and language.
pub async fn update_profile(core: &Core, ctx: &Ctx, input: UpdateProfile) -> CoreResult<Account> {
    let actor = ctx.actor().ok_or(CoreError::Unauthenticated)?;
    let id = actor.account.id;
    // The e-mail receives password-reset links: an API key (which may be narrowed or
    // leaked) must not be able to redirect them.
    let unchanged = |e: &Option<String>| {
        e.as_deref().map(|s| s.trim().to_lowercase()) == actor.account.email.clone()
    };
    if actor.api_key_id.is_some() && input.email.as_ref().is_some_and(|e| !unchanged(e)) {
        return Err(CoreError::Forbidden);
    }
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
    // The requested e-mail, when the field was sent (`None` inside: cleared).
    let new_email: Option<Option<String>> =
        email.map(|e| e.flatten().map(|x| x.as_str().to_string()));
    if new_email
        .as_ref()
        .is_some_and(|e| *e != actor.account.email)
    {
        // Proving the password again keeps a borrowed or stolen session from
        // redirecting reset links; wrong guesses count like failed logins. Checked
        // before the write transaction: the attempt is recorded on its own.
        let key = crate::auth::account_key(&actor.account.username);
        let attempt = crate::auth::begin_attempt(core, ctx, &key).await?;
        let given = input.current_password.as_deref().unwrap_or("");
        if given.is_empty()
            || !crate::auth::password::verify(given, &actor.account.password_hash).await?
        {
            return Err(CoreError::fields([(
                "current_password",
                "value-wrong-password",
            )]));
        }
        khach_db::login_attempts::delete(core.db.conn(), attempt).await?;
    }
    let tx = core.db.begin().await?;
    let old = khach_db::accounts::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
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
    if let Some(l) = input.locale {
        row.locale = l.as_str().into();
    }
    let mut ch = Changes::new();
    ch.diff("full_name", &old.full_name, &row.full_name);
    ch.diff("email", &old.email, &row.email);
    ch.diff("phone", &old.phone, &row.phone);
    ch.diff("locale", &old.locale, &row.locale);
    if ch.is_empty() {
        return Ok(super::to_api(old));
    }
    row.updated_at = ctx.now;
    let email_changed = row.email != old.email;
    let saved = khach_db::accounts::update(&tx, row).await.map_err(taken)?;
    if email_changed {
        // A link sent to the old address must not outlive the change.
        khach_db::tokens::expire_all(&tx, "password_reset", Some(id), ctx.now).await?;
    }
    audit::record(
        &tx,
        ctx,
        "account",
        Some(id.to_string()),
        "update_profile",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(super::to_api(saved))
}

/// Changes one's own password after proving the current one; other sessions end.
pub async fn change_password(core: &Core, ctx: &Ctx, input: ChangePassword) -> CoreResult<()> {
    let actor = ctx.actor().ok_or(CoreError::Unauthenticated)?;
    let id = actor.account.id;
    // Only a person at a session changes the password, never an API key.
    if actor.api_key_id.is_some() {
        return Err(CoreError::Forbidden);
    }
    let new =
        Password::parse(&input.new_password).map_err(|e| CoreError::field("new_password", e))?;
    let current = khach_db::accounts::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    // Wrong current passwords count like failed logins, so this is no way around the
    // login throttle.
    let key = crate::auth::account_key(&current.username);
    let attempt = crate::auth::begin_attempt(core, ctx, &key).await?;
    if !crate::auth::password::verify(&input.current_password, &current.password_hash).await? {
        return Err(CoreError::fields([(
            "current_password",
            "value-wrong-password",
        )]));
    }
    khach_db::login_attempts::delete(core.db.conn(), attempt).await?;
    let hash = crate::auth::password::hash(core, new.expose()).await?;
    let tx = core.db.begin().await?;
    khach_db::accounts::set_password(&tx, id, hash, ctx.now).await?;
    khach_db::sessions::delete_for_account(&tx, id, actor.session_hash.as_deref()).await?;
    khach_db::tokens::expire_all(&tx, "password_reset", Some(id), ctx.now).await?;
    audit::record(
        &tx,
        ctx,
        "account",
        Some(id.to_string()),
        "change_password",
        Changes::new(),
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(())
}
