//! Departments (phòng ban): a tree. A department with sub-departments or accounts
//! cannot be deleted, and a move never makes a cycle.

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::departments::Department as Row;
use khach_types::api::{CreateDepartment, Department, DepartmentList, PageQuery, UpdateDepartment};
use khach_types::{Action, Module};

fn to_api(r: Row) -> Department {
    Department {
        id: r.id,
        name: r.name,
        parent_id: r.parent_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn parse_name(raw: &str) -> CoreResult<String> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(CoreError::fields([("name", "value-length-1-200")]));
    }
    Ok(n.to_string())
}

/// Fails unless `parent` exists and is not `id` itself or below it.
async fn check_parent(c: &impl ConnectionTrait, id: Option<i64>, parent: i64) -> CoreResult<()> {
    let mut cur = Some(parent);
    let mut hops = 0;
    while let Some(p) = cur {
        if Some(p) == id {
            return Err(CoreError::fields([("parent_id", "department-cycle")]));
        }
        let Some(row) = khach_db::departments::get(c, p).await? else {
            return Err(CoreError::fields([(
                "parent_id",
                "value-unknown-department",
            )]));
        };
        cur = row.parent_id;
        hops += 1;
        if hops > 1000 {
            return Err(CoreError::fields([("parent_id", "department-cycle")]));
        }
    }
    Ok(())
}

pub async fn list(core: &Core, ctx: &Ctx, q: &PageQuery) -> CoreResult<DepartmentList> {
    ctx.require(Module::Departments, Action::View)?;
    list_all(core, q).await
}

/// Without a permission check, for forms that offer a department to choose.
pub async fn list_all(core: &Core, q: &PageQuery) -> CoreResult<DepartmentList> {
    let limit = crate::paging::page_limit(q.limit)?;
    let after = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let rows = khach_db::departments::list(core.db.conn(), after, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    Ok(DepartmentList {
        items: rows.into_iter().map(to_api).collect(),
        next_cursor: next,
    })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Department> {
    ctx.require(Module::Departments, Action::View)?;
    khach_db::departments::get(core.db.conn(), id)
        .await?
        .map(to_api)
        .ok_or(CoreError::NotFound)
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateDepartment) -> CoreResult<Department> {
    ctx.require(Module::Departments, Action::Create)?;
    let name = parse_name(&input.name)?;
    let tx = core.db.begin().await?;
    if let Some(p) = input.parent_id {
        check_parent(&tx, None, p).await?;
    }
    let row = khach_db::departments::insert(
        &tx,
        Row {
            id: 0,
            name,
            parent_id: input.parent_id,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("parent_id", &row.parent_id);
    audit::record(
        &tx,
        ctx,
        "department",
        Some(row.id.to_string()),
        "create",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(to_api(row))
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateDepartment,
) -> CoreResult<Department> {
    ctx.require(Module::Departments, Action::Edit)?;
    let name = input.name.as_deref().map(parse_name).transpose()?;
    let tx = core.db.begin().await?;
    let old = khach_db::departments::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut row = old.clone();
    if let Some(n) = name {
        row.name = n;
    }
    if let Some(p) = input.parent_id {
        if let Some(p) = p {
            // Two moves at once (A under B, B under A) must not both pass.
            khach_db::lock(&tx, khach_db::Lock::DepartmentTree).await?;
            check_parent(&tx, Some(id), p).await?;
        }
        row.parent_id = p;
    }
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("parent_id", &old.parent_id, &row.parent_id);
    if ch.is_empty() {
        return Ok(to_api(old));
    }
    row.updated_at = ctx.now;
    let saved = khach_db::departments::update(&tx, row).await?;
    audit::record(&tx, ctx, "department", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(to_api(saved))
}

pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Departments, Action::Delete)?;
    let tx = core.db.begin().await?;
    let old = khach_db::departments::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if khach_db::departments::count_children(&tx, id).await? > 0 {
        return Err(CoreError::InUse("department-has-children"));
    }
    if khach_db::accounts::count_in_department(&tx, id).await? > 0 {
        return Err(CoreError::InUse("department-has-accounts"));
    }
    khach_db::departments::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "department", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
