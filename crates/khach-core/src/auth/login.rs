//! Log in with username and password. Failures are counted in the database per
//! account and per address; past the limit the answer is 429 with a wait time.

use crate::audit::{self, Changes};
use crate::core::sha256_hex;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::Duration;
use khach_db::accounts::Account;
use khach_db::sessions::Session;

const WINDOW_MINUTES: i64 = 15;
const MAX_PER_ACCOUNT: u64 = 5;
const MAX_PER_ADDRESS: u64 = 30;

pub struct LoginOutcome {
    /// The cookie value; only its hash is stored.
    pub session_token: String,
    pub account: Account,
}

/// Throttle key of an account.
pub fn account_key(username: &str) -> String {
    format!("account:{username}")
}

fn address_key(ctx: &Ctx) -> String {
    format!("ip:{}", ctx.ip.as_deref().unwrap_or("-"))
}

/// `TooManyRequests` when `key` has more than `max` attempts in the window.
async fn over_limit(core: &Core, ctx: &Ctx, key: &str, max: u64) -> CoreResult<()> {
    let since = ctx.now - Duration::minutes(WINDOW_MINUTES);
    let (n, oldest) = khach_db::login_attempts::recent(core.db.conn(), key, since).await?;
    if n > max {
        let free_at = oldest.unwrap_or(ctx.now) + Duration::minutes(WINDOW_MINUTES);
        let secs = (free_at - ctx.now).num_seconds().max(1) as u64;
        return Err(CoreError::TooManyRequests {
            retry_after_secs: secs,
        });
    }
    Ok(())
}

/// Records an attempt on `key` before it is judged, so that parallel guesses see
/// each other; fails (and forgets the attempt) when the account is over its limit.
/// Returns the attempt's id: delete it when the attempt succeeds.
pub async fn begin_attempt(core: &Core, ctx: &Ctx, key: &str) -> CoreResult<i64> {
    let id = khach_db::login_attempts::record(core.db.conn(), key, ctx.now).await?;
    if let Err(e) = over_limit(core, ctx, key, MAX_PER_ACCOUNT).await {
        // A refused attempt is not counted: retrying during a lock-out must not
        // extend it.
        khach_db::login_attempts::delete(core.db.conn(), id).await?;
        return Err(e);
    }
    Ok(id)
}

pub async fn login(
    core: &Core,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> CoreResult<LoginOutcome> {
    let uname = username.trim().to_lowercase();
    // No account can have such a name; answering at once keeps odd input (NUL bytes,
    // megabyte names) out of the throttle table.
    if uname.is_empty() || uname.chars().count() > 64 || uname.contains('\0') {
        return Err(CoreError::InvalidCredentials);
    }
    let acct_key = account_key(&uname);
    let ip_key = address_key(ctx);
    // The attempt is written before it is judged: parallel guesses each see the
    // others, so the limit holds under concurrency.
    let tx = core.db.begin().await?;
    let acct_attempt = khach_db::login_attempts::record(&tx, &acct_key, ctx.now).await?;
    let ip_attempt = khach_db::login_attempts::record(&tx, &ip_key, ctx.now).await?;
    khach_db::commit(tx).await?;
    let limits = match over_limit(core, ctx, &acct_key, MAX_PER_ACCOUNT).await {
        Ok(()) => over_limit(core, ctx, &ip_key, MAX_PER_ADDRESS).await,
        Err(e) => Err(e),
    };
    if let Err(e) = limits {
        // Refused attempts are not counted: retrying during a lock-out must not
        // extend it, nor lock out everyone behind the same address.
        let tx = core.db.begin().await?;
        khach_db::login_attempts::delete(&tx, acct_attempt).await?;
        khach_db::login_attempts::delete(&tx, ip_attempt).await?;
        khach_db::commit(tx).await?;
        return Err(e);
    }

    let found = khach_db::accounts::by_username(core.db.conn(), &uname).await?;
    let ok = match &found {
        Some(a) => super::password::verify(password, &a.password_hash).await?,
        None => {
            // Spend the same time as a real check, so timing does not reveal which
            // usernames exist.
            super::password::hash(core, password).await?;
            false
        }
    };
    let account = match found {
        Some(a) if ok && a.active => a,
        _ => {
            tracing::info!(target: "khach::auth", "login failed");
            return Err(CoreError::InvalidCredentials);
        }
    };

    // A fresh random id at every login (no session fixation).
    let token = core.token("ks_", 32);
    let tx = core.db.begin().await?;
    khach_db::login_attempts::clear(&tx, &acct_key).await?;
    khach_db::login_attempts::delete(&tx, ip_attempt).await?;
    khach_db::login_attempts::purge_before(&tx, ctx.now - Duration::days(1)).await?;
    khach_db::sessions::purge_expired(&tx, ctx.now).await?;
    khach_db::sessions::insert(
        &tx,
        Session {
            id_hash: sha256_hex(&token),
            account_id: account.id,
            created_at: ctx.now,
            expires_at: ctx.now + Duration::hours(core.config.session_hours),
            ip: ctx.ip.clone(),
        },
    )
    .await?;
    let mut who = ctx.clone();
    who.principal = crate::Principal::Account(Box::new(
        super::actor_for(core, account.clone(), None, None).await?,
    ));
    audit::record(&tx, &who, "session", None, "login", Changes::new()).await?;
    khach_db::commit(tx).await?;
    Ok(LoginOutcome {
        session_token: token,
        account,
    })
}
