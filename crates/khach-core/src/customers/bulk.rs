//! Bulk actions on ticked customers: tag, untag, set stage, do-not-contact, delete.
//! Each customer is checked like a single edit; the ones the caller may not touch
//! are reported as skipped, the rest commit together.

use super::{bin, contact, load_for_edit, timeline};
use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{BulkAction, BulkRequest, BulkResult, DoNotContactInput};
use khach_types::{Action, Module};
use serde_json::json;

pub async fn bulk(core: &Core, ctx: &Ctx, req: BulkRequest) -> CoreResult<BulkResult> {
    let action = match &req.action {
        BulkAction::Delete => Action::Delete,
        _ => Action::Edit,
    };
    ctx.require(Module::Customers, action)?;
    if req.ids.is_empty() || req.ids.len() > 1000 {
        return Err(CoreError::fields([("ids", "value-bulk-size")]));
    }
    let tx = core.db.begin().await?;
    let (ids, skipped) = super::editable_ids(&tx, ctx, &req.ids).await?;
    if ids.is_empty() {
        // Nothing the caller may change: nothing is written, not even new tags.
        return Ok(BulkResult { done: 0, skipped });
    }
    match &req.action {
        BulkAction::Tag { tags } => {
            let tag_ids = crate::taxonomy::ensure_tags(&tx, ctx, tags).await?;
            khach_db::customers::add_tags(&tx, &ids, &tag_ids).await?;
            for id in &ids {
                timeline(&tx, ctx, *id, "tags_changed", json!({"added": tag_ids})).await?;
            }
        }
        BulkAction::Untag { tag_ids } => {
            khach_db::customers::remove_tags(&tx, &ids, tag_ids).await?;
            for id in &ids {
                timeline(&tx, ctx, *id, "tags_changed", json!({"removed": tag_ids})).await?;
            }
        }
        BulkAction::SetStage { stage_id } => {
            if khach_db::taxonomy::stages::get(&tx, *stage_id)
                .await?
                .is_none()
            {
                return Err(CoreError::fields([("stage_id", "value-unknown-ref")]));
            }
            for id in &ids {
                let old = load_for_edit(&tx, ctx, *id, false).await?;
                if old.stage_id == Some(*stage_id) {
                    continue;
                }
                let mut row = old.clone();
                row.stage_id = Some(*stage_id);
                row.updated_at = ctx.now;
                khach_db::customers::update(&tx, row).await?;
                timeline(
                    &tx,
                    ctx,
                    *id,
                    "stage_changed",
                    json!({"from": old.stage_id, "to": stage_id}),
                )
                .await?;
            }
        }
        BulkAction::DoNotContact { reason } => {
            for id in &ids {
                contact::dnc_in(
                    &tx,
                    ctx,
                    *id,
                    Some(DoNotContactInput {
                        reason: reason.clone(),
                    }),
                )
                .await?;
            }
        }
        BulkAction::Delete => {
            for id in &ids {
                bin::delete_in(&tx, ctx, *id).await?;
            }
        }
    }
    crate::sharing::on_customers_changed(&tx, &ids, ctx.now).await?;
    let mut ch = Changes::new();
    ch.set("ids", &ids);
    ch.set("action", &req.action);
    audit::record(&tx, ctx, "customer", None, "bulk", ch).await?;
    khach_db::commit(tx).await?;
    Ok(BulkResult {
        done: ids.len() as u64,
        skipped,
    })
}
