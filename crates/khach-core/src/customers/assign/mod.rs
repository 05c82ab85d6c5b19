//! Ownership of customers: the main owner, supporters (view and edit) and viewers
//! (view only); assignment of ticked customers (one owner, sequential, even split,
//! advanced split with a preview), bulk supporters and viewers, owner transfer, and
//! the automatic assignment rotation. Every change of owner lands on the customer's
//! timeline and in the audit log; changing owner removes the old owner's access
//! unless it is kept as a viewer.

mod auto;
mod members;
pub mod split;

pub use auto::next_auto_owner;
pub use members::members;

use super::timeline_many;
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::ownership::{self as own, AccessKind};
use khach_types::api::{
    AccountRef, AssignMode, AssignPlanItem, AssignRequest, AssignResult, SplitBy,
};
use khach_types::{Action, Module};
use serde_json::json;
use std::collections::HashMap;

/// Most customers one assignment may tick.
pub const MAX_TICKED: usize = 10_000;
/// Most accounts one assignment may split over.
const MAX_OWNERS: usize = 100;

/// Names of accounts, by id.
pub(crate) async fn account_refs(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> CoreResult<HashMap<i64, AccountRef>> {
    let mut out = HashMap::new();
    for &id in ids {
        if out.contains_key(&id) {
            continue;
        }
        if let Some(a) = khach_db::accounts::get(c, id).await? {
            out.insert(
                id,
                AccountRef {
                    id,
                    username: a.username,
                    full_name: a.full_name,
                },
            );
        }
    }
    Ok(out)
}

/// Active accounts one may name as owner, supporter or viewer (for the pickers).
pub async fn assignable(core: &Core, ctx: &Ctx) -> CoreResult<Vec<AccountRef>> {
    ctx.require(Module::Customers, Action::View)?;
    Ok(own::active_accounts(core.db.conn())
        .await?
        .into_iter()
        .map(|(id, username, full_name)| AccountRef {
            id,
            username,
            full_name,
        })
        .collect())
}

/// Accounts that receive automatically assigned customers, in the order of the turn,
/// and the one whose turn is next.
pub async fn receivers(core: &Core, ctx: &Ctx) -> CoreResult<(Vec<AccountRef>, Option<i64>)> {
    ctx.require(Module::Customers, Action::View)?;
    let c = core.db.conn();
    let ids = own::auto_assignees(c).await?;
    let refs = account_refs(c, &ids).await?;
    let next = auto::peek(c, &ids).await?;
    Ok((
        ids.iter().filter_map(|i| refs.get(i).cloned()).collect(),
        next,
    ))
}

/// Checks that every id names an active account, once. Reports under `field`.
pub(crate) async fn check_accounts(
    c: &impl ConnectionTrait,
    errs: &mut FieldErrors,
    field: &str,
    ids: &[i64],
) -> CoreResult<()> {
    if ids.len() > MAX_OWNERS {
        errs.add(field, "value-too-many");
        return Ok(());
    }
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if seen.contains(id) {
            errs.add(field, "assign-duplicate-account");
            return Ok(());
        }
        seen.push(*id);
        match khach_db::accounts::get(c, *id).await? {
            Some(a) if a.active => {}
            _ => {
                errs.add(field, "assign-unknown-account");
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Gives customers (with their current owners) to `new`. The old owner loses its
/// access unless `keep_old` keeps it as a viewer; the new owner's supporter or viewer
/// entries go (it owns the customer now). Timeline and audit for each customer.
pub(crate) async fn change_owner(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    customers: &[(i64, Option<i64>)],
    new: Option<i64>,
    keep_old: bool,
) -> CoreResult<u64> {
    let moving: Vec<(i64, Option<i64>)> = customers
        .iter()
        .copied()
        .filter(|(_, old)| *old != new)
        .collect();
    if moving.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = moving.iter().map(|m| m.0).collect();
    own::set_owner(c, &ids, new, ctx.now).await?;
    if let Some(n) = new {
        own::revoke(c, &ids, &[n], None).await?;
    }
    let mut by_old: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, old) in &moving {
        if let Some(o) = old {
            by_old.entry(*o).or_default().push(*id);
        }
    }
    for (old, ids) in &by_old {
        own::revoke(c, ids, &[*old], None).await?;
        if keep_old {
            own::grant(
                c,
                ids,
                &[*old],
                AccessKind::Viewer,
                ctx.account_id(),
                ctx.now,
            )
            .await?;
        }
    }
    let mut events = Vec::with_capacity(moving.len());
    let mut entries = Vec::with_capacity(moving.len());
    for (id, old) in &moving {
        let kept = keep_old && old.is_some();
        events.push((
            *id,
            "owner_changed",
            json!({"from": old, "to": new, "old_owner_kept_as_viewer": kept}),
        ));
        let mut ch = Changes::new();
        ch.diff("owner_id", old, &new);
        if kept {
            ch.set("viewer_added", old);
        }
        entries.push((id.to_string(), ch));
    }
    timeline_many(c, ctx, events).await?;
    audit::record_many(c, ctx, "customer", "assign", entries).await?;
    Ok(moving.len() as u64)
}

/// The ownership part of a create or an update.
pub(crate) struct OwnershipInput<'a> {
    /// `Some(None)`: no owner.
    pub owner: Option<Option<i64>>,
    pub supporters: Option<&'a [i64]>,
    pub viewers: Option<&'a [i64]>,
    pub keep_old: bool,
}

impl OwnershipInput<'_> {
    pub fn is_empty(&self) -> bool {
        self.owner.is_none() && self.supporters.is_none() && self.viewers.is_none()
    }
}

/// Checks an ownership input: the assign permission (naming oneself owner of a new
/// customer needs none) and that every account named is active.
pub(crate) async fn check_input(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    errs: &mut FieldErrors,
    inp: &OwnershipInput<'_>,
    creating: bool,
) -> CoreResult<()> {
    let self_owner = creating
        && inp
            .owner
            .is_some_and(|o| o.is_some() && o == ctx.account_id());
    let needs_assign = (inp.owner.is_some() && !self_owner)
        || inp.supporters.is_some_and(|s| !s.is_empty() || !creating)
        || inp.viewers.is_some_and(|v| !v.is_empty() || !creating);
    if needs_assign {
        ctx.require(Module::Customers, Action::Assign)?;
    }
    if let Some(Some(o)) = inp.owner {
        check_accounts(c, errs, "owner_id", &[o]).await?;
    }
    if let Some(s) = inp.supporters {
        check_accounts(c, errs, "supporters", s).await?;
    }
    if let Some(v) = inp.viewers {
        check_accounts(c, errs, "viewers", v).await?;
        if inp
            .supporters
            .is_some_and(|s| s.iter().any(|a| v.contains(a)))
        {
            errs.add("viewers", "assign-both-kinds");
        }
    }
    Ok(())
}

/// Applies a checked ownership input to one customer. Returns whether anything
/// changed.
pub(crate) async fn apply_input(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    old_owner: Option<i64>,
    inp: &OwnershipInput<'_>,
) -> CoreResult<bool> {
    let mut changed = false;
    if let Some(new) = inp.owner {
        changed |= change_owner(c, ctx, &[(id, old_owner)], new, inp.keep_old).await? > 0;
    }
    if inp.supporters.is_none() && inp.viewers.is_none() {
        return Ok(changed);
    }
    let now = own::access_of(c, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let current =
        |k: AccessKind| -> Vec<i64> { now.iter().filter(|m| m.1 == k).map(|m| m.0).collect() };
    let diff = |want: Option<&[i64]>, k: AccessKind| -> (Vec<i64>, Vec<i64>) {
        let Some(want) = want else {
            return (Vec::new(), Vec::new());
        };
        let have = current(k);
        (
            want.iter().copied().filter(|a| !have.contains(a)).collect(),
            have.into_iter().filter(|a| !want.contains(a)).collect(),
        )
    };
    let (add_s, rm_s) = diff(inp.supporters, AccessKind::Supporter);
    let (add_v, rm_v) = diff(inp.viewers, AccessKind::Viewer);
    if add_s.is_empty() && rm_s.is_empty() && add_v.is_empty() && rm_v.is_empty() {
        return Ok(changed);
    }
    members::apply(
        c,
        ctx,
        &[id],
        members::Change {
            add_supporters: &add_s,
            remove_supporters: &rm_s,
            add_viewers: &add_v,
            remove_viewers: &rm_v,
        },
    )
    .await?;
    Ok(true)
}

/// The owner index of each ticked customer (in list order) and the counts per owner.
fn plan(req: &AssignRequest, n: usize, errs: &mut FieldErrors) -> (Vec<Option<usize>>, Vec<i64>) {
    match req.mode {
        AssignMode::Single => {
            if req.owners.len() != 1 {
                errs.add("owners", "assign-one-owner");
            }
            (vec![Some(0); n], req.owners.clone())
        }
        AssignMode::Sequential | AssignMode::Even => {
            if req.owners.is_empty() {
                errs.add("owners", "value-required");
            }
            let k = req.owners.len();
            let p = if req.mode == AssignMode::Sequential {
                split::sequential(n, k)
            } else {
                split::runs(n, &split::even_counts(n, k))
            };
            (p, req.owners.clone())
        }
        AssignMode::Advanced => {
            let owners: Vec<i64> = req.shares.iter().map(|s| s.account_id).collect();
            let values: Vec<u32> = req.shares.iter().map(|s| s.value).collect();
            if owners.is_empty() {
                errs.add("shares", "value-required");
                return (vec![None; n], owners);
            }
            let counts = match req.split_by {
                SplitBy::Count => {
                    let total: u64 = values.iter().map(|v| u64::from(*v)).sum();
                    if values.contains(&0) {
                        errs.add("shares", "assign-share-zero");
                    } else if total > n as u64 {
                        errs.add("shares", "assign-counts-exceed");
                    }
                    values.iter().map(|v| *v as usize).collect()
                }
                SplitBy::Percent => {
                    let total: u64 = values.iter().map(|v| u64::from(*v)).sum();
                    if values.contains(&0) {
                        errs.add("shares", "assign-share-zero");
                    } else if total != 100 {
                        errs.add("shares", "assign-percent-sum");
                    }
                    split::percent_counts(n, &values)
                }
            };
            (split::runs(n, &counts), owners)
        }
    }
}

/// Assigns ticked customers: one owner for all, in turn, evenly, or by counts or
/// percentages; with `preview`, only says who would get how many.
pub async fn assign(core: &Core, ctx: &Ctx, req: AssignRequest) -> CoreResult<AssignResult> {
    ctx.require(Module::Customers, Action::Assign)?;
    if req.ids.is_empty() || req.ids.len() > MAX_TICKED {
        return Err(CoreError::fields([("ids", "value-bulk-size")]));
    }
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    // The ticked customers the caller may change, in list order, once each.
    let (ticked, skipped) = super::editable_ids(&tx, ctx, &req.ids).await?;
    let mut errs = FieldErrors::default();
    let (plan, owners) = plan(&req, ticked.len(), &mut errs);
    let field = if req.mode == AssignMode::Advanced {
        "shares"
    } else {
        "owners"
    };
    check_accounts(&tx, &mut errs, field, &owners).await?;
    errs.finish()?;
    let refs = account_refs(&tx, &owners).await?;
    let mut counts = vec![0u64; owners.len()];
    for o in plan.iter().flatten() {
        if let Some(c) = counts.get_mut(*o) {
            *c += 1;
        }
    }
    let left_as_is = plan.iter().filter(|p| p.is_none()).count() as u64;
    let out_plan: Vec<AssignPlanItem> = owners
        .iter()
        .zip(&counts)
        .filter_map(|(id, n)| {
            refs.get(id).map(|r| AssignPlanItem {
                owner: r.clone(),
                count: *n,
            })
        })
        .collect();
    if req.preview {
        return Ok(AssignResult {
            preview: true,
            plan: out_plan,
            left_as_is,
            changed: 0,
            skipped,
        });
    }
    let current = own::owners_of(&tx, &ticked).await?;
    let mut changed = 0;
    for (i, owner) in owners.iter().enumerate() {
        let group: Vec<(i64, Option<i64>)> = ticked
            .iter()
            .zip(&plan)
            .filter(|(_, p)| **p == Some(i))
            .map(|(id, _)| (*id, current.get(id).copied().flatten()))
            .collect();
        changed +=
            change_owner(&tx, ctx, &group, Some(*owner), req.keep_old_owner_as_viewer).await?;
    }
    let affected: Vec<i64> = ticked
        .iter()
        .zip(&plan)
        .filter(|(_, p)| p.is_some())
        .map(|(id, _)| *id)
        .collect();
    crate::sharing::on_customers_changed(&tx, &affected, ctx.now).await?;
    khach_db::commit(tx).await?;
    Ok(AssignResult {
        preview: false,
        plan: out_plan,
        left_as_is,
        changed,
        skipped,
    })
}
