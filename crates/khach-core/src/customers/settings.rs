//! Customer settings: source attribution rule, bin retention, shared contacts,
//! automatic assignment.

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_types::api::{CustomerSettings, UpdateCustomerSettings};
use khach_types::{Action, Module};

const KEY: &str = "customers";

pub async fn customer_settings(c: &impl ConnectionTrait) -> CoreResult<CustomerSettings> {
    match khach_db::settings::get(c, KEY).await? {
        Some(v) => serde_json::from_str(&v).map_err(|e| CoreError::Internal(e.to_string())),
        None => Ok(CustomerSettings::default()),
    }
}

pub async fn read_settings(core: &Core, ctx: &Ctx) -> CoreResult<CustomerSettings> {
    ctx.require(Module::Customers, Action::View)?;
    customer_settings(core.db.conn()).await
}

pub async fn update_settings(
    core: &Core,
    ctx: &Ctx,
    input: UpdateCustomerSettings,
) -> CoreResult<CustomerSettings> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Settings).await?;
    let old = customer_settings(&tx).await?;
    let mut new = old.clone();
    if let Some(r) = input.source_rule {
        new.source_rule = r;
    }
    if let Some(d) = input.bin_retention_days {
        if !(1..=3650).contains(&d) {
            return Err(CoreError::fields([(
                "bin_retention_days",
                "value-retention-days",
            )]));
        }
        new.bin_retention_days = d;
    }
    if let Some(a) = input.allow_duplicate_contacts {
        new.allow_duplicate_contacts = a;
    }
    if let Some(a) = input.auto_assign {
        new.auto_assign = a;
    }
    let mut ch = Changes::new();
    ch.diff("auto_assign", &old.auto_assign, &new.auto_assign);
    ch.diff("source_rule", &old.source_rule, &new.source_rule);
    ch.diff(
        "bin_retention_days",
        &old.bin_retention_days,
        &new.bin_retention_days,
    );
    ch.diff(
        "allow_duplicate_contacts",
        &old.allow_duplicate_contacts,
        &new.allow_duplicate_contacts,
    );
    if !ch.is_empty() {
        let json = serde_json::to_string(&new).map_err(|e| CoreError::Internal(e.to_string()))?;
        khach_db::settings::put(&tx, KEY, json, ctx.now).await?;
        audit::record(&tx, ctx, "customer_settings", None, "update", ch).await?;
    }
    khach_db::commit(tx).await?;
    Ok(new)
}
