//! Carrying out a merge (or, with `dry_run`, only showing it).

use super::plan;
use crate::audit::{self, Changes};
use crate::customers::{check_unique, customer_settings, input, timeline};
use crate::{Core, CoreError, CoreResult, Ctx, fields};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_db::ownership::AccessKind;
use khach_types::api::{FieldEntity, MergeField, MergeInput, MergePreview};
use khach_types::mask_email;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A field's value as a person reads it (names of linked records, dd/MM/yyyy).
async fn shown(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    defs: &[fields::Def],
    key: &str,
    v: &Value,
) -> CoreResult<String> {
    let id = v.as_i64();
    Ok(match (key, v) {
        (_, Value::Null) => String::new(),
        ("company_id", _) => match id {
            Some(i) => khach_db::companies::rows::get(c, i)
                .await?
                .map(|x| x.name)
                .unwrap_or_default(),
            None => String::new(),
        },
        ("stage_id", _) | ("source_id", _) => {
            let names: Vec<(i64, String)> = if key == "stage_id" {
                khach_db::taxonomy::stages::all(c)
                    .await?
                    .into_iter()
                    .map(|s| (s.id, s.name))
                    .collect()
            } else {
                khach_db::taxonomy::sources::all(c)
                    .await?
                    .into_iter()
                    .map(|s| (s.id, s.name))
                    .collect()
            };
            names
                .into_iter()
                .find(|(i, _)| Some(*i) == id)
                .map(|x| x.1)
                .unwrap_or_default()
        }
        ("owner_id", _) => match id {
            Some(i) => khach_db::accounts::get(c, i)
                .await?
                .map(|a| a.full_name)
                .unwrap_or_default(),
            None => String::new(),
        },
        ("birthday", Value::String(d)) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| d.clone()),
        ("address", a) => {
            let f = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
            let ward = match (f("province_code"), f("ward_code")) {
                (Some(p), Some(w)) => khach_types::units::ward(&p, &w).map(|w| w.name.to_string()),
                _ => None,
            };
            let province = f("province_code")
                .as_deref()
                .and_then(khach_types::units::province)
                .map(|p| p.name.to_string());
            [f("street"), ward, province, f("legacy_province")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        }
        (k, v) => match k.strip_prefix("custom.") {
            Some(ck) => match defs.iter().find(|d| d.key == ck) {
                Some(d) => {
                    let mut doc = serde_json::Map::new();
                    doc.insert(ck.to_string(), v.clone());
                    if ctx.masked() {
                        crate::customers::mask_custom(&mut doc, defs);
                    }
                    let v = doc.get(ck).cloned().unwrap_or(Value::Null);
                    fields::value::display(d.kind, &d.options, &v)
                }
                None => v.to_string(),
            },
            None => v.as_str().map_or_else(|| v.to_string(), String::from),
        },
    })
}

/// The merged ids, checked: 1–9, distinct, not the survivor.
fn merged_ids(inp: &MergeInput) -> CoreResult<Vec<i64>> {
    let mut seen = HashSet::from([inp.survivor_id]);
    let ok = !inp.merged_ids.is_empty()
        && inp.merged_ids.len() <= 9
        && inp.merged_ids.iter().all(|i| seen.insert(*i));
    if !ok {
        return Err(CoreError::fields([("merged_ids", "merge-ids-invalid")]));
    }
    Ok(inp.merged_ids.clone())
}

/// Merges `inp.merged_ids` into `inp.survivor_id`, or with `dry_run` only answers
/// what would happen.
pub async fn merge(core: &Core, ctx: &Ctx, inp: MergeInput) -> CoreResult<MergePreview> {
    let merged = merged_ids(&inp)?;
    let survivor = inp.survivor_id;
    let mut all = vec![survivor];
    all.extend(&merged);
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    super::check_editable(&tx, ctx, &all).await?;
    let mut rows: Vec<Row> = Vec::new();
    for id in &all {
        rows.push(
            khach_db::customers::get(&tx, *id)
                .await?
                .ok_or(CoreError::NotFound)?,
        );
    }
    let choice = plan::choose(&rows, &inp.fields)?;
    let mut new = plan::apply(&rows, &choice).ok_or(CoreError::NotFound)?;
    let defs = fields::defs(&tx, FieldEntity::Customer).await?;

    // Phones, e-mails and tags: the survivor's first, then the others' new ones.
    let mut phone_map = khach_db::customers::phones_of(&tx, &all).await?;
    let mut email_map = khach_db::customers::emails_of(&tx, &all).await?;
    let tag_map = khach_db::customers::tags_of(&tx, &all).await?;
    let (mut phones, mut emails, mut tags) = (Vec::new(), Vec::new(), Vec::new());
    for id in &all {
        for (e, typed) in phone_map.remove(id).unwrap_or_default() {
            if !phones.iter().any(|(p, _): &(String, String)| *p == e) {
                phones.push((e.clone(), typed.unwrap_or(e)));
            }
        }
        for e in email_map.remove(id).unwrap_or_default() {
            if !emails.contains(&e) {
                emails.push(e);
            }
        }
        for t in tag_map.get(id).cloned().unwrap_or_default() {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    let before = |id: i64| rows.iter().find(|r| r.id == id);
    let counts = khach_db::merges::movable_counts(&tx, &merged).await?;
    let mut field_list = Vec::new();
    for (key, chosen) in &choice {
        let mut values = BTreeMap::new();
        let mut distinct = HashSet::new();
        for r in &rows {
            let v = plan::value_of(r, key);
            if !v.is_null() {
                distinct.insert(v.to_string());
            }
            values.insert(r.id, shown(&tx, ctx, &defs, key, &v).await?);
        }
        field_list.push(MergeField {
            key: key.clone(),
            values,
            chosen: *chosen,
            conflict: distinct.len() > 1,
        });
    }
    let all_tags = khach_db::taxonomy::tags::all(&tx).await?;
    let masked = ctx.masked();
    let mut preview = MergePreview {
        survivor_id: survivor,
        merged_ids: merged.clone(),
        fields: field_list,
        phones: phones
            .iter()
            .map(|(e, _)| crate::customers::phone_out(e, None, masked).display)
            .collect(),
        emails: emails
            .iter()
            .map(|e| if masked { mask_email(e) } else { e.clone() })
            .collect(),
        tags: tags
            .iter()
            .filter_map(|t| all_tags.iter().find(|x| x.id == *t).map(|x| x.name.clone()))
            .collect(),
        events_moved: counts.get("event").copied().unwrap_or(0),
        contacts_moved: counts.get("contact").copied().unwrap_or(0),
        import_rows_moved: counts.get("import_row").copied().unwrap_or(0),
        merge_id: None,
    };
    if inp.dry_run {
        return Ok(preview);
    }

    // The merged records leave every live list first, so that the survivor may hold
    // their phones and e-mails.
    for r in rows.iter().skip(1) {
        let mut t = r.clone();
        t.deleted_at = Some(ctx.now);
        t.deleted_by = ctx.account_id();
        t.updated_at = ctx.now;
        khach_db::customers::update(&tx, t).await?;
    }
    let settings = customer_settings(&tx).await?;
    check_unique(&tx, &settings, &defs, &new, &phones, &emails).await?;
    let (name_lc, search_name, search_contact) =
        input::search_texts(&new.name, &new.code, &phones, &emails);
    new.name_lc = name_lc;
    new.search_name = search_name;
    new.search_contact = search_contact;
    new.phone = phones.first().map(|p| p.0.clone());
    new.email = emails.first().cloned();
    new.updated_at = ctx.now;
    let old = before(survivor).cloned().ok_or(CoreError::NotFound)?;
    khach_db::customers::update(&tx, new.clone()).await?;
    let old_phones: Vec<String> = khach_db::customers::phones_of(&tx, &[survivor])
        .await?
        .remove(&survivor)
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.0)
        .collect();
    let old_emails = khach_db::customers::emails_of(&tx, &[survivor])
        .await?
        .remove(&survivor)
        .unwrap_or_default();
    let old_tags = tag_map.get(&survivor).cloned().unwrap_or_default();
    khach_db::customers::set_phones(&tx, survivor, &phones).await?;
    khach_db::customers::set_emails(&tx, survivor, &emails).await?;
    let added_tags: Vec<i64> = tags
        .iter()
        .copied()
        .filter(|t| !old_tags.contains(t))
        .collect();
    khach_db::customers::add_tags(&tx, &[survivor], &added_tags).await?;

    // Supporters and viewers united; the others' owners become supporters.
    let access = khach_db::ownership::access_of(&tx, &all).await?;
    let mine: HashSet<(i64, &str)> = access
        .get(&survivor)
        .into_iter()
        .flatten()
        .map(|(a, k)| (*a, k.as_str()))
        .collect();
    let mut added_access: Vec<(i64, AccessKind)> = Vec::new();
    for r in rows.iter().skip(1) {
        let mut theirs = access.get(&r.id).cloned().unwrap_or_default();
        if let Some(o) = r.owner_id {
            theirs.push((o, AccessKind::Supporter));
        }
        for (a, k) in theirs {
            let new_one = Some(a) != new.owner_id
                && !mine.contains(&(a, k.as_str()))
                && !added_access.contains(&(a, k));
            if new_one {
                added_access.push((a, k));
            }
        }
    }
    for (a, k) in &added_access {
        khach_db::ownership::grant(&tx, &[survivor], &[*a], *k, ctx.account_id(), ctx.now).await?;
    }

    let keys: Vec<String> = choice.keys().cloned().collect();
    let snap = |r: &Row| -> serde_json::Map<String, Value> {
        keys.iter()
            .map(|k| (k.clone(), plan::value_of(r, k)))
            .collect()
    };
    let snapshot = json!({
        "before": snap(&old),
        "after": snap(&new),
        "dnc_before": old.dnc,
        "added_phones": phones.iter().map(|p| &p.0).filter(|p| !old_phones.contains(p)).collect::<Vec<_>>(),
        "added_emails": emails.iter().filter(|e| !old_emails.contains(e)).collect::<Vec<_>>(),
        "added_tags": added_tags,
        "added_access": added_access.iter().map(|(a, k)| json!([a, k.as_str()])).collect::<Vec<_>>(),
    });
    let merge_id =
        khach_db::merges::insert(&tx, survivor, &merged, snapshot, ctx.account_id(), ctx.now)
            .await?;
    khach_db::merges::move_rows(&tx, merge_id, survivor, &merged).await?;
    khach_db::duplicates::mark_merged(&tx, &all, ctx.account_id(), ctx.now).await?;
    let gone: Vec<Value> = rows
        .iter()
        .skip(1)
        .map(|r| json!({"id": r.id, "code": r.code, "name": r.name}))
        .collect();
    let chosen: HashMap<&String, &i64> = choice.iter().collect();
    timeline(
        &tx,
        ctx,
        survivor,
        "merged",
        json!({"merge_id": merge_id, "merged": gone, "fields": chosen}),
    )
    .await?;
    crate::interactions::recompute_ids(&tx, &all, ctx.now).await?;
    let mut ch = Changes::new();
    ch.set("merge_id", &merge_id);
    ch.set("merged_ids", &merged);
    for k in &keys {
        ch.diff(k, &plan::value_of(&old, k), &plan::value_of(&new, k));
    }
    audit::record(
        &tx,
        ctx,
        "customer",
        Some(survivor.to_string()),
        "merge",
        ch,
    )
    .await?;
    for m in &merged {
        let mut ch = Changes::new();
        ch.set("merged_into", &survivor);
        ch.set("merge_id", &merge_id);
        audit::record(&tx, ctx, "customer", Some(m.to_string()), "merged", ch).await?;
    }
    crate::sharing::on_customers_changed(&tx, &all, ctx.now).await?;
    khach_db::commit(tx).await?;
    preview.merge_id = Some(merge_id);
    Ok(preview)
}
