//! Merging customers N → 1 (Hợp nhất khách hàng) and undoing a merge.
//!
//! A merge picks a survivor and, per field, the record whose value it keeps
//! ([`plan`]); phones, e-mails, tags, supporters and viewers are united (the merged
//! records' owners become supporters). In one transaction every event, sub-contact,
//! import row and notification moves to the survivor (each move remembered), the
//! counters are recomputed from the events, the merged records become tombstones
//! (out of every list, their ids and codes resolving to the survivor), the
//! survivor's timeline gets `customer.merged` (sent as the `customer.merged`
//! webhook) and the audit log an entry. `dry_run` shows the same without writing.
//!
//! Merging needs the customer merge permission and edit rights on every record.
//! An undo ([`undo`]) within the recycle bin's retention brings the merged records
//! back with their own fields and what the merge moved; what happened after the
//! merge stays on the survivor.

mod apply;
pub mod plan;
mod undo;

pub use apply::merge;
pub use undo::undo;

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_types::api::MergeRecord;
use khach_types::{Action, Module};

/// The live customer a tombstone's merges lead to (itself when it is not one).
pub async fn survivor_of(c: &impl ConnectionTrait, id: i64) -> CoreResult<i64> {
    let mut at = id;
    // A chain is as long as the merges of merges; ten is far beyond real use.
    for _ in 0..10 {
        match khach_db::merges::survivors(c, &[at]).await?.get(&at) {
            Some(next) => at = *next,
            None => return Ok(at),
        }
    }
    Ok(at)
}

/// Needs the merge permission and edit rights on every one of `ids` (data scope):
/// one the caller cannot see is "not found", one it only views is read-only.
pub(crate) async fn check_editable(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ids: &[i64],
) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Merge)?;
    ctx.require(Module::Customers, Action::Edit)?;
    let (_, skipped) = crate::customers::editable_ids(c, ctx, ids).await?;
    if skipped.iter().any(|s| s.reason == "not_found") {
        return Err(CoreError::NotFound);
    }
    if !skipped.is_empty() {
        return Err(CoreError::ReadOnly);
    }
    Ok(())
}

/// Days a merge can be undone: the recycle bin's retention.
async fn undo_days(c: &impl ConnectionTrait) -> CoreResult<i64> {
    Ok(i64::from(
        crate::customers::customer_settings(c)
            .await?
            .bin_retention_days,
    ))
}

/// The merges into a customer that have not been undone, newest first.
pub async fn of_survivor(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Vec<MergeRecord>> {
    ctx.require(Module::Customers, Action::View)?;
    crate::customers::visible(core, ctx, id).await?;
    let c = core.db.conn();
    let days = undo_days(c).await?;
    let merges = khach_db::merges::of_survivor(c, id).await?;
    let ids: Vec<i64> = merges.iter().flat_map(|m| m.merged_ids.clone()).collect();
    let sides = crate::duplicates::sides(c, ctx, &ids).await?;
    Ok(merges
        .into_iter()
        .map(|m| MergeRecord {
            id: m.id,
            survivor_id: m.survivor_id,
            merged: m
                .merged_ids
                .iter()
                .filter_map(|i| sides.get(i).cloned())
                .collect(),
            created_at: m.created_at,
            created_by: m.created_by,
            undo_until: m.created_at + chrono::Duration::days(days),
            undone_at: m.undone_at,
        })
        .collect())
}
