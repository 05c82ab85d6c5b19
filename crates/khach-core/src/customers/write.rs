//! Creating and editing customers: validation, uniqueness of code, phones and
//! e-mails, custom fields, tags, ownership, the audit log and the timeline.

use super::assign::{self, OwnershipInput};
use super::{hydrate, input, load_for_edit, timeline};
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::fields::{self, Def};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_db::customers::query::{Cmp, Col, Cond, JsonScalar};
use khach_types::api::{
    CreateCustomer, Customer, CustomerSettings, FieldEntity, FieldKind, UpdateCustomer,
};
use khach_types::{Action, Module};
use serde_json::{Map, Value, json};

/// The next free generated code (`KH000001`…), from a counter in the settings table.
async fn next_code(
    c: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> CoreResult<String> {
    const KEY: &str = "seq.customer_code";
    let mut n: u64 = khach_db::settings::get(c, KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    loop {
        n += 1;
        let code = format!("KH{n:06}");
        if !khach_db::customers::code_taken(c, &code, None).await? {
            khach_db::settings::put(c, KEY, n.to_string(), now).await?;
            return Ok(code);
        }
    }
}

async fn ensure_ref(
    c: &impl ConnectionTrait,
    errs: &mut FieldErrors,
    id: Option<i64>,
    field: &str,
) -> CoreResult<()> {
    let Some(id) = id else { return Ok(()) };
    let found = match field {
        "stage_id" => khach_db::taxonomy::stages::get(c, id).await?.is_some(),
        "source_id" => khach_db::taxonomy::sources::get(c, id).await?.is_some(),
        _ => khach_db::companies::rows::get(c, id).await?.is_some(),
    };
    if !found {
        errs.add(field, "value-unknown-ref");
    }
    Ok(())
}

fn scalar(kind: FieldKind, v: &Value) -> Option<JsonScalar> {
    match (kind, v) {
        (FieldKind::Number | FieldKind::Money, Value::Number(n)) => {
            n.as_f64().map(JsonScalar::Number)
        }
        (FieldKind::Boolean, Value::Bool(b)) => Some(JsonScalar::Bool(*b)),
        (_, Value::String(s)) => Some(JsonScalar::Text(s.clone())),
        _ => None,
    }
}

/// Refuses values other live customers already hold: code, phones and e-mails (unless
/// the business allows shared ones) and unique custom fields.
pub(crate) async fn check_unique(
    c: &impl ConnectionTrait,
    settings: &CustomerSettings,
    defs: &[Def],
    row: &Row,
    phones: &[(String, String)],
    emails: &[String],
) -> CoreResult<()> {
    let me = if row.id == 0 { None } else { Some(row.id) };
    if khach_db::customers::code_taken(c, &row.code, me).await? {
        return Err(CoreError::Conflict {
            field: "code",
            key: "customer-code-taken",
        });
    }
    if !settings.allow_duplicate_contacts {
        let e164: Vec<String> = phones.iter().map(|(e, _)| e.clone()).collect();
        if !khach_db::customers::live_with_phones(c, &e164, me)
            .await?
            .is_empty()
        {
            return Err(CoreError::Conflict {
                field: "phones",
                key: "customer-phone-taken",
            });
        }
        if !khach_db::customers::live_with_emails(c, emails, me)
            .await?
            .is_empty()
        {
            return Err(CoreError::Conflict {
                field: "emails",
                key: "customer-email-taken",
            });
        }
    }
    for d in defs.iter().filter(|d| d.unique) {
        let Some(v) = row.custom.get(&d.key) else {
            continue;
        };
        let Some(s) = scalar(d.kind, v) else { continue };
        let mut conds = vec![
            Cond::InBin(false),
            Cond::Custom {
                key: d.key.clone(),
                op: Cmp::Eq,
                value: s,
            },
        ];
        if let Some(id) = me {
            conds.push(Cond::Ids {
                col: Col::Id,
                ids: vec![id],
                negate: true,
            });
        }
        if khach_db::customers::query::count(c, &Cond::All(conds)).await? > 0 {
            return Err(CoreError::Conflict {
                field: "custom",
                key: "cf-value-taken",
            });
        }
    }
    Ok(())
}

fn as_map(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub async fn create(core: &Core, ctx: &Ctx, inp: CreateCustomer) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Create)?;
    let mut errs = FieldErrors::default();
    let name = input::name(&mut errs, &inp.name);
    let code = inp
        .code
        .as_deref()
        // Blank means "generate one"; past the length limit it is refused anyway.
        .filter(|c| !c.trim().is_empty() || c.chars().count() > 32)
        .and_then(|c| input::code(&mut errs, c));
    let phones = input::phones(&mut errs, &inp.phones);
    let emails = input::emails(&mut errs, &inp.emails);
    let street = input::text(&mut errs, "street", inp.street.as_deref(), 300);
    let notes = input::text(&mut errs, "notes", inp.notes.as_deref(), 10_000);
    let (province, ward) = input::address(
        &mut errs,
        inp.province_code.as_deref(),
        inp.ward_code.as_deref(),
    );
    if inp.tags.len() > 50 {
        errs.add("tags", "value-too-many");
    }
    let ownership = OwnershipInput {
        owner: inp.owner_id.map(Some),
        supporters: Some(&inp.supporters),
        viewers: Some(&inp.viewers),
        keep_old: false,
    };
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    assign::check_input(&tx, ctx, &mut errs, &ownership, true).await?;
    ensure_ref(&tx, &mut errs, inp.stage_id, "stage_id").await?;
    ensure_ref(&tx, &mut errs, inp.source_id, "source_id").await?;
    ensure_ref(&tx, &mut errs, inp.company_id, "company_id").await?;
    let defs = fields::defs(&tx, FieldEntity::Customer).await?;
    let custom = match fields::merge(&defs, &Map::new(), &inp.custom, true) {
        Ok(m) => Some(m),
        Err(CoreError::Validation(m)) => {
            for (k, v) in m {
                errs.add(&k, v);
            }
            None
        }
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let (Some(name), Some(custom)) = (name, custom) else {
        return Err(CoreError::fields([("name", "value-required")]));
    };
    let code = match code {
        Some(c) => c,
        None => next_code(&tx, ctx.now).await?,
    };
    let settings = super::settings::customer_settings(&tx).await?;
    // Without a named owner: the next account in turn when automatic assignment is
    // on, otherwise whoever creates it.
    let (owner, auto) = match inp.owner_id {
        Some(o) => (Some(o), false),
        None if settings.auto_assign => match assign::next_auto_owner(&tx, ctx.now).await? {
            Some(o) => (Some(o), true),
            None => (ctx.account_id(), false),
        },
        None => (ctx.account_id(), false),
    };
    let (name_lc, search_name, search_contact) =
        input::search_texts(&name, &code, &phones, &emails);
    let mut row = Row {
        id: 0,
        code,
        name,
        name_lc,
        search_name,
        search_contact,
        search_tri: None,
        gender: inp.gender.map(|g| g.as_str().to_string()),
        birthday: inp.birthday,
        phone: phones.first().map(|p| p.0.clone()),
        email: emails.first().cloned(),
        province_code: province,
        ward_code: ward,
        street,
        legacy_province: None,
        legacy_district: None,
        legacy_ward: None,
        company_id: inp.company_id,
        source_id: inp.source_id,
        stage_id: inp.stage_id,
        owner_id: owner,
        notes,
        custom: Value::Object(custom),
        dnc: false,
        dnc_reason: None,
        dnc_at: None,
        created_by: ctx.account_id(),
        created_at: ctx.now,
        updated_at: ctx.now,
        deleted_at: None,
        deleted_by: None,
    };
    check_unique(&tx, &settings, &defs, &row, &phones, &emails).await?;
    row = khach_db::customers::insert(&tx, row).await?;
    khach_db::customers::set_phones(&tx, row.id, &phones).await?;
    khach_db::customers::set_emails(&tx, row.id, &emails).await?;
    let tag_ids = crate::taxonomy::ensure_tags(&tx, ctx, &inp.tags).await?;
    khach_db::customers::add_tags(&tx, &[row.id], &tag_ids).await?;
    let mut ch = Changes::new();
    ch.set("code", &row.code);
    ch.set("name", &row.name);
    ch.set("phones", &phones.iter().map(|p| &p.0).collect::<Vec<_>>());
    ch.set("emails", &emails);
    ch.set("stage_id", &row.stage_id);
    ch.set("source_id", &row.source_id);
    ch.set("tags", &tag_ids);
    ch.set("owner_id", &owner);
    if auto {
        ch.set("auto_assigned", &true);
    }
    audit::record(&tx, ctx, "customer", Some(row.id.to_string()), "create", ch).await?;
    timeline(
        &tx,
        ctx,
        row.id,
        "created",
        json!({"code": row.code, "stage_id": row.stage_id, "source_id": row.source_id,
               "owner_id": owner, "auto_assigned": auto}),
    )
    .await?;
    if !inp.supporters.is_empty() || !inp.viewers.is_empty() {
        let only_members = OwnershipInput {
            owner: None,
            ..ownership
        };
        assign::apply_input(&tx, ctx, row.id, owner, &only_members).await?;
    }
    crate::sharing::on_customers_changed(&tx, &[row.id], ctx.now).await?;
    let out = hydrate(&tx, ctx, vec![row]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

pub async fn update(core: &Core, ctx: &Ctx, id: i64, inp: UpdateCustomer) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let mut errs = FieldErrors::default();
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    let old = load_for_edit(&tx, ctx, id, false).await?;
    let ownership = OwnershipInput {
        owner: inp.owner_id,
        supporters: inp.supporters.as_deref(),
        viewers: inp.viewers.as_deref(),
        keep_old: inp.keep_old_owner_as_viewer,
    };
    assign::check_input(&tx, ctx, &mut errs, &ownership, false).await?;
    let mut row = old.clone();
    if let Some(n) = &inp.name
        && let Some(n) = input::name(&mut errs, n)
    {
        row.name = n;
    }
    if let Some(c) = &inp.code
        && let Some(c) = input::code(&mut errs, c)
    {
        row.code = c;
    }
    if let Some(g) = inp.gender {
        row.gender = g.map(|g| g.as_str().to_string());
    }
    if let Some(b) = inp.birthday {
        row.birthday = b;
    }
    let old_phones: Vec<(String, String)> = khach_db::customers::phones_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, t)| (e.clone(), t.unwrap_or(e)))
        .collect();
    let old_emails = khach_db::customers::emails_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let phones = match &inp.phones {
        Some(p) => input::phones(&mut errs, p),
        None => old_phones.clone(),
    };
    let emails = match &inp.emails {
        Some(e) => input::emails(&mut errs, e),
        None => old_emails.clone(),
    };
    if let Some(s) = &inp.street {
        row.street = input::text(&mut errs, "street", s.as_deref(), 300);
    }
    if let Some(n) = &inp.notes {
        row.notes = input::text(&mut errs, "notes", n.as_deref(), 10_000);
    }
    if inp.province_code.is_some() || inp.ward_code.is_some() {
        let p = inp
            .province_code
            .clone()
            .unwrap_or(row.province_code.clone());
        // A new province without a ward clears the old ward (it belonged elsewhere).
        let w = match (&inp.ward_code, &inp.province_code) {
            (Some(w), _) => w.clone(),
            (None, Some(_)) => None,
            (None, None) => row.ward_code.clone(),
        };
        let (p, w) = input::address(&mut errs, p.as_deref(), w.as_deref());
        row.province_code = p;
        row.ward_code = w;
    }
    for (field, v) in [
        ("stage_id", inp.stage_id),
        ("source_id", inp.source_id),
        ("company_id", inp.company_id),
    ] {
        if let Some(v) = v {
            ensure_ref(&tx, &mut errs, v, field).await?;
            match field {
                "stage_id" => row.stage_id = v,
                "source_id" => row.source_id = v,
                _ => row.company_id = v,
            }
        }
    }
    let defs = fields::defs(&tx, FieldEntity::Customer).await?;
    if let Some(input) = &inp.custom {
        match fields::merge(&defs, &as_map(&old.custom), input, false) {
            Ok(m) => row.custom = Value::Object(m),
            Err(CoreError::Validation(m)) => {
                for (k, v) in m {
                    errs.add(&k, v);
                }
            }
            Err(e) => return Err(e),
        }
    }
    if inp.tags.as_ref().is_some_and(|t| t.len() > 50) {
        errs.add("tags", "value-too-many");
    }
    errs.finish()?;
    let settings = super::settings::customer_settings(&tx).await?;
    check_unique(&tx, &settings, &defs, &row, &phones, &emails).await?;
    let (name_lc, search_name, search_contact) =
        input::search_texts(&row.name, &row.code, &phones, &emails);
    row.name_lc = name_lc;
    row.search_name = search_name;
    row.search_contact = search_contact;
    row.phone = phones.first().map(|p| p.0.clone());
    row.email = emails.first().cloned();

    let mut ch = Changes::new();
    ch.diff("code", &old.code, &row.code);
    ch.diff("name", &old.name, &row.name);
    ch.diff("gender", &old.gender, &row.gender);
    ch.diff("birthday", &old.birthday, &row.birthday);
    let e164 = |v: &[(String, String)]| v.iter().map(|p| p.0.clone()).collect::<Vec<_>>();
    ch.diff("phones", &e164(&old_phones), &e164(&phones));
    ch.diff("emails", &old_emails, &emails);
    ch.diff("province_code", &old.province_code, &row.province_code);
    ch.diff("ward_code", &old.ward_code, &row.ward_code);
    ch.diff("street", &old.street, &row.street);
    ch.diff("company_id", &old.company_id, &row.company_id);
    ch.diff("source_id", &old.source_id, &row.source_id);
    ch.diff("stage_id", &old.stage_id, &row.stage_id);
    ch.diff("notes", &old.notes, &row.notes);
    ch.diff("custom", &old.custom, &row.custom);
    let old_tags = khach_db::customers::tags_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let mut new_tags = old_tags.clone();
    if let Some(t) = &inp.tags {
        new_tags = crate::taxonomy::ensure_tags(&tx, ctx, t).await?;
        let (mut a, mut b) = (old_tags.clone(), new_tags.clone());
        a.sort_unstable();
        b.sort_unstable();
        ch.diff("tags", &a, &b);
    }
    if ch.is_empty() {
        let owned = !ownership.is_empty()
            && assign::apply_input(&tx, ctx, id, old.owner_id, &ownership).await?;
        if owned {
            crate::sharing::on_customers_changed(&tx, &[id], ctx.now).await?;
        }
        let now = khach_db::customers::get(&tx, id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let out = hydrate(&tx, ctx, vec![now]).await?;
        khach_db::commit(tx).await?;
        return out.into_iter().next().ok_or(CoreError::NotFound);
    }
    row.updated_at = ctx.now;
    let saved = khach_db::customers::update(&tx, row).await?;
    if inp.phones.is_some() {
        khach_db::customers::set_phones(&tx, id, &phones).await?;
    }
    if inp.emails.is_some() {
        khach_db::customers::set_emails(&tx, id, &emails).await?;
    }
    if inp.tags.is_some() {
        let removed: Vec<i64> = old_tags
            .iter()
            .copied()
            .filter(|t| !new_tags.contains(t))
            .collect();
        let added: Vec<i64> = new_tags
            .iter()
            .copied()
            .filter(|t| !old_tags.contains(t))
            .collect();
        khach_db::customers::remove_tags(&tx, &[id], &removed).await?;
        khach_db::customers::add_tags(&tx, &[id], &added).await?;
        if !added.is_empty() || !removed.is_empty() {
            timeline(
                &tx,
                ctx,
                id,
                "tags_changed",
                json!({"added": added, "removed": removed}),
            )
            .await?;
        }
    }
    if old.stage_id != saved.stage_id {
        timeline(
            &tx,
            ctx,
            id,
            "stage_changed",
            json!({"from": old.stage_id, "to": saved.stage_id}),
        )
        .await?;
    }
    audit::record(&tx, ctx, "customer", Some(id.to_string()), "update", ch).await?;
    timeline(&tx, ctx, id, "updated", json!({})).await?;
    let saved = if ownership.is_empty() {
        saved
    } else {
        assign::apply_input(&tx, ctx, id, old.owner_id, &ownership).await?;
        khach_db::customers::get(&tx, id)
            .await?
            .ok_or(CoreError::NotFound)?
    };
    crate::sharing::on_customers_changed(&tx, &[id], ctx.now).await?;
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}
