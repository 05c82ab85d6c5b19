//! Companies (danh sách công ty) and sub-contacts (liên hệ phụ). Both sit under the
//! customers permissions; sub-contacts follow their customer's data scope.

use crate::audit::{self, Changes};
use crate::customers::phone_out;
use crate::error::FieldErrors;
use crate::fields;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::companies::{Company as Row, SubContact as ContactRow};
use khach_types::api::{
    Company, CompanyList, CompanyQuery, CreateCompany, CreateSubContact, FieldEntity, SubContact,
    SubContactList, UpdateCompany, UpdateSubContact,
};
use khach_types::{Action, Email, Module, Phone, mask_email};
use serde_json::{Map, Value};

fn text(errs: &mut FieldErrors, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let raw = raw?;
    let t = Some(raw.trim()).filter(|t| !t.is_empty());
    if raw.chars().count() > max {
        errs.add(field, "value-too-long");
        return None;
    }
    t.map(str::to_string)
}

fn phone(
    errs: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
) -> (Option<String>, Option<String>) {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => (None, None),
        Some(t) => match Phone::parse(t) {
            Ok(p) => (
                Some(p.e164().to_string()),
                Some(t.chars().take(60).collect()),
            ),
            Err(e) => {
                errs.add(field, e.message_key());
                (None, None)
            }
        },
    }
}

fn email(errs: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<String> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => match Email::parse(t) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(e) => {
                errs.add(field, e.message_key());
                None
            }
        },
    }
}

fn name(errs: &mut FieldErrors, raw: &str) -> String {
    let n = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() || raw.chars().count() > 200 {
        errs.add("name", "value-length-1-200");
    }
    n
}

/// The API record; for a role with masking, phones and e-mails are masked, custom
/// fields of those types too.
async fn to_api(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    r: Row,
    customers: u64,
) -> CoreResult<Company> {
    let masked = ctx.masked();
    let mut custom = r.custom.as_object().cloned().unwrap_or_default();
    if masked {
        let defs = fields::defs(c, FieldEntity::Company).await?;
        crate::customers::mask_custom(&mut custom, &defs);
    }
    Ok(Company {
        id: r.id,
        name: r.name,
        tax_code: r.tax_code,
        phone: r
            .phone
            .as_deref()
            .map(|p| phone_out(p, r.phone_typed.clone(), masked)),
        email: r.email.map(|e| if masked { mask_email(&e) } else { e }),
        website: r.website,
        address: r.address,
        custom,
        customers,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub async fn list(core: &Core, ctx: &Ctx, q: &CompanyQuery) -> CoreResult<CompanyList> {
    ctx.require(Module::Customers, Action::View)?;
    let limit = crate::paging::page_limit(q.limit)?;
    let after = crate::paging::parse_cursor(q.cursor.as_deref())?;
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        return Err(CoreError::fields([("q", "value-too-long")]));
    }
    let needle =
        q.q.as_deref()
            .map(khach_types::fold)
            .filter(|n| !n.is_empty());
    let rows =
        khach_db::companies::list(core.db.conn(), needle.as_deref(), after, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    let mut items = Vec::new();
    for r in rows {
        let n = khach_db::companies::customer_count(core.db.conn(), r.id).await?;
        items.push(to_api(core.db.conn(), ctx, r, n).await?);
    }
    Ok(CompanyList {
        items,
        next_cursor: next,
    })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Company> {
    ctx.require(Module::Customers, Action::View)?;
    let r = khach_db::companies::rows::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let n = khach_db::companies::customer_count(core.db.conn(), id).await?;
    to_api(core.db.conn(), ctx, r, n).await
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateCompany) -> CoreResult<Company> {
    ctx.require(Module::Customers, Action::Create)?;
    let mut errs = FieldErrors::default();
    let n = name(&mut errs, &input.name);
    let tax_code = text(&mut errs, "tax_code", input.tax_code.as_deref(), 20);
    let (p, pt) = phone(&mut errs, "phone", input.phone.as_deref());
    let e = email(&mut errs, "email", input.email.as_deref());
    let website = text(&mut errs, "website", input.website.as_deref(), 300);
    let address = text(&mut errs, "address", input.address.as_deref(), 300);
    let tx = core.db.begin().await?;
    let defs = fields::defs(&tx, FieldEntity::Company).await?;
    let custom = match fields::merge(&defs, &Map::new(), &input.custom, true) {
        Ok(m) => m,
        Err(CoreError::Validation(m)) => {
            for (k, v) in m {
                errs.add(&k, v);
            }
            Map::new()
        }
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let row = khach_db::companies::rows::insert(
        &tx,
        Row {
            id: 0,
            search_name: khach_types::fold(&n),
            name: n,
            tax_code,
            phone: p,
            phone_typed: pt,
            email: e,
            website,
            address,
            custom: Value::Object(custom),
            created_by: ctx.account_id(),
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    audit::record(&tx, ctx, "company", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    to_api(core.db.conn(), ctx, row, 0).await
}

pub async fn update(core: &Core, ctx: &Ctx, id: i64, input: UpdateCompany) -> CoreResult<Company> {
    ctx.require(Module::Customers, Action::Edit)?;
    let tx = core.db.begin().await?;
    let old = khach_db::companies::rows::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut row = old.clone();
    let mut errs = FieldErrors::default();
    if let Some(n) = &input.name {
        row.name = name(&mut errs, n);
        row.search_name = khach_types::fold(&row.name);
    }
    if let Some(t) = &input.tax_code {
        row.tax_code = text(&mut errs, "tax_code", t.as_deref(), 20);
    }
    if let Some(p) = &input.phone {
        (row.phone, row.phone_typed) = phone(&mut errs, "phone", p.as_deref());
    }
    if let Some(e) = &input.email {
        row.email = email(&mut errs, "email", e.as_deref());
    }
    if let Some(w) = &input.website {
        row.website = text(&mut errs, "website", w.as_deref(), 300);
    }
    if let Some(a) = &input.address {
        row.address = text(&mut errs, "address", a.as_deref(), 300);
    }
    if let Some(c) = &input.custom {
        let defs = fields::defs(&tx, FieldEntity::Company).await?;
        match fields::merge(
            &defs,
            &old.custom.as_object().cloned().unwrap_or_default(),
            c,
            false,
        ) {
            Ok(m) => row.custom = Value::Object(m),
            Err(CoreError::Validation(m)) => {
                for (k, v) in m {
                    errs.add(&k, v);
                }
            }
            Err(e) => return Err(e),
        }
    }
    errs.finish()?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("tax_code", &old.tax_code, &row.tax_code);
    ch.diff("phone", &old.phone, &row.phone);
    ch.diff("email", &old.email, &row.email);
    ch.diff("website", &old.website, &row.website);
    ch.diff("address", &old.address, &row.address);
    ch.diff("custom", &old.custom, &row.custom);
    let n = khach_db::companies::customer_count(&tx, id).await?;
    if ch.is_empty() {
        return to_api(&tx, ctx, old, n).await;
    }
    row.updated_at = ctx.now;
    let saved = khach_db::companies::rows::update(&tx, row).await?;
    audit::record(&tx, ctx, "company", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    to_api(core.db.conn(), ctx, saved, n).await
}

/// Refused while any customer (also in the bin) belongs to the company.
pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Delete)?;
    let tx = core.db.begin().await?;
    let old = khach_db::companies::rows::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if khach_db::companies::any_customer(&tx, id).await? {
        return Err(CoreError::InUse("company-has-customers"));
    }
    khach_db::companies::rows::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "company", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

fn contact_api(ctx: &Ctx, r: ContactRow) -> SubContact {
    let masked = ctx.masked();
    SubContact {
        id: r.id,
        customer_id: r.customer_id,
        name: r.name,
        relation: r.relation,
        phone: r
            .phone
            .as_deref()
            .map(|p| phone_out(p, r.phone_typed.clone(), masked)),
        email: r.email.map(|e| if masked { mask_email(&e) } else { e }),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn contacts(core: &Core, ctx: &Ctx, customer: i64) -> CoreResult<SubContactList> {
    ctx.require(Module::Customers, Action::View)?;
    crate::customers::visible(core, ctx, customer).await?;
    let rows = khach_db::companies::contacts_of(core.db.conn(), customer).await?;
    Ok(SubContactList {
        items: rows.into_iter().map(|r| contact_api(ctx, r)).collect(),
    })
}

pub async fn add_contact(
    core: &Core,
    ctx: &Ctx,
    customer: i64,
    input: CreateSubContact,
) -> CoreResult<SubContact> {
    ctx.require(Module::Customers, Action::Edit)?;
    crate::customers::editable(core, ctx, customer).await?;
    let mut errs = FieldErrors::default();
    let n = name(&mut errs, &input.name);
    let relation = text(&mut errs, "relation", input.relation.as_deref(), 100);
    let (p, pt) = phone(&mut errs, "phone", input.phone.as_deref());
    let e = email(&mut errs, "email", input.email.as_deref());
    errs.finish()?;
    let tx = core.db.begin().await?;
    let row = khach_db::companies::contacts::insert(
        &tx,
        ContactRow {
            id: 0,
            customer_id: customer,
            name: n,
            relation,
            phone: p,
            phone_typed: pt,
            email: e,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("customer_id", &customer);
    ch.set("name", &row.name);
    audit::record(
        &tx,
        ctx,
        "sub_contact",
        Some(row.id.to_string()),
        "create",
        ch,
    )
    .await?;
    crate::customers::timeline_entry(
        &tx,
        ctx,
        customer,
        "contact_added",
        serde_json::json!({"name": row.name}),
    )
    .await?;
    khach_db::commit(tx).await?;
    Ok(contact_api(ctx, row))
}

async fn own_contact(core: &Core, ctx: &Ctx, customer: i64, id: i64) -> CoreResult<ContactRow> {
    crate::customers::editable(core, ctx, customer).await?;
    let r = khach_db::companies::contacts::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if r.customer_id != customer {
        return Err(CoreError::NotFound);
    }
    Ok(r)
}

pub async fn update_contact(
    core: &Core,
    ctx: &Ctx,
    customer: i64,
    id: i64,
    input: UpdateSubContact,
) -> CoreResult<SubContact> {
    ctx.require(Module::Customers, Action::Edit)?;
    let old = own_contact(core, ctx, customer, id).await?;
    let mut row = old.clone();
    let mut errs = FieldErrors::default();
    if let Some(n) = &input.name {
        row.name = name(&mut errs, n);
    }
    if let Some(r) = &input.relation {
        row.relation = text(&mut errs, "relation", r.as_deref(), 100);
    }
    if let Some(p) = &input.phone {
        (row.phone, row.phone_typed) = phone(&mut errs, "phone", p.as_deref());
    }
    if let Some(e) = &input.email {
        row.email = email(&mut errs, "email", e.as_deref());
    }
    errs.finish()?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("relation", &old.relation, &row.relation);
    ch.diff("phone", &old.phone, &row.phone);
    ch.diff("email", &old.email, &row.email);
    if ch.is_empty() {
        return Ok(contact_api(ctx, old));
    }
    row.updated_at = ctx.now;
    let tx = core.db.begin().await?;
    let saved = khach_db::companies::contacts::update(&tx, row).await?;
    audit::record(&tx, ctx, "sub_contact", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(contact_api(ctx, saved))
}

pub async fn delete_contact(core: &Core, ctx: &Ctx, customer: i64, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Edit)?;
    let old = own_contact(core, ctx, customer, id).await?;
    let tx = core.db.begin().await?;
    khach_db::companies::contacts::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "sub_contact", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
