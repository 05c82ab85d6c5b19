//! "Forgot password": a one-time link valid for one hour, sent by e-mail when SMTP is
//! configured. The answer never reveals whether an account exists.

use crate::audit::{self, Changes};
use crate::core::sha256_hex;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::Duration;
use khach_db::tokens::Token;
use khach_types::Password;

const PURPOSE: &str = "password_reset";

const WINDOW_HOURS: i64 = 1;
const MAX_PER_TARGET: u64 = 3;
const MAX_PER_ADDRESS: u64 = 10;

/// Sends a reset link to the account named by username or e-mail, if it exists, is
/// active and has an e-mail. The answer is the same in every case, and comes before
/// the mail is sent, so neither content nor timing tells whether an account exists.
/// Requests past a small hourly limit (per target, per address) are dropped quietly:
/// nobody can flood a mailbox or keep cancelling someone's links.
/// `Unavailable` when no SMTP server is configured.
pub async fn request_reset(
    core: &Core,
    ctx: &Ctx,
    who: &str,
    subject: &str,
    body: impl Fn(&str) -> String,
) -> CoreResult<()> {
    let Some(mailer) = core.mailer.clone() else {
        return Err(CoreError::Unavailable("smtp not configured".into()));
    };
    let who = who.trim().to_lowercase();
    if who.is_empty() || who.chars().count() > 254 || who.contains('\0') {
        return Ok(());
    }
    let since = ctx.now - Duration::hours(WINDOW_HOURS);
    let target_key = format!("reset:{}", sha256_hex(&who));
    let ip_key = format!("reset-ip:{}", ctx.ip.as_deref().unwrap_or("-"));
    let conn = core.db.conn();
    // Recorded first, then counted: parallel requests see each other.
    khach_db::login_attempts::record(conn, &target_key, ctx.now).await?;
    khach_db::login_attempts::record(conn, &ip_key, ctx.now).await?;
    let (n_target, _) = khach_db::login_attempts::recent(conn, &target_key, since).await?;
    let (n_ip, _) = khach_db::login_attempts::recent(conn, &ip_key, since).await?;
    if n_target > MAX_PER_TARGET || n_ip > MAX_PER_ADDRESS {
        tracing::info!(target: "khach::auth", "password reset request dropped by the limit");
        return Ok(());
    }
    let found = match khach_db::accounts::by_username(conn, &who).await? {
        Some(a) => Some(a),
        None => khach_db::accounts::by_email(conn, &who).await?,
    };
    let Some(account) = found.filter(|a| a.active) else {
        return Ok(());
    };
    // Per account too, whether it was named by username or by e-mail.
    let account_key = format!("reset-account:{}", account.id);
    khach_db::login_attempts::record(conn, &account_key, ctx.now).await?;
    let (n_account, _) = khach_db::login_attempts::recent(conn, &account_key, since).await?;
    if n_account > MAX_PER_TARGET {
        return Ok(());
    }
    let Some(email) = account.email.clone() else {
        return Ok(());
    };
    let token = core.token("", 24);
    let tx = core.db.begin().await?;
    khach_db::tokens::expire_all(&tx, PURPOSE, Some(account.id), ctx.now).await?;
    khach_db::tokens::insert(
        &tx,
        Token {
            token_hash: sha256_hex(&token),
            purpose: PURPOSE.into(),
            account_id: Some(account.id),
            created_at: ctx.now,
            expires_at: ctx.now + Duration::hours(1),
            used_at: None,
        },
    )
    .await?;
    khach_db::commit(tx).await?;
    let link = format!(
        "{}/reset-password?token={token}",
        core.config.public_url.trim_end_matches('/')
    );
    let subject = subject.to_string();
    let text = body(&link);
    tokio::spawn(async move {
        if let Err(e) = mailer.send(&email, &subject, text).await {
            tracing::warn!(error = %e, "password reset mail not sent");
        }
    });
    Ok(())
}

pub async fn reset_token_valid(core: &Core, token: &str) -> CoreResult<bool> {
    Ok(
        khach_db::tokens::find_live(core.db.conn(), &sha256_hex(token), PURPOSE, core.now())
            .await?
            .is_some(),
    )
}

/// Sets the new password, spends the token and ends every session of the account.
pub async fn complete_reset(
    core: &Core,
    ctx: &Ctx,
    token: &str,
    new_password: &str,
) -> CoreResult<()> {
    let pw = Password::parse(new_password).map_err(|e| CoreError::field("new_password", e))?;
    let hash_tok = sha256_hex(token);
    let t = khach_db::tokens::find_live(core.db.conn(), &hash_tok, PURPOSE, ctx.now)
        .await?
        .ok_or(CoreError::NotFound)?;
    let account_id = t.account_id.ok_or(CoreError::NotFound)?;
    let account = khach_db::accounts::get(core.db.conn(), account_id)
        .await?
        .filter(|a| a.active)
        .ok_or(CoreError::NotFound)?;
    let username = account.username.clone();
    let hash = super::password::hash(core, pw.expose()).await?;
    // The audit log names the person who reset their password.
    let mut who = ctx.clone();
    who.principal =
        crate::Principal::Account(Box::new(super::actor_for(core, account, None, None).await?));
    let tx = core.db.begin().await?;
    // Spent inside the transaction: two clicks on one link reset once.
    if !khach_db::tokens::mark_used(&tx, &hash_tok, ctx.now).await? {
        return Err(CoreError::NotFound);
    }
    khach_db::accounts::set_password(&tx, account_id, hash, ctx.now).await?;
    khach_db::sessions::delete_for_account(&tx, account_id, None).await?;
    khach_db::login_attempts::clear(&tx, &super::account_key(&username)).await?;
    audit::record(
        &tx,
        &who,
        "account",
        Some(account_id.to_string()),
        "reset_password_by_email",
        Changes::new(),
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(())
}
