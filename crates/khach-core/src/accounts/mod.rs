//! Staff accounts: create, read, list, update (including deactivation), passwords,
//! and a person's own profile. Guards: only an admin hands out or edits the Admin
//! role, and the last active admin can never be deactivated or demoted.

mod create;
mod profile;
mod update;

pub(crate) use create::insert_in;
pub use create::{NewAccount, create, create_unchecked};
pub use profile::{change_password, update_profile};
pub use update::{reset_password, update};

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::accounts::Account as Row;
use khach_types::api::{Account, AccountList, PageQuery};
use khach_types::{Action, Locale, Module};

pub fn to_api(r: Row) -> Account {
    Account {
        id: r.id,
        username: r.username,
        full_name: r.full_name,
        email: r.email,
        phone: r.phone,
        department_id: r.department_id,
        role_id: r.role_id,
        active: r.active,
        auto_assign: r.auto_assign,
        locale: Locale::parse(&r.locale).unwrap_or_default(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Account> {
    if ctx.account_id() != Some(id) {
        ctx.require(Module::Accounts, Action::View)?;
    }
    let r = khach_db::accounts::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Ok(to_api(r))
}

pub async fn list(core: &Core, ctx: &Ctx, q: &PageQuery) -> CoreResult<AccountList> {
    ctx.require(Module::Accounts, Action::View)?;
    let limit = crate::paging::page_limit(q.limit)?;
    let after = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let rows = khach_db::accounts::list(core.db.conn(), after, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    Ok(AccountList {
        items: rows.into_iter().map(to_api).collect(),
        next_cursor: next,
    })
}

/// Whether no active admin exists yet (first run).
pub async fn needs_setup(core: &Core) -> CoreResult<bool> {
    Ok(khach_db::accounts::count_active_admins(core.db.conn()).await? == 0)
}

/// Whether the caller may edit `a` (it holds nothing the caller could not grant).
pub async fn can_manage(core: &Core, ctx: &Ctx, a: &Account) -> bool {
    match khach_db::roles::get(core.db.conn(), a.role_id).await {
        Ok(Some(role)) => crate::roles::ensure_grantable(ctx, &role).is_ok(),
        _ => false,
    }
}
