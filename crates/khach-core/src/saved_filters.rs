//! Saved filters (personal or shared). A filter is checked when saved and again
//! when used: fields may have changed since.

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::saved_filters::SavedFilter as Row;
use khach_types::api::{
    CreateSavedFilter, FieldEntity, FieldKind, FilterGroup, SavedFilter, SavedFilterList,
    UpdateSavedFilter,
};
use khach_types::{Action, Module};

const ENTITY: &str = "customer";

fn to_api(r: Row) -> CoreResult<SavedFilter> {
    Ok(SavedFilter {
        id: r.id,
        name: r.name,
        shared: r.shared,
        owner_id: r.owner_id,
        definition: serde_json::from_value(r.definition)
            .map_err(|e| CoreError::Internal(e.to_string()))?,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The filter as the caller may read it: for a role with masking, phone numbers and
/// e-mail addresses in someone else's filter are masked.
async fn out(core: &Core, ctx: &Ctx, r: Row) -> CoreResult<SavedFilter> {
    let mine = Some(r.owner_id) == ctx.account_id();
    let mut f = to_api(r)?;
    if ctx.masked() && !mine {
        let defs = crate::fields::defs(core.db.conn(), FieldEntity::Customer).await?;
        mask_group(&mut f.definition, &defs);
    }
    Ok(f)
}

fn mask_group(g: &mut FilterGroup, defs: &[crate::fields::Def]) {
    for r in &mut g.rules {
        let contact = match r.field.strip_prefix("cf.") {
            Some(k) => defs
                .iter()
                .any(|d| d.key == k && matches!(d.kind, FieldKind::Phone | FieldKind::Email)),
            None => r.field == "phone" || r.field == "email",
        };
        if contact {
            r.value = crate::customers::mask_leaf(std::mem::take(&mut r.value));
        }
    }
    for sub in &mut g.groups {
        mask_group(sub, defs);
    }
}

fn me(ctx: &Ctx) -> CoreResult<i64> {
    ctx.account_id().ok_or(CoreError::Forbidden)
}

fn parse_name(raw: &str) -> CoreResult<String> {
    let n = raw.trim();
    if n.is_empty() || raw.chars().count() > 200 {
        return Err(CoreError::fields([("name", "value-length-1-200")]));
    }
    Ok(n.to_string())
}

async fn visible(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Row> {
    let row = khach_db::saved_filters::rows::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if row.shared || Some(row.owner_id) == ctx.account_id() {
        Ok(row)
    } else {
        Err(CoreError::NotFound)
    }
}

pub async fn list(core: &Core, ctx: &Ctx) -> CoreResult<SavedFilterList> {
    ctx.require(Module::Customers, Action::View)?;
    let rows = khach_db::saved_filters::visible_to(core.db.conn(), ENTITY, me(ctx)?).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(out(core, ctx, r).await?);
    }
    Ok(SavedFilterList { items })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<SavedFilter> {
    ctx.require(Module::Customers, Action::View)?;
    out(core, ctx, visible(core, ctx, id).await?).await
}

/// The definition of a filter the caller may use (unmasked: it runs as stored).
pub async fn definition(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<FilterGroup> {
    ctx.require(Module::Customers, Action::View)?;
    let row = visible(core, ctx, id).await.map_err(|e| match e {
        CoreError::NotFound => CoreError::fields([("filter_id", "value-unknown-ref")]),
        other => other,
    })?;
    Ok(to_api(row)?.definition)
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateSavedFilter) -> CoreResult<SavedFilter> {
    ctx.require(Module::Customers, Action::View)?;
    let owner = me(ctx)?;
    let name = parse_name(&input.name)?;
    // Sharing with everyone is a setting, not a personal choice.
    if input.shared {
        ctx.require(Module::Customers, Action::Settings)?;
    }
    crate::customers::filter_check(core, ctx, &input.definition).await?;
    let tx = core.db.begin().await?;
    let row = khach_db::saved_filters::rows::insert(
        &tx,
        Row {
            id: 0,
            owner_id: owner,
            entity: ENTITY.into(),
            name,
            shared: input.shared,
            definition: serde_json::to_value(&input.definition)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("shared", &row.shared);
    audit::record(
        &tx,
        ctx,
        "saved_filter",
        Some(row.id.to_string()),
        "create",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    out(core, ctx, row).await
}

/// Only the owner (or, for shared filters, whoever holds customers.settings) edits.
fn may_edit(ctx: &Ctx, row: &Row) -> bool {
    Some(row.owner_id) == ctx.account_id()
        || (row.shared && ctx.can(Module::Customers, Action::Settings))
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateSavedFilter,
) -> CoreResult<SavedFilter> {
    ctx.require(Module::Customers, Action::View)?;
    let old = visible(core, ctx, id).await?;
    if !may_edit(ctx, &old) {
        return Err(CoreError::Forbidden);
    }
    let mut row = old.clone();
    if let Some(n) = &input.name {
        row.name = parse_name(n)?;
    }
    if let Some(s) = input.shared {
        if s && !old.shared {
            ctx.require(Module::Customers, Action::Settings)?;
        }
        row.shared = s;
    }
    if let Some(d) = &input.definition {
        crate::customers::filter_check(core, ctx, d).await?;
        row.definition = serde_json::to_value(d).map_err(|e| CoreError::Internal(e.to_string()))?;
    }
    row.updated_at = ctx.now;
    let tx = core.db.begin().await?;
    let saved = khach_db::saved_filters::rows::update(&tx, row).await?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &saved.name);
    ch.diff("shared", &old.shared, &saved.shared);
    ch.diff("definition", &old.definition, &saved.definition);
    audit::record(&tx, ctx, "saved_filter", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    out(core, ctx, saved).await
}

pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::View)?;
    let old = visible(core, ctx, id).await?;
    if !may_edit(ctx, &old) {
        return Err(CoreError::Forbidden);
    }
    let tx = core.db.begin().await?;
    khach_db::saved_filters::rows::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "saved_filter", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
