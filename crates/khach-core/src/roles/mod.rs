//! Roles: built-in ones seeded at start-up, custom ones created by admins. The Admin
//! role always holds every permission and can be neither removed nor narrowed, so an
//! installation can never lose the ability to administer itself.

mod write;

pub use write::{create, delete, update};

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::roles::Role as RoleRow;
use khach_types::api::{PageQuery, Role, RoleList};
use khach_types::{Action, Module, PermissionSet, Scope};

/// The built-in roles: key, Vietnamese name, scope, permissions.
fn builtins() -> Vec<(&'static str, &'static str, Scope, PermissionSet)> {
    use Action::*;
    use Module::*;
    vec![
        ("admin", "Quản trị", Scope::All, PermissionSet::all()),
        (
            "manager",
            "Quản lý",
            Scope::Department,
            PermissionSet::from_pairs(&[
                (
                    Customers,
                    &[View, Create, Edit, Delete, Import, Export, Assign, Merge],
                ),
                (Accounts, &[View]),
                (Departments, &[View]),
                (Roles, &[View]),
                (ApiKeys, &[View, Create, Delete]),
                (AuditLog, &[View]),
                (Module::Settings, &[View]),
            ]),
        ),
        (
            "sales",
            "Kinh doanh",
            Scope::Own,
            PermissionSet::from_pairs(&[
                (Customers, &[View, Create, Edit, Import, Export]),
                (Accounts, &[View]),
                (Departments, &[View]),
            ]),
        ),
        (
            "care",
            "Chăm sóc khách hàng",
            Scope::Own,
            PermissionSet::from_pairs(&[
                (Customers, &[View, Edit]),
                (Accounts, &[View]),
                (Departments, &[View]),
            ]),
        ),
    ]
}

/// Creates any missing built-in role. Idempotent; concurrent starts are safe because
/// the name is unique.
pub async fn ensure_builtins(core: &Core) -> CoreResult<()> {
    let now = core.now();
    for (key, name, scope, perms) in builtins() {
        if khach_db::roles::by_builtin(core.db.conn(), key)
            .await?
            .is_some()
        {
            continue;
        }
        let row = RoleRow {
            id: 0,
            name: name.into(),
            builtin: Some(key.into()),
            is_admin: key == "admin",
            permissions: perms_json(&perms)?,
            scope: scope.as_str().into(),
            mask_contacts: false,
            created_at: now,
            updated_at: now,
        };
        match khach_db::roles::insert(core.db.conn(), row).await {
            Ok(_) | Err(khach_db::DbError::Unique(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub(crate) fn perms_json(p: &PermissionSet) -> CoreResult<String> {
    serde_json::to_string(&p.normalised()).map_err(|e| CoreError::Internal(e.to_string()))
}

pub(crate) fn parse_perms(s: &str) -> CoreResult<PermissionSet> {
    serde_json::from_str(s).map_err(|e| CoreError::Internal(format!("role permissions: {e}")))
}

/// The permissions and scope a role grants (all of them for the Admin role).
pub fn grants(r: &RoleRow) -> CoreResult<(PermissionSet, Scope)> {
    if r.is_admin {
        return Ok((PermissionSet::all(), Scope::All));
    }
    let scope = Scope::parse(&r.scope)
        .ok_or_else(|| CoreError::Internal(format!("role scope {}", r.scope)))?;
    Ok((parse_perms(&r.permissions)?, scope))
}

/// Fails unless the caller may hand out everything `r` grants.
pub(crate) fn ensure_grantable(ctx: &Ctx, r: &RoleRow) -> CoreResult<()> {
    if r.is_admin && !ctx.is_admin() {
        return Err(CoreError::Forbidden);
    }
    let (perms, scope) = grants(r)?;
    if ctx.can_grant(&perms, scope) {
        Ok(())
    } else {
        Err(CoreError::Forbidden)
    }
}

pub fn to_api(r: RoleRow) -> CoreResult<Role> {
    let (permissions, scope) = grants(&r)?;
    Ok(Role {
        id: r.id,
        name: r.name,
        builtin: r.builtin,
        is_admin: r.is_admin,
        permissions,
        scope,
        mask_contacts: r.mask_contacts,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Role> {
    ctx.require(Module::Roles, Action::View)?;
    let r = khach_db::roles::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    to_api(r)
}

pub async fn list(core: &Core, ctx: &Ctx, q: &PageQuery) -> CoreResult<RoleList> {
    ctx.require(Module::Roles, Action::View)?;
    list_all(core, q).await
}

/// Roles without a permission check: for forms that offer a role to choose.
pub async fn list_all(core: &Core, q: &PageQuery) -> CoreResult<RoleList> {
    let limit = crate::paging::page_limit(q.limit)?;
    let after = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let rows = khach_db::roles::list(core.db.conn(), after, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    Ok(RoleList {
        items: rows.into_iter().map(to_api).collect::<CoreResult<_>>()?,
        next_cursor: next,
    })
}
