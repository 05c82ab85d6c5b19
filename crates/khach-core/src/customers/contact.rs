//! The do-not-contact list, and arrivals from another channel (source attribution).

use super::{hydrate, input, load_for_edit, timeline};
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_types::api::{Arrival, Customer, DoNotContactInput, SourceRule};
use khach_types::{Action, Module};
use serde_json::json;

/// Adds (`Some`) or removes (`None`) a customer on the do-not-contact list.
pub async fn do_not_contact(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    add: Option<DoNotContactInput>,
) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let tx = core.db.begin().await?;
    let saved = dnc_in(&tx, ctx, id, add).await?;
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

pub(crate) async fn dnc_in(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    add: Option<DoNotContactInput>,
) -> CoreResult<Row> {
    let old = load_for_edit(c, ctx, id, false).await?;
    let mut row = old.clone();
    let mut errs = FieldErrors::default();
    match &add {
        Some(i) => {
            row.dnc = true;
            row.dnc_reason = input::text(&mut errs, "reason", i.reason.as_deref(), 500);
            row.dnc_at = Some(ctx.now);
        }
        None => {
            row.dnc = false;
            row.dnc_reason = None;
            row.dnc_at = None;
        }
    }
    errs.finish()?;
    if old.dnc == row.dnc && old.dnc_reason == row.dnc_reason {
        return Ok(old);
    }
    row.updated_at = ctx.now;
    let saved = khach_db::customers::update(c, row).await?;
    let mut ch = Changes::new();
    ch.diff("do_not_contact", &old.dnc, &saved.dnc);
    ch.diff("do_not_contact_reason", &old.dnc_reason, &saved.dnc_reason);
    audit::record(
        c,
        ctx,
        "customer",
        Some(id.to_string()),
        "do_not_contact",
        ch,
    )
    .await?;
    let kind = if saved.dnc {
        "do_not_contact_added"
    } else {
        "do_not_contact_removed"
    };
    timeline(c, ctx, id, kind, json!({"reason": saved.dnc_reason})).await?;
    Ok(saved)
}

/// Which source a customer keeps when it arrives from `incoming`.
pub fn attribute(rule: SourceRule, current: Option<(i64, i32)>, incoming: (i64, i32)) -> i64 {
    match (rule, current) {
        (_, None) => incoming.0,
        (SourceRule::First, Some(c)) => c.0,
        (SourceRule::Last, Some(_)) => incoming.0,
        // Lower priority number wins; a tie keeps what is there.
        (SourceRule::Priority, Some(c)) => {
            if incoming.1 < c.1 {
                incoming.0
            } else {
                c.0
            }
        }
    }
}

/// A customer arrives again from a channel: the attribution rule decides its source,
/// and the arrival is on the timeline either way.
pub async fn arrive(core: &Core, ctx: &Ctx, id: i64, a: Arrival) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let tx = core.db.begin().await?;
    let old = load_for_edit(&tx, ctx, id, false).await?;
    let incoming = khach_db::taxonomy::sources::get(&tx, a.source_id)
        .await?
        .ok_or_else(|| CoreError::fields([("source_id", "value-unknown-ref")]))?;
    let current = match old.source_id {
        Some(s) => khach_db::taxonomy::sources::get(&tx, s)
            .await?
            .map(|s| (s.id, s.priority)),
        None => None,
    };
    let rule = super::settings::customer_settings(&tx).await?.source_rule;
    let keep = attribute(rule, current, (incoming.id, incoming.priority));
    let mut row = old.clone();
    if Some(keep) != old.source_id {
        row.source_id = Some(keep);
        row.updated_at = ctx.now;
        row = khach_db::customers::update(&tx, row).await?;
        let mut ch = Changes::new();
        ch.diff("source_id", &old.source_id, &row.source_id);
        audit::record(&tx, ctx, "customer", Some(id.to_string()), "update", ch).await?;
        crate::sharing::on_customers_changed(&tx, &[id], ctx.now).await?;
    }
    timeline(
        &tx,
        ctx,
        id,
        "arrived",
        json!({"source_id": incoming.id, "kept_source_id": keep}),
    )
    .await?;
    let out = hydrate(&tx, ctx, vec![row]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::attribute;
    use khach_types::api::SourceRule;

    #[test]
    fn source_attribution_rules() {
        assert_eq!(attribute(SourceRule::First, Some((1, 50)), (2, 10)), 1);
        assert_eq!(attribute(SourceRule::Last, Some((1, 50)), (2, 10)), 2);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 50)), (2, 10)), 2);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 10)), (2, 50)), 1);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 10)), (2, 10)), 1);
        assert_eq!(attribute(SourceRule::First, None, (2, 10)), 2);
    }
}
