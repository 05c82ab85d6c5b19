//! Per-account display settings: the customer list's columns and the detail page's
//! tabs (gear icon).

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{DetailTabs, ListColumns};
use khach_types::{Action, Module};

/// Built-in list columns; custom fields add `cf.<key>`.
pub const COLUMNS: [&str; 18] = [
    "code",
    "name",
    "phone",
    "email",
    "gender",
    "birthday",
    "province",
    "company",
    "source",
    "stage",
    "tags",
    "owner",
    "supporters",
    "created_at",
    "updated_at",
    "interaction_count",
    "score",
    "last_contact",
];
pub const DEFAULT_COLUMNS: [&str; 8] = [
    "code",
    "name",
    "phone",
    "email",
    "stage",
    "tags",
    "owner",
    "created_at",
];
/// Tabs of the detail page whose module exists today.
pub const TABS: [&str; 6] = [
    "profile",
    "contacts",
    "company",
    "history",
    "duplicates",
    "audit",
];

/// The caller's account; the settings belong to the customer list, so they need
/// customers.view (an API key narrowed to other modules may not touch them).
fn me(ctx: &Ctx) -> CoreResult<i64> {
    ctx.require(Module::Customers, Action::View)?;
    ctx.account_id().ok_or(CoreError::Forbidden)
}

pub async fn columns(core: &Core, ctx: &Ctx) -> CoreResult<ListColumns> {
    let saved = khach_db::prefs::get(core.db.conn(), me(ctx)?, "customer_columns").await?;
    if let Some(cols) = saved.and_then(|v| serde_json::from_value::<ListColumns>(v).ok()) {
        return Ok(cols);
    }
    // Until the person chooses: the usual columns and the fields marked "show in list".
    let defs = crate::fields::defs(core.db.conn(), khach_types::api::FieldEntity::Customer).await?;
    let mut columns: Vec<String> = DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect();
    columns.extend(
        defs.iter()
            .filter(|d| d.show_in_list)
            .map(|d| format!("cf.{}", d.key)),
    );
    Ok(ListColumns { columns })
}

pub async fn set_columns(core: &Core, ctx: &Ctx, input: ListColumns) -> CoreResult<ListColumns> {
    let id = me(ctx)?;
    let defs = crate::fields::defs(core.db.conn(), khach_types::api::FieldEntity::Customer).await?;
    let mut cols: Vec<String> = Vec::new();
    for c in &input.columns {
        let ok = COLUMNS.contains(&c.as_str())
            || c.strip_prefix("cf.")
                .is_some_and(|k| defs.iter().any(|d| d.key == k));
        if !ok {
            return Err(CoreError::fields([("columns", "value-unknown-column")]));
        }
        if !cols.contains(c) {
            cols.push(c.clone());
        }
    }
    if cols.is_empty() || cols.len() > 40 {
        return Err(CoreError::fields([("columns", "value-columns-count")]));
    }
    let out = ListColumns { columns: cols };
    let v = serde_json::to_value(&out).map_err(|e| CoreError::Internal(e.to_string()))?;
    khach_db::prefs::put(core.db.conn(), id, "customer_columns", v, ctx.now).await?;
    Ok(out)
}

pub async fn tabs(core: &Core, ctx: &Ctx) -> CoreResult<DetailTabs> {
    let saved = khach_db::prefs::get(core.db.conn(), me(ctx)?, "customer_tabs").await?;
    let tabs: Option<DetailTabs> = saved.and_then(|v| serde_json::from_value(v).ok());
    Ok(tabs.unwrap_or_else(|| DetailTabs {
        tabs: TABS.iter().map(|s| s.to_string()).collect(),
    }))
}

pub async fn set_tabs(core: &Core, ctx: &Ctx, input: DetailTabs) -> CoreResult<DetailTabs> {
    let id = me(ctx)?;
    let mut tabs: Vec<String> = Vec::new();
    for t in &input.tabs {
        if !TABS.contains(&t.as_str()) {
            return Err(CoreError::fields([("tabs", "value-unknown-tab")]));
        }
        if !tabs.contains(t) {
            tabs.push(t.clone());
        }
    }
    if tabs.is_empty() {
        return Err(CoreError::fields([("tabs", "value-required")]));
    }
    let out = DetailTabs { tabs };
    let v = serde_json::to_value(&out).map_err(|e| CoreError::Internal(e.to_string()))?;
    khach_db::prefs::put(core.db.conn(), id, "customer_tabs", v, ctx.now).await?;
    Ok(out)
}
