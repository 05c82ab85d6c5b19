//! Sending queued deliveries: signed, never following a redirect, through the
//! guarded resolver; retried on the Standard Webhooks schedule (about three days);
//! an endpoint that answers 410 Gone, or has failed without a success for three days,
//! is switched off and the administrators are told.

use super::target::{self, GuardedResolver};
use super::{Worker, sign};
use crate::audit::{self, Changes};
use crate::{Core, CoreResult, Ctx};
use chrono::{DateTime, Duration, Utc};
use khach_db::webhooks::{self as db, Attempt, Delivery, Endpoint};
use khach_types::Origin;
use std::sync::Arc;

/// Waits after the 1st, 2nd … failed attempt (Standard Webhooks' example schedule:
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — about 75 hours in all).
pub const RETRY_AFTER_SECONDS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];
/// Failing without a single success for this long switches an endpoint off.
pub const DISABLE_AFTER_HOURS: i64 = 72;
const CLAIM: u64 = 50;
const HOLD_SECONDS: i64 = 60;
const TIMEOUT_SECONDS: u64 = 10;

/// When the next attempt is due after `attempts` failed ones, with ±10 % jitter so
/// that a receiver coming back is not hit by every retry at once; `None` when it is
/// time to give up.
pub fn next_attempt(
    now: DateTime<Utc>,
    attempts: i32,
    random: &dyn crate::Randomness,
) -> Option<DateTime<Utc>> {
    let base = *RETRY_AFTER_SECONDS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    let mut b = [0u8; 2];
    random.fill(&mut b);
    // -10 % … +10 % in 1/1000 steps.
    let permille = i64::from(u16::from_le_bytes(b) % 201) - 100;
    Some(now + Duration::milliseconds(base * 1000 + base * permille))
}

/// The outgoing client: no proxy from the environment, no redirects, our resolver.
pub fn client(allow_private: bool) -> CoreResult<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(TIMEOUT_SECONDS))
        .user_agent("Khach-Webhooks/1")
        .build()
        .map_err(|e| crate::CoreError::Internal(format!("webhook client: {e}")))
}

/// What one attempt gave.
pub struct Outcome {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

fn clip(s: String) -> String {
    s.chars().take(500).collect()
}

/// One HTTP attempt.
pub async fn send(
    http: &reqwest::Client,
    ep: &Endpoint,
    d: &Delivery,
    now: DateTime<Utc>,
    allow_private: bool,
) -> Outcome {
    let started = std::time::Instant::now();
    let done = |status: Option<u16>, error: Option<String>| Outcome {
        status,
        error: error.map(clip),
        duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
    };
    // IP literals never reach the resolver: check them here, every time.
    let url = match target::parse(&ep.url, allow_private) {
        Ok(u) => u,
        Err(key) => return done(None, Some(key.into())),
    };
    let ts = now.timestamp();
    let mut secrets = vec![ep.secret.as_str()];
    if let (Some(p), Some(until)) = (&ep.prev_secret, ep.prev_until)
        && until > now
    {
        secrets.push(p);
    }
    let signature = sign::header(&secrets, &d.msg_id, ts, &d.body);
    let r = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.msg_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(d.body.clone())
        .send()
        .await;
    match r {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let error = (!(200..300).contains(&status)).then(|| {
                if (300..400).contains(&status) {
                    "webhook-redirect-refused".to_string()
                } else {
                    format!("HTTP {status}")
                }
            });
            done(Some(status), error)
        }
        Err(e) => {
            // reqwest's message chain names the cause (refused target, timeout …)
            // without anything of ours in it.
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            done(None, Some(msg))
        }
    }
}

/// Stores an attempt, moves the delivery on (done, retry later, or give up) and
/// switches the endpoint off when it has failed for good.
pub async fn record(
    core: &Core,
    ep: &Endpoint,
    mut d: Delivery,
    o: &Outcome,
    now: DateTime<Utc>,
) -> CoreResult<Delivery> {
    d.attempts += 1;
    d.locked_until = None;
    d.last_status = o.status.map(i32::from);
    d.last_error = o.error.clone();
    let gone = o.status == Some(410);
    if o.ok() {
        d.status = "succeeded".into();
        d.finished_at = Some(now);
    } else if let Some(next) = next_attempt(now, d.attempts, core.random.as_ref()).filter(|_| !gone)
    {
        d.next_at = next;
    } else {
        d.status = "failed".into();
        d.finished_at = Some(now);
    }
    let tx = core.db.begin().await?;
    let attempt = Attempt {
        id: 0,
        delivery_id: d.id,
        endpoint_id: ep.id,
        at: now,
        status: d.last_status,
        duration_ms: o.duration_ms,
        error: o.error.clone(),
    };
    db::record_attempt(&tx, d.clone(), attempt).await?;
    // Read again inside the transaction: other deliveries to it ran meanwhile.
    if let Some(mut cur) = db::get_endpoint(&tx, ep.id).await? {
        let before = cur.clone();
        if o.ok() {
            cur.failing_since = None;
        } else {
            let since = *cur.failing_since.get_or_insert(now);
            let persistent = now - since >= Duration::hours(DISABLE_AFTER_HOURS);
            if cur.active && (gone || persistent) {
                let reason = if gone {
                    "webhook-disabled-gone"
                } else {
                    "webhook-disabled-failing"
                };
                disable(&tx, &mut cur, reason, now).await?;
            }
        }
        if cur != before {
            db::save_endpoint(&tx, cur).await?;
        }
    }
    khach_db::commit(tx).await?;
    Ok(d)
}

/// Switches an endpoint off by itself: what is queued is cancelled, the audit log
/// says why, and the administrators get an e-mail when mail is set up.
async fn disable(
    tx: &impl khach_db::ConnectionTrait,
    ep: &mut Endpoint,
    reason: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    ep.active = false;
    ep.disabled_reason = Some(reason.into());
    ep.disabled_at = Some(now);
    ep.updated_at = now;
    db::cancel_pending(tx, ep.id, now).await?;
    let ctx = Ctx::system(Origin::Automation, now);
    let mut ch = Changes::new();
    ch.diff("active", &true, &false);
    ch.set("reason", &reason);
    audit::record(
        tx,
        &ctx,
        "webhook",
        Some(ep.id.to_string()),
        "auto_disable",
        ch,
    )
    .await?;
    Ok(())
}

/// E-mails the active administrators that an endpoint was switched off, each in
/// their language.
async fn tell_admins(core: &Core, w: &Worker, ep: &Endpoint) {
    let (Some(mailer), Some(text)) = (&core.mailer, &w.notice) else {
        return;
    };
    let Ok(admins) = khach_db::accounts::active_admins(core.db.conn()).await else {
        return;
    };
    let link = format!(
        "{}/settings/webhooks/{}",
        core.config.public_url.trim_end_matches('/'),
        ep.id
    );
    for a in admins {
        let Some(to) = a.email else { continue };
        let locale = khach_types::Locale::parse(&a.locale).unwrap_or(khach_types::Locale::Vi);
        let (subject, body) = text(locale, &ep.name, &ep.url, &link);
        if let Err(e) = mailer.send(&to, &subject, body).await {
            tracing::warn!(error = %e, "could not tell an administrator about a disabled webhook");
        }
    }
}

/// Sends what is due; returns how many attempts were made.
pub async fn run(core: &Core, w: &mut Worker) -> CoreResult<u64> {
    let now = core.now();
    let c = core.db.conn();
    let due = db::claim_due(c, now, now + Duration::seconds(HOLD_SECONDS), CLAIM).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let allow_private = super::allow_private(core).await?;
    let http = client(allow_private)?;
    let endpoints = db::list_endpoints(c).await?;
    let mut set = tokio::task::JoinSet::new();
    for d in due {
        let Some(ep) = endpoints.iter().find(|e| e.id == d.endpoint_id).cloned() else {
            continue;
        };
        let http = http.clone();
        set.spawn(async move {
            let o = send(&http, &ep, &d, now, allow_private).await;
            (ep, d, o)
        });
    }
    let mut n = 0;
    while let Some(joined) = set.join_next().await {
        let Ok((ep, d, o)) = joined else { continue };
        let was_active = ep.active;
        record(core, &ep, d, &o, core.now()).await?;
        n += 1;
        if was_active
            && !o.ok()
            && let Some(after) = db::get_endpoint(c, ep.id).await?
            && !after.active
            && after.disabled_at.is_some()
        {
            tell_admins(core, w, &after).await;
        }
    }
    Ok(n)
}
