//! The interaction history (SPEC §2): typed events on a customer from any system,
//! counted by configurable rules (Getfly's by default) into the interaction count,
//! the last contact date and the score, in the same transaction as the event; score
//! levels with their actions; the timeline, its chart and export; recompute.

pub mod decay;
mod ingest;
pub mod levels;
mod recompute;
mod record;
pub mod rules;
mod store;
mod timeline;
mod timing;

pub use ingest::{MAX_BATCH, ingest};
pub(crate) use recompute::recompute_ids;
pub use recompute::{Report, recompute};
pub use timeline::{Bucket, buckets, chart, export, sources, timeline};
pub use timing::phase_times;

use crate::{Core, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_types::api::{InteractionSummary, Notification, NotificationList};
use serde_json::Value;

/// Stores Khách's own `customer.*` timeline entries with their counters (a created
/// customer counts one interaction). Score levels are not evaluated here: these
/// entries carry no points unless a business gives them some, and level actions
/// write such entries themselves.
pub(crate) async fn record_internal(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    entries: Vec<(i64, String, Value)>,
) -> CoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rules = rules::Rules::new(rules::load(c).await?, ctx.now);
    let drafts = entries
        .into_iter()
        .map(|(customer, kind, payload)| record::Draft {
            customer_id: customer,
            kind,
            source: ctx.origin.as_str().into(),
            occurred_at: ctx.now,
            actor_id: ctx.account_id(),
            actor_label: None,
            payload,
            idem_key: None,
        })
        .collect();
    record::apply(c, &rules, drafts, false).await?;
    Ok(())
}

/// The caller's newest notifications.
pub async fn notifications(core: &Core, ctx: &Ctx) -> CoreResult<NotificationList> {
    ctx.require(khach_types::Module::Customers, khach_types::Action::View)?;
    let Some(me) = ctx.account_id() else {
        return Ok(NotificationList {
            items: Vec::new(),
            unread: 0,
        });
    };
    let (rows, unread) = khach_db::interactions::levels::notes_of(core.db.conn(), me, 50).await?;
    Ok(NotificationList {
        items: rows
            .into_iter()
            .map(|n| Notification {
                id: n.id,
                kind: n.kind,
                customer_id: n.customer_id,
                payload: n.payload,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
        unread,
    })
}

/// Marks the caller's notifications read.
pub async fn mark_notifications_read(core: &Core, ctx: &Ctx) -> CoreResult<()> {
    ctx.require(khach_types::Module::Customers, khach_types::Action::View)?;
    if let Some(me) = ctx.account_id() {
        khach_db::interactions::levels::mark_read(core.db.conn(), me, ctx.now).await?;
    }
    Ok(())
}

/// A customer's counters: interaction count, score, last contact.
pub async fn counters(
    core: &Core,
    ctx: &Ctx,
    customer: i64,
) -> CoreResult<khach_db::interactions::Counters> {
    crate::customers::visible(core, ctx, customer).await?;
    Ok(
        khach_db::interactions::counters(core.db.conn(), &[customer])
            .await?
            .remove(&customer)
            .unwrap_or_default(),
    )
}

/// A customer's counters and the days since its last contact.
pub async fn summary(core: &Core, ctx: &Ctx, customer: i64) -> CoreResult<InteractionSummary> {
    ctx.require(khach_types::Module::Customers, khach_types::Action::View)?;
    let k = counters(core, ctx, customer).await?;
    Ok(InteractionSummary {
        interaction_count: k.interaction_count,
        score: k.score,
        last_contact_at: k.last_contact_at,
        days_since_last_contact: k.last_contact_at.map(|l| (ctx.now - l).num_days().max(0)),
    })
}
