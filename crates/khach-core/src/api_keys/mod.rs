//! API keys (Cài đặt API). The secret (`khk_` + 64 hex) is shown once; only its
//! SHA-256 is stored. A key acts as its owner, optionally narrowed to fewer
//! permissions, and never more than the owner's role currently grants. People see and
//! revoke their own keys; admins see and revoke everyone's.

use crate::audit::{self, Changes};
use crate::core::sha256_hex;
use crate::{Core, CoreError, CoreResult, Ctx, Principal};
use khach_db::api_keys::ApiKey as Row;
use khach_types::api::{ApiKey, ApiKeyList, CreateApiKey, CreatedApiKey, PageQuery};
use khach_types::{Action, Module, PermissionSet};

pub const SECRET_PREFIX: &str = "khk_";

fn to_api(r: Row) -> CoreResult<ApiKey> {
    let permissions = r
        .permissions
        .as_deref()
        .map(crate::roles::parse_perms)
        .transpose()?;
    Ok(ApiKey {
        id: r.id,
        account_id: r.account_id,
        name: r.name,
        prefix: r.prefix,
        permissions,
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    })
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateApiKey) -> CoreResult<CreatedApiKey> {
    ctx.require(Module::ApiKeys, Action::Create)?;
    let owner = ctx.account_id().ok_or(CoreError::Forbidden)?;
    create_for(core, ctx, owner, input).await
}

/// Creates a key for `owner`. Used directly by `khach api-key create` (System).
pub async fn create_for(
    core: &Core,
    ctx: &Ctx,
    owner: i64,
    input: CreateApiKey,
) -> CoreResult<CreatedApiKey> {
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(CoreError::fields([("name", "value-length-1-100")]));
    }
    // A key made through a narrowed key can be no wider than that key.
    let perms: Option<PermissionSet> = match (&ctx.principal, input.permissions) {
        (Principal::Account(a), Some(p)) if a.api_key_id.is_some() => {
            Some(p.normalised().intersect(&a.permissions))
        }
        (Principal::Account(a), None) if a.api_key_id.is_some() => Some(a.permissions.clone()),
        (_, p) => p.map(|p| p.normalised()),
    };
    let secret = core.token(SECRET_PREFIX, 32);
    let prefix: String = secret.chars().take(12).collect();
    let tx = core.db.begin().await?;
    let row = khach_db::api_keys::insert(
        &tx,
        Row {
            id: 0,
            account_id: owner,
            name: name.clone(),
            prefix,
            secret_hash: sha256_hex(&secret),
            permissions: perms.as_ref().map(crate::roles::perms_json).transpose()?,
            created_at: ctx.now,
            last_used_at: None,
            revoked_at: None,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &name);
    ch.set("account_id", &owner);
    ch.set("permissions", &perms);
    audit::record(&tx, ctx, "api_key", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(CreatedApiKey {
        key: to_api(row)?,
        secret,
    })
}

pub async fn list(core: &Core, ctx: &Ctx, q: &PageQuery) -> CoreResult<ApiKeyList> {
    ctx.require(Module::ApiKeys, Action::View)?;
    let limit = crate::paging::page_limit(q.limit)?;
    let after = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let only = if ctx.is_admin() {
        None
    } else {
        ctx.account_id()
    };
    let rows = khach_db::api_keys::list(core.db.conn(), only, after, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    Ok(ApiKeyList {
        items: rows.into_iter().map(to_api).collect::<CoreResult<_>>()?,
        next_cursor: next,
    })
}

/// A key the caller may see: their own, or any for an admin; others are "not found".
async fn visible(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Row> {
    let row = khach_db::api_keys::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !ctx.is_admin() && ctx.account_id() != Some(row.account_id) {
        return Err(CoreError::NotFound);
    }
    Ok(row)
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<ApiKey> {
    ctx.require(Module::ApiKeys, Action::View)?;
    to_api(visible(core, ctx, id).await?)
}

pub async fn revoke(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::ApiKeys, Action::Delete)?;
    let row = visible(core, ctx, id).await?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let tx = core.db.begin().await?;
    khach_db::api_keys::revoke(&tx, id, ctx.now).await?;
    let mut ch = Changes::new();
    ch.diff("revoked_at", &None, &Some(ctx.now));
    audit::record(&tx, ctx, "api_key", Some(id.to_string()), "revoke", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
