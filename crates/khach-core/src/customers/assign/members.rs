//! Supporters and viewers of ticked customers, added or removed in bulk, and replaced
//! on one customer (its detail page, `PATCH /customers/{id}`).

use super::check_accounts;
use crate::audit::{self, Changes};
use crate::customers::timeline_many;
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::ownership::{self as own, AccessKind};
use khach_types::api::{MembersRequest, MembersResult};
use khach_types::{Action, Module};
use serde_json::json;

pub async fn members(core: &Core, ctx: &Ctx, req: MembersRequest) -> CoreResult<MembersResult> {
    ctx.require(Module::Customers, Action::Assign)?;
    if req.ids.is_empty() || req.ids.len() > super::MAX_TICKED {
        return Err(CoreError::fields([("ids", "value-bulk-size")]));
    }
    let tx = core.db.begin().await?;
    let mut errs = FieldErrors::default();
    for (field, ids) in [
        ("add_supporters", &req.add_supporters),
        ("add_viewers", &req.add_viewers),
    ] {
        check_accounts(&tx, &mut errs, field, ids).await?;
    }
    for (field, ids) in [
        ("remove_supporters", &req.remove_supporters),
        ("remove_viewers", &req.remove_viewers),
    ] {
        if ids.len() > 100 {
            errs.add(field, "value-too-many");
        }
    }
    if req.add_supporters.is_empty()
        && req.remove_supporters.is_empty()
        && req.add_viewers.is_empty()
        && req.remove_viewers.is_empty()
    {
        errs.add("add_supporters", "assign-nothing-to-do");
    }
    errs.finish()?;
    let (ids, skipped) = crate::customers::editable_ids(&tx, ctx, &req.ids).await?;
    apply(
        &tx,
        ctx,
        &ids,
        Change {
            add_supporters: &req.add_supporters,
            remove_supporters: &req.remove_supporters,
            add_viewers: &req.add_viewers,
            remove_viewers: &req.remove_viewers,
        },
    )
    .await?;
    crate::sharing::on_customers_changed(&tx, &ids, ctx.now).await?;
    khach_db::commit(tx).await?;
    Ok(MembersResult {
        done: ids.len() as u64,
        skipped,
    })
}

/// Supporters and viewers to add and remove.
pub(crate) struct Change<'a> {
    pub add_supporters: &'a [i64],
    pub remove_supporters: &'a [i64],
    pub add_viewers: &'a [i64],
    pub remove_viewers: &'a [i64],
}

/// Applies `ch` to customers the caller may change, with timeline and audit entries
/// for each customer where something actually changed. The owner is never its own
/// supporter or viewer; a supporter is not also a viewer.
pub(crate) async fn apply(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ids: &[i64],
    ch: Change<'_>,
) -> CoreResult<()> {
    let before = own::access_of(c, ids).await?;
    let owners = own::owners_of(c, ids).await?;
    own::revoke(c, ids, ch.remove_supporters, Some(AccessKind::Supporter)).await?;
    own::revoke(c, ids, ch.remove_viewers, Some(AccessKind::Viewer)).await?;
    // One kind per account: becoming a supporter ends being a viewer and back.
    own::revoke(c, ids, ch.add_supporters, Some(AccessKind::Viewer)).await?;
    own::revoke(c, ids, ch.add_viewers, Some(AccessKind::Supporter)).await?;
    let by = ctx.account_id();
    for (accounts, kind) in [
        (ch.add_supporters, AccessKind::Supporter),
        (ch.add_viewers, AccessKind::Viewer),
    ] {
        // Grouped by owner so nobody is added to a customer it owns.
        let mut by_owner: std::collections::HashMap<Option<i64>, Vec<i64>> = Default::default();
        for id in ids {
            by_owner
                .entry(owners.get(id).copied().flatten())
                .or_default()
                .push(*id);
        }
        for (owner, custs) in by_owner {
            let to: Vec<i64> = accounts
                .iter()
                .copied()
                .filter(|a| Some(*a) != owner)
                .collect();
            own::grant(c, &custs, &to, kind, by, ctx.now).await?;
        }
    }
    let after = own::access_of(c, ids).await?;
    let mut events = Vec::new();
    let mut entries = Vec::new();
    for id in ids {
        let list = |m: &std::collections::HashMap<i64, Vec<(i64, AccessKind)>>, k| {
            let mut v: Vec<i64> = m
                .get(id)
                .map(|v| v.iter().filter(|x| x.1 == k).map(|x| x.0).collect())
                .unwrap_or_default();
            v.sort_unstable();
            v
        };
        let (s0, s1) = (
            list(&before, AccessKind::Supporter),
            list(&after, AccessKind::Supporter),
        );
        let (v0, v1) = (
            list(&before, AccessKind::Viewer),
            list(&after, AccessKind::Viewer),
        );
        if s0 == s1 && v0 == v1 {
            continue;
        }
        events.push((
            *id,
            "members_changed",
            json!({"supporters": {"from": s0, "to": s1}, "viewers": {"from": v0, "to": v1}}),
        ));
        let mut a = Changes::new();
        a.diff("supporters", &s0, &s1);
        a.diff("viewers", &v0, &v1);
        entries.push((id.to_string(), a));
    }
    timeline_many(c, ctx, events).await?;
    audit::record_many(c, ctx, "customer", "members", entries).await?;
    Ok(())
}
