//! Undoing an import: the customers it created are deleted, the values it overwrote
//! are put back, each only if nobody changed the customer since (its `updated_at`
//! is still the one the import left); the others are refused and counted. Works in
//! batches, each row marked as undone in the batch's transaction, so an undo that
//! is interrupted carries on where it stopped.

use super::shape::Snapshot;
use super::{load, to_api};
use crate::audit::{self, Changes};
use crate::customers::input;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, Utc};
use khach_types::api::{Import, ImportStatus, UndoResult};

fn same_instant(a: DateTime<Utc>, b: Option<DateTime<Utc>>) -> bool {
    // PostgreSQL keeps microseconds.
    b.is_some_and(|b| a.timestamp_micros() == b.timestamp_micros())
}

/// Undoes run `id` and returns what was done.
pub async fn undo(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<(Import, UndoResult)> {
    // Whoever may import may take back their own import (load checks both).
    let r = load(core, ctx, id).await?;
    let opts: khach_types::api::ImportOptions =
        serde_json::from_value(r.options.clone()).unwrap_or_default();
    if opts.dry_run {
        return Err(CoreError::InUse("import-dry-run"));
    }
    if r.locked_until.is_some_and(|t| t > core.now()) {
        return Err(CoreError::InUse("import-running"));
    }
    let mut out = UndoResult::default();
    let mut after = 0i64;
    loop {
        let tx = core.db.begin().await?;
        khach_db::lock(&tx, khach_db::Lock::Customers).await?;
        let rows = khach_db::imports::rows_to_undo(&tx, id, after, 500).await?;
        let Some(last) = rows.last() else { break };
        after = last.row_no;
        let mut touched = Vec::new();
        for row in rows {
            let Some(cid) = row.customer_id else { continue };
            let cur = khach_db::customers::get(&tx, cid).await?;
            let how = match (row.outcome.as_str(), cur) {
                ("created", None) => "deleted",
                ("created", Some(c))
                    if c.deleted_at.is_none() && same_instant(c.updated_at, row.stamp) =>
                {
                    khach_db::customers::purge(&tx, cid).await?;
                    "deleted"
                }
                ("updated", Some(c))
                    if c.deleted_at.is_none() && same_instant(c.updated_at, row.stamp) =>
                {
                    let snap: Option<Snapshot> =
                        row.before.and_then(|b| serde_json::from_value(b).ok());
                    match snap {
                        Some(s) => {
                            restore(&tx, c, s, ctx.now).await?;
                            touched.push(cid);
                            "restored"
                        }
                        None => "refused",
                    }
                }
                _ => "refused",
            };
            match how {
                "deleted" => out.deleted += 1,
                "restored" => out.restored += 1,
                _ => out.refused += 1,
            }
            khach_db::imports::mark_undone(&tx, id, row.row_no, how).await?;
        }
        crate::sharing::on_customers_changed(&tx, &touched, ctx.now).await?;
        khach_db::commit(tx).await?;
    }
    let tx = core.db.begin().await?;
    let mut r = khach_db::imports::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    r.status = ImportStatus::Undone.as_str().into();
    r.error = (out.refused > 0).then(|| format!("import-undo-refused: {}", out.refused));
    r.updated_at = core.now();
    let r = khach_db::imports::save(&tx, r).await?;
    let mut ch = Changes::new();
    ch.set("deleted", &out.deleted);
    ch.set("restored", &out.restored);
    ch.set("refused", &out.refused);
    audit::record(&tx, ctx, "import", Some(id.to_string()), "undo", ch).await?;
    khach_db::commit(tx).await?;
    Ok((to_api(r)?, out))
}

async fn restore(
    c: &khach_db::DatabaseTransaction,
    mut row: khach_db::customers::Customer,
    s: Snapshot,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let id = row.id;
    row.code = s.code;
    row.name = s.name;
    row.gender = s.gender;
    row.birthday = s.birthday;
    row.province_code = s.province_code;
    row.ward_code = s.ward_code;
    row.street = s.street;
    row.notes = s.notes;
    row.stage_id = s.stage_id;
    row.source_id = s.source_id;
    row.owner_id = s.owner_id;
    row.custom = s.custom;
    if let Some(p) = &s.phones {
        khach_db::customers::set_phones(c, id, p).await?;
    }
    if let Some(e) = &s.emails {
        khach_db::customers::set_emails(c, id, e).await?;
    }
    if let Some(t) = &s.tags {
        let cur = khach_db::customers::tags_of(c, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let extra: Vec<i64> = cur.into_iter().filter(|x| !t.contains(x)).collect();
        khach_db::customers::remove_tags(c, &[id], &extra).await?;
    }
    let phones: Vec<(String, String)> = khach_db::customers::phones_of(c, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, t)| (e.clone(), t.unwrap_or(e)))
        .collect();
    let emails = khach_db::customers::emails_of(c, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let (a, b, d) = input::search_texts(&row.name, &row.code, &phones, &emails);
    row.name_lc = a;
    row.search_name = b;
    row.search_contact = d;
    row.phone = phones.first().map(|p| p.0.clone());
    row.email = emails.first().cloned();
    row.updated_at = now;
    khach_db::customers::update(c, row).await?;
    Ok(())
}
