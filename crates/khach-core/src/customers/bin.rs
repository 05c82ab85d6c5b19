//! The recycle bin: deleting moves a customer there with everything attached;
//! restoring brings it back unless its code, a phone or an e-mail now belongs to
//! another live customer; admins purge, and what outlived the retention is purged.

use super::write::check_unique;
use super::{hydrate, load, load_for_edit, timeline};
use crate::audit::{self, Changes};
use crate::fields;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_types::api::{Customer, FieldEntity};
use khach_types::{Action, Module};
use serde_json::json;

/// Moves a customer to the recycle bin: everything attached stays.
pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Delete)?;
    let tx = core.db.begin().await?;
    delete_in(&tx, ctx, id).await?;
    khach_db::commit(tx).await.map_err(Into::into)
}

pub(crate) async fn delete_in(c: &impl ConnectionTrait, ctx: &Ctx, id: i64) -> CoreResult<()> {
    let mut row = load_for_edit(c, ctx, id, false).await?;
    row.deleted_at = Some(ctx.now);
    row.deleted_by = ctx.account_id();
    row.updated_at = ctx.now;
    khach_db::customers::update(c, row).await?;
    let mut ch = Changes::new();
    ch.set("deleted_at", &ctx.now);
    audit::record(c, ctx, "customer", Some(id.to_string()), "delete", ch).await?;
    timeline(c, ctx, id, "deleted", json!({})).await
}

/// Brings a customer back from the bin; refused with a conflict when its code, a
/// phone or an e-mail now belongs to another live customer.
pub async fn restore(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Delete)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    let mut row = load_for_edit(&tx, ctx, id, true).await?;
    let phones: Vec<(String, String)> = khach_db::customers::phones_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, _)| (e.clone(), e))
        .collect();
    let emails = khach_db::customers::emails_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let settings = super::settings::customer_settings(&tx).await?;
    let defs = fields::defs(&tx, FieldEntity::Customer).await?;
    check_unique(&tx, &settings, &defs, &row, &phones, &emails).await?;
    row.deleted_at = None;
    row.deleted_by = None;
    row.updated_at = ctx.now;
    let saved = khach_db::customers::update(&tx, row).await?;
    audit::record(
        &tx,
        ctx,
        "customer",
        Some(id.to_string()),
        "restore",
        Changes::new(),
    )
    .await?;
    timeline(&tx, ctx, id, "restored", json!({})).await?;
    crate::sharing::on_customers_changed(&tx, &[id], ctx.now).await?;
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

/// Permanently removes a customer from the bin (administrators only).
pub async fn purge(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    if !ctx.is_admin() {
        return Err(CoreError::Forbidden);
    }
    let tx = core.db.begin().await?;
    let row = load(&tx, ctx, id, true).await?;
    khach_db::customers::purge(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("code", &Some(row.code), &None);
    audit::record(&tx, ctx, "customer", Some(id.to_string()), "purge", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// Purges customers kept in the bin longer than the configured days. Returns how many.
pub async fn purge_expired(core: &Core, ctx: &Ctx) -> CoreResult<u64> {
    let settings = super::settings::customer_settings(core.db.conn()).await?;
    let before = ctx.now - chrono::Duration::days(i64::from(settings.bin_retention_days));
    let mut n = 0;
    loop {
        let ids = khach_db::customers::expired_in_bin(core.db.conn(), before, 500).await?;
        if ids.is_empty() {
            return Ok(n);
        }
        let tx = core.db.begin().await?;
        for id in &ids {
            khach_db::customers::purge(&tx, *id).await?;
            let mut ch = Changes::new();
            ch.set("retention_days", &settings.bin_retention_days);
            audit::record(&tx, ctx, "customer", Some(id.to_string()), "purge", ch).await?;
        }
        khach_db::commit(tx).await?;
        n += ids.len() as u64;
    }
}
