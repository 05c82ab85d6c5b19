//! Outgoing webhooks (Cài đặt Webhook): endpoints subscribe to kinds of changes
//! (customer created / updated / deleted / restored / merged, interaction event
//! ingested, score level crossed); a background worker queues one delivery per
//! endpoint and timeline event (`dispatch`) and sends them signed per Standard
//! Webhooks, with retries for about three days (`deliver`), never to a private or
//! metadata address unless allowed (`target`). Managing them needs the settings
//! permissions.

pub mod deliver;
pub mod dispatch;
mod sign;
pub mod target;

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, Utc};
use khach_db::webhooks::{self as db, Delivery, Endpoint};
use khach_types::api::{
    CreateWebhook, PageQuery, UpdateWebhook, WEBHOOK_KINDS, WebhookAttempt, WebhookDelivery,
    WebhookDeliveryList, WebhookEndpoint, WebhookEndpointList, WebhookSettings, WebhookWithSecret,
};
use khach_types::{Action, Module};
use serde_json::json;
use std::collections::BTreeMap;

pub use sign::SECRET_PREFIX;

const ALLOW_PRIVATE: &str = "webhooks.allow_private";
/// How long the secret before a rotation still signs (both signatures are sent).
const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Words of the e-mail telling administrators that an endpoint was switched off:
/// `(locale, endpoint name, url, link) → (subject, body)`, from the catalogue of the
/// caller (the core has no strings of its own).
pub type NoticeText =
    std::sync::Arc<dyn Fn(khach_types::Locale, &str, &str, &str) -> (String, String) + Send + Sync>;

/// State the background worker keeps between runs.
#[derive(Default)]
pub struct Worker {
    /// Event ids skipped over by the dispatcher, with when they were first missed.
    gaps: BTreeMap<i64, DateTime<Utc>>,
    /// Without it, no e-mail is sent (the page and the audit log still say why).
    notice: Option<NoticeText>,
}

impl Worker {
    /// A worker that e-mails administrators when an endpoint is switched off.
    pub fn with_notice(notice: NoticeText) -> Self {
        Self {
            gaps: BTreeMap::new(),
            notice: Some(notice),
        }
    }
}

/// What one run of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub events: u64,
    pub attempts: u64,
}

/// One run: queue deliveries for new events, then send what is due.
pub async fn tick(core: &Core, w: &mut Worker) -> CoreResult<Tick> {
    Ok(Tick {
        events: dispatch::run(core, w).await?,
        attempts: deliver::run(core, w).await?,
    })
}

pub async fn allow_private(core: &Core) -> CoreResult<bool> {
    Ok(khach_db::settings::get(core.db.conn(), ALLOW_PRIVATE)
        .await?
        .is_some_and(|v| v == "true"))
}

fn to_api(e: Endpoint) -> WebhookEndpoint {
    WebhookEndpoint {
        id: e.id,
        name: e.name,
        url: e.url,
        kinds: kinds_of(&e.kinds),
        active: e.active,
        disabled_reason: e.disabled_reason,
        disabled_at: e.disabled_at,
        failing_since: e.failing_since,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

fn kinds_of(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn parse_name(name: &str) -> CoreResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(CoreError::fields([("name", "value-length-1-200")]));
    }
    Ok(n.to_string())
}

fn parse_kinds(kinds: &[String]) -> CoreResult<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for k in kinds {
        let k = k.trim();
        if !WEBHOOK_KINDS.contains(&k) {
            return Err(CoreError::fields([("kinds", "webhook-kind-unknown")]));
        }
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
    if out.is_empty() {
        return Err(CoreError::fields([("kinds", "webhook-kinds-empty")]));
    }
    Ok(out)
}

async fn parse_url(core: &Core, raw: &str) -> CoreResult<String> {
    let allow = allow_private(core).await?;
    let url = target::parse(raw, allow).map_err(|k| CoreError::fields([("url", k)]))?;
    target::check_name(&url, allow)
        .await
        .map_err(|k| CoreError::fields([("url", k)]))?;
    Ok(url.to_string())
}

pub async fn list(core: &Core, ctx: &Ctx) -> CoreResult<WebhookEndpointList> {
    ctx.require(Module::Settings, Action::View)?;
    let rows = db::list_endpoints(core.db.conn()).await?;
    Ok(WebhookEndpointList {
        items: rows.into_iter().map(to_api).collect(),
    })
}

async fn load(core: &Core, id: i64) -> CoreResult<Endpoint> {
    db::get_endpoint(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<WebhookEndpoint> {
    ctx.require(Module::Settings, Action::View)?;
    Ok(to_api(load(core, id).await?))
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateWebhook) -> CoreResult<WebhookWithSecret> {
    ctx.require(Module::Settings, Action::Edit)?;
    let name = parse_name(&input.name);
    let kinds = parse_kinds(&input.kinds);
    let url = parse_url(core, &input.url).await;
    // Every field's problem at once.
    let mut errs = BTreeMap::new();
    for r in [
        name.as_ref().err(),
        kinds.as_ref().err(),
        url.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        if let CoreError::Validation(m) = r {
            errs.extend(m.clone());
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Validation(errs));
    }
    let (name, kinds, url) = (name?, kinds?, url?);
    let secret = sign::new_secret(core.random.as_ref());
    let tx = core.db.begin().await?;
    let start = db::max_event_id(&tx).await?;
    let row = db::insert_endpoint(
        &tx,
        Endpoint {
            id: 0,
            name: name.clone(),
            url: url.clone(),
            secret: secret.clone(),
            prev_secret: None,
            prev_until: None,
            kinds: json!(kinds),
            active: true,
            disabled_reason: None,
            disabled_at: None,
            failing_since: None,
            start_event_id: start,
            created_by: ctx.account_id(),
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &name);
    ch.set("url", &url);
    ch.set("kinds", &kinds);
    audit::record(&tx, ctx, "webhook", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(WebhookWithSecret {
        endpoint: to_api(row),
        secret,
    })
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateWebhook,
) -> CoreResult<WebhookEndpoint> {
    ctx.require(Module::Settings, Action::Edit)?;
    let old = load(core, id).await?;
    let mut new = old.clone();
    if let Some(n) = &input.name {
        new.name = parse_name(n)?;
    }
    if let Some(u) = &input.url {
        new.url = parse_url(core, u).await?;
    }
    if let Some(k) = &input.kinds {
        new.kinds = json!(parse_kinds(k)?);
    }
    if let Some(a) = input.active {
        if a && !old.active {
            // Back on: a fresh start, from what happens next.
            new.disabled_reason = None;
            new.disabled_at = None;
            new.failing_since = None;
        } else if !a && old.active {
            new.disabled_reason = Some("webhook-disabled-by-person".into());
            new.disabled_at = Some(ctx.now);
        }
        new.active = a;
    }
    if new == old {
        return Ok(to_api(old));
    }
    new.updated_at = ctx.now;
    let tx = core.db.begin().await?;
    if old.active && !new.active {
        db::cancel_pending(&tx, id, ctx.now).await?;
    }
    let saved = db::save_endpoint(&tx, new).await?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &saved.name);
    ch.diff("url", &old.url, &saved.url);
    ch.diff("kinds", &old.kinds, &saved.kinds);
    ch.diff("active", &old.active, &saved.active);
    audit::record(&tx, ctx, "webhook", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(to_api(saved))
}

pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Settings, Action::Edit)?;
    let old = load(core, id).await?;
    let tx = core.db.begin().await?;
    db::delete_endpoint(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("url", &Some(old.url), &None);
    audit::record(&tx, ctx, "webhook", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// A new secret, shown once; the old one keeps signing for a day so that the
/// receiver can switch without losing a delivery.
pub async fn rotate_secret(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<WebhookWithSecret> {
    ctx.require(Module::Settings, Action::Edit)?;
    let mut ep = load(core, id).await?;
    let secret = sign::new_secret(core.random.as_ref());
    ep.prev_secret = Some(std::mem::replace(&mut ep.secret, secret.clone()));
    ep.prev_until = Some(ctx.now + chrono::Duration::hours(ROTATION_OVERLAP_HOURS));
    ep.updated_at = ctx.now;
    let tx = core.db.begin().await?;
    let saved = db::save_endpoint(&tx, ep).await?;
    let mut ch = Changes::new();
    ch.set("secret", &"rotated");
    audit::record(
        &tx,
        ctx,
        "webhook",
        Some(id.to_string()),
        "rotate_secret",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(WebhookWithSecret {
        endpoint: to_api(saved),
        secret,
    })
}

fn delivery_api(d: Delivery, tries: Vec<WebhookAttempt>) -> WebhookDelivery {
    WebhookDelivery {
        id: d.id,
        msg_id: d.msg_id,
        kind: d.kind,
        event_id: d.event_id,
        next_at: (d.status == "pending").then_some(d.next_at),
        status: d.status,
        attempts: d.attempts,
        created_at: d.created_at,
        finished_at: d.finished_at,
        body: serde_json::from_str(&d.body).unwrap_or(serde_json::Value::Null),
        tries,
    }
}

/// The delivery log of an endpoint, newest first, each with its attempts.
pub async fn deliveries(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    q: &PageQuery,
) -> CoreResult<WebhookDeliveryList> {
    ctx.require(Module::Settings, Action::View)?;
    load(core, id).await?;
    let c = core.db.conn();
    let limit = crate::paging::page_limit(q.limit)?;
    let before = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let rows = db::deliveries(c, id, before, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |d| d.id);
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut tries: BTreeMap<i64, Vec<WebhookAttempt>> = BTreeMap::new();
    for a in db::attempts(c, &ids).await? {
        tries
            .entry(a.delivery_id)
            .or_default()
            .push(WebhookAttempt {
                at: a.at,
                status: a.status,
                duration_ms: a.duration_ms,
                error: a.error,
            });
    }
    Ok(WebhookDeliveryList {
        items: rows
            .into_iter()
            .map(|d| {
                let t = tries.remove(&d.id).unwrap_or_default();
                delivery_api(d, t)
            })
            .collect(),
        next_cursor: next,
    })
}

/// Sends one delivery again now (and on the retry schedule after that).
pub async fn redeliver(core: &Core, ctx: &Ctx, id: i64, delivery: i64) -> CoreResult<()> {
    ctx.require(Module::Settings, Action::Edit)?;
    let ep = load(core, id).await?;
    let d = db::get_delivery(core.db.conn(), delivery)
        .await?
        .filter(|d| d.endpoint_id == ep.id)
        .ok_or(CoreError::NotFound)?;
    if !ep.active {
        return Err(CoreError::fields([("active", "webhook-inactive")]));
    }
    if d.status == "pending" {
        return Ok(());
    }
    let tx = core.db.begin().await?;
    db::requeue(&tx, d.id, ctx.now).await?;
    let mut ch = Changes::new();
    ch.set("delivery", &d.id);
    audit::record(&tx, ctx, "webhook", Some(id.to_string()), "redeliver", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// "Send test": a `webhook.test` message sent at once; the answer is in the result
/// and in the delivery log. It is not retried.
pub async fn send_test(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<WebhookDelivery> {
    ctx.require(Module::Settings, Action::Edit)?;
    let ep = load(core, id).await?;
    let msg_id = core.token("msg_test_", 12);
    let body = json!({
        "type": "webhook.test",
        "timestamp": ctx.now,
        "data": {"endpoint_id": ep.id, "name": ep.name},
    })
    .to_string();
    let tx = core.db.begin().await?;
    db::queue(
        &tx,
        vec![Delivery {
            id: 0,
            endpoint_id: ep.id,
            event_id: None,
            msg_id: msg_id.clone(),
            kind: "webhook.test".into(),
            body,
            status: "pending".into(),
            attempts: 0,
            // Held so the worker leaves it to this request.
            next_at: ctx.now,
            locked_until: Some(ctx.now + chrono::Duration::minutes(5)),
            last_status: None,
            last_error: None,
            created_at: ctx.now,
            finished_at: None,
        }],
    )
    .await?;
    khach_db::commit(tx).await?;
    let d = db::deliveries(core.db.conn(), ep.id, None, 5)
        .await?
        .into_iter()
        .find(|d| d.msg_id == msg_id)
        .ok_or(CoreError::NotFound)?;
    let allow = allow_private(core).await?;
    let http = deliver::client(allow)?;
    let o = deliver::send(&http, &ep, &d, ctx.now, allow).await;
    let mut d = d;
    // A test is sent once: no retries.
    d.attempts = deliver::RETRY_AFTER_SECONDS.len() as i32;
    let saved = deliver::record(core, &ep, d, &o, ctx.now).await?;
    let tries = vec![WebhookAttempt {
        at: ctx.now,
        status: o.status.map(i32::from),
        duration_ms: o.duration_ms,
        error: o.error,
    }];
    Ok(delivery_api(saved, tries))
}

pub async fn settings(core: &Core, ctx: &Ctx) -> CoreResult<WebhookSettings> {
    ctx.require(Module::Settings, Action::View)?;
    Ok(WebhookSettings {
        allow_private: allow_private(core).await?,
    })
}

pub async fn update_settings(
    core: &Core,
    ctx: &Ctx,
    input: WebhookSettings,
) -> CoreResult<WebhookSettings> {
    ctx.require(Module::Settings, Action::Edit)?;
    if !ctx.is_admin() {
        // Opening the internal network is an administrator's decision.
        return Err(CoreError::Forbidden);
    }
    let old = allow_private(core).await?;
    if old != input.allow_private {
        let tx = core.db.begin().await?;
        khach_db::settings::put(&tx, ALLOW_PRIVATE, input.allow_private.to_string(), ctx.now)
            .await?;
        let mut ch = Changes::new();
        ch.diff("allow_private", &old, &input.allow_private);
        audit::record(&tx, ctx, "webhook_settings", None, "update", ch).await?;
        khach_db::commit(tx).await?;
    }
    Ok(input)
}
