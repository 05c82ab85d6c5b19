//! Creating, editing, deleting (to the bin), restoring and purging customers, the
//! do-not-contact list, and arrivals from another channel (source attribution).

use super::{hydrate, input, load, timeline};
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::fields::{self, Def};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_db::customers::query::{Cmp, Col, Cond, JsonScalar};
use khach_types::api::{
    Arrival, CreateCustomer, Customer, CustomerSettings, DoNotContactInput, FieldEntity, FieldKind,
    SourceRule, UpdateCustomer,
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
async fn check_unique(
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
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
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
    let (name_lc, search_name, search_contact) =
        input::search_texts(&name, &code, &phones, &emails);
    let mut row = Row {
        id: 0,
        code,
        name,
        name_lc,
        search_name,
        search_contact,
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
        owner_id: ctx.account_id(),
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
    audit::record(&tx, ctx, "customer", Some(row.id.to_string()), "create", ch).await?;
    timeline(
        &tx,
        ctx,
        row.id,
        "created",
        json!({"code": row.code, "stage_id": row.stage_id, "source_id": row.source_id}),
    )
    .await?;
    let out = hydrate(&tx, ctx, vec![row]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

pub async fn update(core: &Core, ctx: &Ctx, id: i64, inp: UpdateCustomer) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let mut errs = FieldErrors::default();
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    let old = load(&tx, ctx, id, false).await?;
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
        let out = hydrate(&tx, ctx, vec![old]).await?;
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
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

/// Moves a customer to the recycle bin: everything attached stays.
pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Delete)?;
    let tx = core.db.begin().await?;
    delete_in(&tx, ctx, id).await?;
    khach_db::commit(tx).await.map_err(Into::into)
}

pub(crate) async fn delete_in(c: &impl ConnectionTrait, ctx: &Ctx, id: i64) -> CoreResult<()> {
    let mut row = load(c, ctx, id, false).await?;
    row.deleted_at = Some(ctx.now);
    row.deleted_by = ctx.account_id();
    row.updated_at = ctx.now;
    khach_db::customers::update(c, row).await?;
    let mut ch = Changes::new();
    ch.set("deleted_at", &ctx.now);
    audit::record(c, ctx, "customer", Some(id.to_string()), "delete", ch).await?;
    timeline(c, ctx, id, "deleted", json!({})).await
}

/// Brings a customer back from the bin; refused with a conflict when its code, a
/// phone or an e-mail now belongs to another live customer.
pub async fn restore(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Delete)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    let mut row = load(&tx, ctx, id, true).await?;
    let phones: Vec<(String, String)> = khach_db::customers::phones_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, _)| (e.clone(), e))
        .collect();
    let emails = khach_db::customers::emails_of(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let settings = super::settings::customer_settings(&tx).await?;
    let defs = fields::defs(&tx, FieldEntity::Customer).await?;
    check_unique(&tx, &settings, &defs, &row, &phones, &emails).await?;
    row.deleted_at = None;
    row.deleted_by = None;
    row.updated_at = ctx.now;
    let saved = khach_db::customers::update(&tx, row).await?;
    audit::record(
        &tx,
        ctx,
        "customer",
        Some(id.to_string()),
        "restore",
        Changes::new(),
    )
    .await?;
    timeline(&tx, ctx, id, "restored", json!({})).await?;
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

/// Permanently removes a customer from the bin (administrators only).
pub async fn purge(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    if !ctx.is_admin() {
        return Err(CoreError::Forbidden);
    }
    let tx = core.db.begin().await?;
    let row = load(&tx, ctx, id, true).await?;
    khach_db::customers::purge(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("code", &Some(row.code), &None);
    audit::record(&tx, ctx, "customer", Some(id.to_string()), "purge", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// Purges customers kept in the bin longer than the configured days. Returns how many.
pub async fn purge_expired(core: &Core, ctx: &Ctx) -> CoreResult<u64> {
    let settings = super::settings::customer_settings(core.db.conn()).await?;
    let before = ctx.now - chrono::Duration::days(i64::from(settings.bin_retention_days));
    let mut n = 0;
    loop {
        let ids = khach_db::customers::expired_in_bin(core.db.conn(), before, 500).await?;
        if ids.is_empty() {
            return Ok(n);
        }
        let tx = core.db.begin().await?;
        for id in &ids {
            khach_db::customers::purge(&tx, *id).await?;
            let mut ch = Changes::new();
            ch.set("retention_days", &settings.bin_retention_days);
            audit::record(&tx, ctx, "customer", Some(id.to_string()), "purge", ch).await?;
        }
        khach_db::commit(tx).await?;
        n += ids.len() as u64;
    }
}

/// Adds (`Some`) or removes (`None`) a customer on the do-not-contact list.
pub async fn do_not_contact(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    add: Option<DoNotContactInput>,
) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let tx = core.db.begin().await?;
    let saved = dnc_in(&tx, ctx, id, add).await?;
    let out = hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

pub(crate) async fn dnc_in(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    add: Option<DoNotContactInput>,
) -> CoreResult<Row> {
    let old = load(c, ctx, id, false).await?;
    let mut row = old.clone();
    let mut errs = FieldErrors::default();
    match &add {
        Some(i) => {
            row.dnc = true;
            row.dnc_reason = input::text(&mut errs, "reason", i.reason.as_deref(), 500);
            row.dnc_at = Some(ctx.now);
        }
        None => {
            row.dnc = false;
            row.dnc_reason = None;
            row.dnc_at = None;
        }
    }
    errs.finish()?;
    if old.dnc == row.dnc && old.dnc_reason == row.dnc_reason {
        return Ok(old);
    }
    row.updated_at = ctx.now;
    let saved = khach_db::customers::update(c, row).await?;
    let mut ch = Changes::new();
    ch.diff("do_not_contact", &old.dnc, &saved.dnc);
    ch.diff("do_not_contact_reason", &old.dnc_reason, &saved.dnc_reason);
    audit::record(
        c,
        ctx,
        "customer",
        Some(id.to_string()),
        "do_not_contact",
        ch,
    )
    .await?;
    let kind = if saved.dnc {
        "do_not_contact_added"
    } else {
        "do_not_contact_removed"
    };
    timeline(c, ctx, id, kind, json!({"reason": saved.dnc_reason})).await?;
    Ok(saved)
}

/// Which source a customer keeps when it arrives from `incoming`.
pub fn attribute(rule: SourceRule, current: Option<(i64, i32)>, incoming: (i64, i32)) -> i64 {
    match (rule, current) {
        (_, None) => incoming.0,
        (SourceRule::First, Some(c)) => c.0,
        (SourceRule::Last, Some(_)) => incoming.0,
        // Lower priority number wins; a tie keeps what is there.
        (SourceRule::Priority, Some(c)) => {
            if incoming.1 < c.1 {
                incoming.0
            } else {
                c.0
            }
        }
    }
}

/// A customer arrives again from a channel: the attribution rule decides its source,
/// and the arrival is on the timeline either way.
pub async fn arrive(core: &Core, ctx: &Ctx, id: i64, a: Arrival) -> CoreResult<Customer> {
    ctx.require(Module::Customers, Action::Edit)?;
    let tx = core.db.begin().await?;
    let old = load(&tx, ctx, id, false).await?;
    let incoming = khach_db::taxonomy::sources::get(&tx, a.source_id)
        .await?
        .ok_or_else(|| CoreError::fields([("source_id", "value-unknown-ref")]))?;
    let current = match old.source_id {
        Some(s) => khach_db::taxonomy::sources::get(&tx, s)
            .await?
            .map(|s| (s.id, s.priority)),
        None => None,
    };
    let rule = super::settings::customer_settings(&tx).await?.source_rule;
    let keep = attribute(rule, current, (incoming.id, incoming.priority));
    let mut row = old.clone();
    if Some(keep) != old.source_id {
        row.source_id = Some(keep);
        row.updated_at = ctx.now;
        row = khach_db::customers::update(&tx, row).await?;
        let mut ch = Changes::new();
        ch.diff("source_id", &old.source_id, &row.source_id);
        audit::record(&tx, ctx, "customer", Some(id.to_string()), "update", ch).await?;
    }
    timeline(
        &tx,
        ctx,
        id,
        "arrived",
        json!({"source_id": incoming.id, "kept_source_id": keep}),
    )
    .await?;
    let out = hydrate(&tx, ctx, vec![row]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::attribute;
    use khach_types::api::SourceRule;

    #[test]
    fn source_attribution_rules() {
        assert_eq!(attribute(SourceRule::First, Some((1, 50)), (2, 10)), 1);
        assert_eq!(attribute(SourceRule::Last, Some((1, 50)), (2, 10)), 2);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 50)), (2, 10)), 2);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 10)), (2, 50)), 1);
        assert_eq!(attribute(SourceRule::Priority, Some((1, 10)), (2, 10)), 1);
        assert_eq!(attribute(SourceRule::First, None, (2, 10)), 2);
    }
}
