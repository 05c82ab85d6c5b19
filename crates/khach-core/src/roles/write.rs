//! Create, update and delete roles.

use super::{perms_json, to_api};
use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::roles::Role as RoleRow;
use khach_types::api::{CreateRole, Role, UpdateRole};
use khach_types::{Action, Module};

fn parse_name(raw: &str) -> CoreResult<String> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(CoreError::fields([("name", "value-length-1-100")]));
    }
    Ok(n.to_string())
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateRole) -> CoreResult<Role> {
    ctx.require(Module::Roles, Action::Create)?;
    let name = parse_name(&input.name)?;
    let perms = input.permissions.normalised();
    // A role can never grant more than its creator holds.
    if !ctx.can_grant(&perms, input.scope) {
        return Err(CoreError::Forbidden);
    }
    let tx = core.db.begin().await?;
    let row = khach_db::roles::insert(
        &tx,
        RoleRow {
            id: 0,
            name: name.clone(),
            builtin: None,
            is_admin: false,
            permissions: perms_json(&perms)?,
            scope: input.scope.as_str().into(),
            mask_contacts: input.mask_contacts,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &name);
    ch.set("permissions", &perms);
    ch.set("scope", &input.scope);
    ch.set("mask_contacts", &input.mask_contacts);
    audit::record(&tx, ctx, "role", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    to_api(row)
}

pub async fn update(core: &Core, ctx: &Ctx, id: i64, input: UpdateRole) -> CoreResult<Role> {
    ctx.require(Module::Roles, Action::Edit)?;
    let tx = core.db.begin().await?;
    let old = khach_db::roles::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    // Nobody but an admin edits their own role or one stronger than theirs.
    if !ctx.is_admin() && ctx.role_id() == Some(id) {
        return Err(CoreError::Forbidden);
    }
    super::ensure_grantable(ctx, &old)?;
    let old_api = to_api(old.clone())?;
    let mut row = old.clone();
    if let Some(n) = &input.name {
        row.name = parse_name(n)?;
    }
    if old.is_admin && (input.permissions.is_some() || input.scope.is_some()) {
        // The Admin role is always all-powerful; narrowing it could lock everyone out.
        return Err(CoreError::fields([("permissions", "role-admin-fixed")]));
    }
    if let Some(p) = &input.permissions {
        row.permissions = perms_json(p)?;
    }
    if let Some(s) = input.scope {
        row.scope = s.as_str().into();
    }
    if let Some(m) = input.mask_contacts {
        // Admins always see everything they hold.
        row.mask_contacts = m && !old.is_admin;
    }
    row.updated_at = ctx.now;
    super::ensure_grantable(ctx, &row)?;
    let new_api = to_api(row.clone())?;
    let mut ch = Changes::new();
    ch.diff("name", &old_api.name, &new_api.name);
    ch.diff("permissions", &old_api.permissions, &new_api.permissions);
    ch.diff("scope", &old_api.scope, &new_api.scope);
    ch.diff(
        "mask_contacts",
        &old_api.mask_contacts,
        &new_api.mask_contacts,
    );
    if ch.is_empty() {
        return Ok(old_api);
    }
    let saved = khach_db::roles::update(&tx, row).await?;
    audit::record(&tx, ctx, "role", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    to_api(saved)
}

pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Roles, Action::Delete)?;
    let tx = core.db.begin().await?;
    let old = khach_db::roles::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if old.is_admin {
        return Err(CoreError::InUse("role-admin-undeletable"));
    }
    super::ensure_grantable(ctx, &old)?;
    if khach_db::accounts::count_with_role(&tx, id).await? > 0 {
        return Err(CoreError::InUse("role-has-accounts"));
    }
    khach_db::roles::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "role", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
