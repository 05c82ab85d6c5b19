//! Customers (CRM360): the record and every rule about it. Every write — UI, API,
//! and later import and integrations — goes through here: validation, the data
//! scope, masking of phones and e-mails, the audit log and a `customer.*` timeline
//! entry, in one transaction.

pub mod assign;
mod bin;
mod bulk;
mod contact;
mod filter;
pub(crate) mod input;
mod list;
pub mod seed;
mod settings;
mod write;

pub use assign::{assign, members};
pub use bin::{delete, purge, purge_expired, restore};
pub use bulk::bulk;
pub use contact::{arrive, attribute, do_not_contact};
pub use filter::{FieldInfo, filterable_fields};
pub use list::{list, search, sortable};
pub use settings::{customer_settings, read_settings, update_settings};
pub(crate) use write::check_unique;
pub use write::{create, update};

use crate::{CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_db::customers::query::Cond;
use khach_db::ownership::AccessKind;
use khach_types::api::{
    AccountRef, Address, Customer, CustomerEvent, CustomerEventList, DoNotContact, Gender,
    PhoneOut, ShareStatus, TagRef,
};
use khach_types::{Action, Module, Phone, Scope, mask_email};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The accounts whose customers the caller reaches, or `None` for all of them.
async fn reach_of(c: &impl ConnectionTrait, ctx: &Ctx) -> CoreResult<Option<Vec<i64>>> {
    let Some(a) = ctx.actor() else {
        return Ok(None);
    };
    if a.is_admin {
        return Ok(None);
    }
    Ok(match a.scope {
        Scope::All => None,
        Scope::Own => Some(vec![a.account.id]),
        Scope::Department => match a.account.department_id {
            Some(d) => Some(khach_db::accounts::ids_in_department(c, d).await?),
            None => Some(vec![a.account.id]),
        },
    })
}

/// Accessible customers up to which the scope lists them by id (an OR of two index
/// look-ups both planners handle well); past it, a subquery.
const REACH_BY_ID: u64 = 5_000;

async fn reach_cond(c: &impl ConnectionTrait, ctx: &Ctx, edit: bool) -> CoreResult<Cond> {
    let Some(accounts) = reach_of(c, ctx).await? else {
        return Ok(Cond::True);
    };
    let ids = khach_db::ownership::reached_ids(c, &accounts, edit, REACH_BY_ID + 1).await?;
    if ids.len() as u64 > REACH_BY_ID {
        return Ok(Cond::Reach { accounts, edit });
    }
    let col = khach_db::customers::query::Col::OwnerId;
    let owned = Cond::Ids {
        col,
        ids: accounts,
        negate: false,
    };
    if ids.is_empty() {
        return Ok(owned);
    }
    Ok(Cond::Any(vec![
        owned,
        Cond::Ids {
            col: khach_db::customers::query::Col::Id,
            ids,
            negate: false,
        },
    ]))
}

/// The data scope of the caller as a condition on customers: those it (or, with the
/// department scope, its department) owns, supports or views.
pub(crate) async fn scope_cond(c: &impl ConnectionTrait, ctx: &Ctx) -> CoreResult<Cond> {
    reach_cond(c, ctx, false).await
}

/// The customers the caller may change: viewers only look.
pub(crate) async fn edit_scope_cond(c: &impl ConnectionTrait, ctx: &Ctx) -> CoreResult<Cond> {
    reach_cond(c, ctx, true).await
}

async fn matches(c: &impl ConnectionTrait, id: i64, bin: bool, scope: Cond) -> CoreResult<bool> {
    let cond = Cond::All(vec![
        Cond::Ids {
            col: khach_db::customers::query::Col::Id,
            ids: vec![id],
            negate: false,
        },
        Cond::InBin(bin),
        scope,
    ]);
    Ok(!khach_db::customers::query::ids(c, &cond, 1)
        .await?
        .is_empty())
}

/// The live customers among `ids` the caller may change, once each in the order
/// given, and the others with why they are skipped (`not_found`, `read_only`). Two
/// queries per thousand ids, whatever the scope.
pub(crate) async fn editable_ids(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ids: &[i64],
) -> CoreResult<(Vec<i64>, Vec<khach_types::api::BulkSkip>)> {
    use khach_db::customers::query::{Col, ids as matching};
    let mut unique = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if seen.insert(*id) {
            unique.push(*id);
        }
    }
    let (view, edit) = (scope_cond(c, ctx).await?, edit_scope_cond(c, ctx).await?);
    let mut visible = std::collections::HashSet::new();
    let mut editable = std::collections::HashSet::new();
    for chunk in unique.chunks(1000) {
        for (scope, into) in [(&view, &mut visible), (&edit, &mut editable)] {
            let cond = Cond::All(vec![
                Cond::Ids {
                    col: Col::Id,
                    ids: chunk.to_vec(),
                    negate: false,
                },
                Cond::InBin(false),
                scope.clone(),
            ]);
            into.extend(matching(c, &cond, chunk.len() as u64).await?);
        }
    }
    let mut ok = Vec::new();
    let mut skipped = Vec::new();
    for id in unique {
        let reason = if editable.contains(&id) {
            ok.push(id);
            continue;
        } else if visible.contains(&id) {
            "read_only"
        } else {
            "not_found"
        };
        skipped.push(khach_types::api::BulkSkip {
            id,
            reason: reason.into(),
        });
    }
    Ok((ok, skipped))
}

/// Loads a customer the caller may see (live or, with `bin`, in the bin).
pub(crate) async fn load(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    bin: bool,
) -> CoreResult<Row> {
    if !matches(c, id, bin, scope_cond(c, ctx).await?).await? {
        return Err(CoreError::NotFound);
    }
    khach_db::customers::get(c, id)
        .await?
        .ok_or(CoreError::NotFound)
}

/// Loads a customer the caller may change. One it may only view (a viewer's) is
/// refused as forbidden; one it cannot see at all is not found.
pub(crate) async fn load_for_edit(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    bin: bool,
) -> CoreResult<Row> {
    let row = load(c, ctx, id, bin).await?;
    if !matches(c, id, bin, edit_scope_cond(c, ctx).await?).await? {
        return Err(CoreError::ReadOnly);
    }
    Ok(row)
}

pub(crate) fn phone_out(e164: &str, typed: Option<String>, masked: bool) -> PhoneOut {
    let national = Phone::parse(e164)
        .map(|p| p.national())
        .unwrap_or_else(|_| e164.to_string());
    if masked {
        PhoneOut {
            display: khach_types::phone::mask_digits(&national),
            e164: None,
            typed: None,
        }
    } else {
        PhoneOut {
            display: national,
            e164: Some(e164.to_string()),
            typed,
        }
    }
}

/// Masks phone and e-mail custom values in place.
pub(crate) fn mask_custom(doc: &mut Map<String, Value>, defs: &[crate::fields::Def]) {
    use khach_types::api::FieldKind;
    for d in defs {
        if let Some(Value::String(s)) = doc.get_mut(&d.key) {
            match d.kind {
                FieldKind::Phone => *s = phone_out(s, None, true).display,
                FieldKind::Email => *s = mask_email(s),
                _ => {}
            }
        }
    }
}

/// Turns rows into API records: phones, e-mails, tags, names of linked records, and
/// masking for roles that may not see contacts.
pub(crate) async fn hydrate(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    rows: Vec<Row>,
) -> CoreResult<Vec<Customer>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut phones = khach_db::customers::phones_of(c, &ids).await?;
    let mut emails = khach_db::customers::emails_of(c, &ids).await?;
    let mut tag_ids = khach_db::customers::tags_of(c, &ids).await?;
    let tags: HashMap<i64, khach_db::taxonomy::Tag> = khach_db::taxonomy::tags::all(c)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let stages: HashMap<i64, String> = khach_db::taxonomy::stages::all(c)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let sources: HashMap<i64, String> = khach_db::taxonomy::sources::all(c)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut companies: HashMap<i64, String> = HashMap::new();
    for cid in rows.iter().filter_map(|r| r.company_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = companies.entry(cid)
            && let Some(co) = khach_db::companies::rows::get(c, cid).await?
        {
            e.insert(co.name);
        }
    }
    let access = khach_db::ownership::access_of(c, &ids).await?;
    let shares = khach_db::sharing::shares_of(c, &ids).await?;
    let named: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.owner_id)
        .chain(access.values().flatten().map(|a| a.0))
        .collect();
    let people = assign::account_refs(c, &named).await?;
    let counters = khach_db::interactions::counters(c, &ids).await?;
    let masked = ctx.masked();
    let defs = if masked {
        crate::fields::defs(c, khach_types::api::FieldEntity::Customer).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mut custom = match r.custom {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        if masked {
            mask_custom(&mut custom, &defs);
        }
        let mut tl: Vec<TagRef> = tag_ids
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| {
                tags.get(&t).map(|t| TagRef {
                    id: t.id,
                    name: t.name.clone(),
                    color: t.color.clone(),
                })
            })
            .collect();
        tl.sort_by(|a, b| a.name.cmp(&b.name));
        let province = r
            .province_code
            .as_deref()
            .and_then(khach_types::units::province);
        let ward = match (&r.province_code, &r.ward_code) {
            (Some(p), Some(w)) => khach_types::units::ward(p, w),
            _ => None,
        };
        let phones: Vec<PhoneOut> = phones
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(e, t)| phone_out(&e, t, masked))
            .collect();
        let emails: Vec<String> = emails
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|e| if masked { mask_email(&e) } else { e })
            .collect();
        let members = access.get(&r.id).map(Vec::as_slice).unwrap_or_default();
        let of_kind = |k: AccessKind| -> Vec<AccountRef> {
            members
                .iter()
                .filter(|m| m.1 == k)
                .filter_map(|m| people.get(&m.0).cloned())
                .collect()
        };
        let share_status = shares.get(&r.id).map(|v| {
            if v.iter().any(|s| s.1 == khach_db::sharing::PENDING) {
                ShareStatus::ToBeShared
            } else {
                ShareStatus::Shared
            }
        });
        out.push(Customer {
            id: r.id,
            code: r.code,
            name: r.name,
            gender: r.gender.as_deref().and_then(Gender::parse),
            birthday: r.birthday,
            phone: phones.first().map(|p| p.display.clone()),
            email: emails.first().cloned(),
            phones,
            emails,
            address: Address {
                province_code: r.province_code.clone(),
                province_name: province.map(|p| p.name.to_string()),
                ward_code: r.ward_code.clone(),
                ward_name: ward.map(|w| w.name.to_string()),
                street: r.street,
                legacy_province: r.legacy_province,
                legacy_district: r.legacy_district,
                legacy_ward: r.legacy_ward,
            },
            company_name: r.company_id.and_then(|id| companies.get(&id).cloned()),
            company_id: r.company_id,
            source_name: r.source_id.and_then(|id| sources.get(&id).cloned()),
            source_id: r.source_id,
            stage_name: r.stage_id.and_then(|id| stages.get(&id).cloned()),
            stage_id: r.stage_id,
            tags: tl,
            notes: r.notes,
            custom,
            do_not_contact: if r.dnc {
                r.dnc_at.map(|since| DoNotContact {
                    reason: r.dnc_reason.clone(),
                    since,
                })
            } else {
                None
            },
            owner: r.owner_id.and_then(|o| people.get(&o).cloned()),
            owner_id: r.owner_id,
            supporters: of_kind(AccessKind::Supporter),
            viewers: of_kind(AccessKind::Viewer),
            share_status,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            interaction_count: counters.get(&r.id).map_or(0, |k| k.interaction_count),
            score: counters.get(&r.id).map_or(0, |k| k.score),
            last_contact_at: counters.get(&r.id).and_then(|k| k.last_contact_at),
            days_since_last_contact: counters
                .get(&r.id)
                .and_then(|k| k.last_contact_at)
                .map(|l| (ctx.now - l).num_days().max(0)),
        });
    }
    Ok(out)
}

pub async fn get(core: &crate::Core, ctx: &Ctx, id: i64) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::View)?;
    let c = core.db.conn();
    let row = match load(c, ctx, id, false).await {
        Ok(r) => r,
        // A merged record's id leads to its survivor; those who may restore see
        // what is in the bin.
        Err(CoreError::NotFound) => match crate::merge::survivor_of(c, id).await? {
            s if s != id => load(c, ctx, s, false).await?,
            _ if ctx.can(Module::Customers, Action::Delete) => load(c, ctx, id, true).await?,
            _ => return Err(CoreError::NotFound),
        },
        Err(e) => return Err(e),
    };
    hydrate(c, ctx, vec![row])
        .await?
        .pop()
        .ok_or(CoreError::NotFound)
}

/// Fails with `NotFound` unless the caller may see this live customer.
pub async fn visible(core: &crate::Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    load(core.db.conn(), ctx, id, false).await.map(|_| ())
}

/// Fails unless the caller may change this live customer (`NotFound` when it cannot
/// even see it, `ReadOnly` when it only views it).
pub async fn editable(core: &crate::Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    load_for_edit(core.db.conn(), ctx, id, false)
        .await
        .map(|_| ())
}

/// The timeline hook, for other modules writing about a customer.
pub async fn timeline_entry(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    customer: i64,
    kind: &str,
    payload: Value,
) -> CoreResult<()> {
    timeline(c, ctx, customer, kind, payload).await
}

/// Compiles a filter definition for this caller.
pub(crate) async fn compile_filter(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    g: &khach_types::api::FilterGroup,
) -> CoreResult<Cond> {
    filter::compile(c, ctx, g, "filter").await
}

/// Checks a filter definition against the current fields (for saving it).
pub async fn filter_check(
    core: &crate::Core,
    ctx: &Ctx,
    g: &khach_types::api::FilterGroup,
) -> CoreResult<()> {
    filter::compile(core.db.conn(), ctx, g, "definition")
        .await
        .map(|_| ())
}

/// Appends a `customer.*` entry to the timeline: the hook the interaction history
/// reads. Called inside the writing transaction.
pub(crate) async fn timeline(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    customer: i64,
    kind: &str,
    payload: Value,
) -> CoreResult<()> {
    timeline_many(c, ctx, vec![(customer, kind, payload)]).await
}

/// Appends `customer.*` entries for many customers in a few statements, with the
/// counters they change (interaction history rules: a creation counts one).
pub(crate) async fn timeline_many(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    entries: Vec<(i64, &str, Value)>,
) -> CoreResult<()> {
    let entries = entries
        .into_iter()
        .map(|(customer, kind, payload)| (customer, format!("customer.{kind}"), payload))
        .collect();
    crate::interactions::record_internal(c, ctx, entries).await
}

/// The `customer.*` timeline of one customer, newest first.
pub async fn events(
    core: &crate::Core,
    ctx: &Ctx,
    id: i64,
    q: &khach_types::api::PageQuery,
) -> CoreResult<CustomerEventList> {
    ctx.require(Module::Customers, Action::View)?;
    let c = core.db.conn();
    load(c, ctx, id, false).await?;
    let limit = crate::paging::page_limit(q.limit)?;
    let before = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let rows = khach_db::events::for_customer(c, id, "customer.", before, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |e| e.id);
    let mut names: HashMap<i64, String> = HashMap::new();
    for a in rows.iter().filter_map(|e| e.actor_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(a)
            && let Some(acc) = khach_db::accounts::get(c, a).await?
        {
            e.insert(acc.full_name);
        }
    }
    let masked = ctx.masked();
    Ok(CustomerEventList {
        items: rows
            .into_iter()
            .map(|e| CustomerEvent {
                id: e.id,
                actor_name: e.actor_id.and_then(|a| names.get(&a).cloned()),
                kind: e.kind,
                source: e.source,
                occurred_at: e.occurred_at,
                actor_id: e.actor_id,
                payload: if masked {
                    mask_json(e.payload)
                } else {
                    e.payload
                },
            })
            .collect(),
        next_cursor: next,
    })
}

/// Masks values under keys that hold phones or e-mails, at any depth.
pub fn mask_json(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = if k.contains("phone") || k.contains("email") {
                        mask_leaf(v)
                    } else {
                        mask_json(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(mask_json).collect()),
        other => other,
    }
}

/// Masks a phone number or e-mail address (also inside lists, and numbers a phone
/// was converted to).
pub(crate) fn mask_leaf(v: Value) -> Value {
    match v {
        Value::String(s) if s.contains('@') => json!(mask_email(&s)),
        Value::String(s) => json!(phone_out(&s, None, true).display),
        Value::Number(n) => json!(khach_types::phone::mask_digits(&n.to_string())),
        Value::Array(a) => Value::Array(a.into_iter().map(mask_leaf).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, mask_leaf(v))).collect()),
        other => other,
    }
}

/// An audit entry's changes as a role with masking may read them: values under
/// phone and e-mail keys, and custom fields of those types (`custom.old/new`).
pub async fn mask_changes(
    c: &impl ConnectionTrait,
    entity: &str,
    changes: Value,
) -> CoreResult<Value> {
    let mut v = mask_json(changes);
    let kind = match entity {
        "customer" => khach_types::api::FieldEntity::Customer,
        "company" => khach_types::api::FieldEntity::Company,
        _ => return Ok(v),
    };
    if let Some(Value::Object(custom)) = v.get_mut("custom") {
        let defs = crate::fields::defs(c, kind).await?;
        for side in custom.values_mut() {
            if let Value::Object(doc) = side {
                mask_custom(doc, &defs);
            }
        }
    }
    Ok(v)
}
