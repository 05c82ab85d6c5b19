//! Business-wide settings (company name, default language).

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{Settings, UpdateSettings};
use khach_types::{Action, Module};

const KEY: &str = "general";

pub async fn get(core: &Core) -> CoreResult<Settings> {
    get_in(core.db.conn()).await
}

async fn get_in(c: &impl khach_db::ConnectionTrait) -> CoreResult<Settings> {
    match khach_db::settings::get(c, KEY).await? {
        Some(v) => serde_json::from_str(&v).map_err(|e| CoreError::Internal(e.to_string())),
        None => Ok(Settings::default()),
    }
}

pub async fn read(core: &Core, ctx: &Ctx) -> CoreResult<Settings> {
    ctx.require(Module::Settings, Action::View)?;
    get(core).await
}

pub async fn update(core: &Core, ctx: &Ctx, input: UpdateSettings) -> CoreResult<Settings> {
    ctx.require(Module::Settings, Action::Edit)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Settings).await?;
    // Read inside the transaction so the audit's "old" is what was overwritten.
    let old = get_in(&tx).await?;
    let mut new = old.clone();
    if let Some(name) = input.company_name {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CoreError::fields([("company_name", "value-length-1-200")]));
        }
        new.company_name = name;
    }
    if let Some(l) = input.default_locale {
        new.default_locale = l;
    }
    let mut ch = Changes::new();
    ch.diff("company_name", &old.company_name, &new.company_name);
    ch.diff("default_locale", &old.default_locale, &new.default_locale);
    if !ch.is_empty() {
        let json = serde_json::to_string(&new).map_err(|e| CoreError::Internal(e.to_string()))?;
        khach_db::settings::put(&tx, KEY, json, ctx.now).await?;
        audit::record(&tx, ctx, "settings", None, "update", ch).await?;
    }
    khach_db::commit(tx).await?;
    Ok(new)
}
