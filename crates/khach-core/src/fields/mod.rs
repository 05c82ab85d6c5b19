//! Custom fields (trường tuỳ chỉnh): definitions per entity, validation of values on
//! every write path, and type changes that never silently destroy stored values.

pub mod value;

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::custom_fields::CustomField as Row;
use khach_types::api::{
    ChangeFieldKind, CreateCustomField, CustomField, CustomFieldList, CustomFieldQuery,
    FieldEntity, FieldKind, FieldOption, KindChangePreview, KindChangeSample, UpdateCustomField,
};
use khach_types::{Action, Module};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A definition as the rules use it.
#[derive(Debug, Clone)]
pub struct Def {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub unique: bool,
    pub show_in_list: bool,
    pub filterable: bool,
    pub options: Vec<FieldOption>,
}

fn def(r: &Row) -> CoreResult<Def> {
    Ok(Def {
        id: r.id,
        key: r.key.clone(),
        label: r.label.clone(),
        kind: FieldKind::parse(&r.kind)
            .ok_or_else(|| CoreError::Internal(format!("field kind {}", r.kind)))?,
        required: r.required,
        unique: r.unique_values,
        show_in_list: r.show_in_list,
        filterable: r.filterable,
        options: serde_json::from_value(r.options.clone())
            .map_err(|e| CoreError::Internal(e.to_string()))?,
    })
}

fn to_api(r: Row) -> CoreResult<CustomField> {
    let d = def(&r)?;
    Ok(CustomField {
        id: r.id,
        entity: FieldEntity::parse(&r.entity).unwrap_or(FieldEntity::Customer),
        key: r.key,
        label: r.label,
        kind: d.kind,
        required: r.required,
        unique: r.unique_values,
        position: r.position,
        show_in_list: r.show_in_list,
        filterable: r.filterable,
        importable: r.importable,
        options: d.options,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The definitions of an entity, in display order.
pub async fn defs(c: &impl ConnectionTrait, entity: FieldEntity) -> CoreResult<Vec<Def>> {
    khach_db::custom_fields::for_entity(c, entity.as_str())
        .await?
        .iter()
        .map(def)
        .collect()
}

/// Validates `input` against `defs` and merges it into `doc`. A key set to `null`
/// clears it. `creating`: required fields must be present.
pub fn merge(
    defs: &[Def],
    doc: &Map<String, Value>,
    input: &Map<String, Value>,
    creating: bool,
) -> CoreResult<Map<String, Value>> {
    let mut errs = BTreeMap::new();
    let mut out = doc.clone();
    for (k, raw) in input {
        let field = format!("custom.{k}");
        let Some(d) = defs.iter().find(|d| &d.key == k) else {
            errs.insert(field, "cf-unknown");
            continue;
        };
        match value::parse(d.kind, &d.options, raw) {
            Ok(Some(v)) => {
                out.insert(k.clone(), v);
            }
            Ok(None) => {
                out.remove(k);
            }
            Err(key) => {
                errs.insert(field, key);
            }
        }
    }
    for d in defs.iter().filter(|d| d.required) {
        let touched = input.contains_key(&d.key);
        if (creating || touched)
            && !out.contains_key(&d.key)
            && !errs.contains_key(&format!("custom.{}", d.key))
        {
            errs.insert(format!("custom.{}", d.key), "value-required");
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(CoreError::Validation(errs))
    }
}

fn parse_label(raw: &str) -> CoreResult<String> {
    let n = raw.trim();
    if n.is_empty() || raw.chars().count() > 200 {
        return Err(CoreError::fields([("label", "value-length-1-200")]));
    }
    Ok(n.to_string())
}

fn valid_key(k: &str) -> bool {
    (1..=64).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `"Hạng thành viên"` → `hang_thanh_vien`.
fn key_from_label(label: &str) -> String {
    let mut k: String = khach_types::fold(label)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while k.contains("__") {
        k = k.replace("__", "_");
    }
    let k = k.trim_matches('_').to_string();
    let k = if k.starts_with(|c: char| c.is_ascii_lowercase()) {
        k
    } else {
        format!("f_{k}")
    };
    k.chars().take(64).collect()
}

fn check_options(kind: FieldKind, options: &[FieldOption]) -> CoreResult<()> {
    if kind.has_options() && options.is_empty() {
        return Err(CoreError::fields([("options", "cf-options-required")]));
    }
    let mut seen = Vec::new();
    for o in options {
        let ok = (1..=64).contains(&o.key.len())
            && o.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !o.label.trim().is_empty()
            && o.label.chars().count() <= 200;
        if !ok || seen.contains(&&o.key) {
            return Err(CoreError::fields([("options", "cf-options-invalid")]));
        }
        seen.push(&o.key);
    }
    if options.len() > 500 {
        return Err(CoreError::fields([("options", "cf-options-invalid")]));
    }
    Ok(())
}

pub async fn list(core: &Core, ctx: &Ctx, q: &CustomFieldQuery) -> CoreResult<CustomFieldList> {
    ctx.require(Module::Customers, Action::View)?;
    let entity = q.entity.unwrap_or(FieldEntity::Customer);
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        return Err(CoreError::fields([("q", "value-too-long")]));
    }
    let needle =
        q.q.as_deref()
            .map(khach_types::fold)
            .filter(|s| !s.is_empty());
    let rows = khach_db::custom_fields::for_entity(core.db.conn(), entity.as_str()).await?;
    let items = rows
        .into_iter()
        .filter(|r| {
            needle.as_ref().is_none_or(|n| {
                khach_types::fold(&r.label).contains(n.as_str()) || r.key.contains(n.as_str())
            })
        })
        .map(to_api)
        .collect::<CoreResult<_>>()?;
    Ok(CustomFieldList { items })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<CustomField> {
    ctx.require(Module::Customers, Action::View)?;
    to_api(
        khach_db::custom_fields::defs::get(core.db.conn(), id)
            .await?
            .ok_or(CoreError::NotFound)?,
    )
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateCustomField) -> CoreResult<CustomField> {
    ctx.require(Module::Customers, Action::Settings)?;
    let label = parse_label(&input.label)?;
    let key = match &input.key {
        Some(k) if valid_key(k) => k.clone(),
        Some(_) => return Err(CoreError::fields([("key", "cf-key-invalid")])),
        None => key_from_label(&label),
    };
    check_options(input.kind, &input.options)?;
    let options = if input.kind.has_options() {
        input.options.clone()
    } else {
        Vec::new()
    };
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let existing = khach_db::custom_fields::for_entity(&tx, input.entity.as_str()).await?;
    if existing.iter().any(|r| r.key == key) {
        return Err(CoreError::Conflict {
            field: "key",
            key: "value-taken",
        });
    }
    let position = input
        .position
        .unwrap_or_else(|| existing.iter().map(|r| r.position).max().unwrap_or(0) + 1);
    let row = khach_db::custom_fields::defs::insert(
        &tx,
        Row {
            id: 0,
            entity: input.entity.as_str().into(),
            key,
            label,
            kind: input.kind.as_str().into(),
            required: input.required,
            unique_values: input.unique,
            position,
            show_in_list: input.show_in_list,
            filterable: input.filterable,
            importable: input.importable,
            options: serde_json::to_value(&options)
                .map_err(|e| CoreError::Internal(e.to_string()))?,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("key", &row.key);
    ch.set("label", &row.label);
    ch.set("kind", &row.kind);
    audit::record(
        &tx,
        ctx,
        "custom_field",
        Some(row.id.to_string()),
        "create",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    to_api(row)
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateCustomField,
) -> CoreResult<CustomField> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let old = khach_db::custom_fields::defs::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let d = def(&old)?;
    let mut row = old.clone();
    if let Some(l) = &input.label {
        row.label = parse_label(l)?;
    }
    macro_rules! set {
        ($f:ident, $col:ident) => {
            if let Some(v) = input.$f {
                row.$col = v;
            }
        };
    }
    set!(required, required);
    set!(unique, unique_values);
    set!(position, position);
    set!(show_in_list, show_in_list);
    set!(filterable, filterable);
    set!(importable, importable);
    let mut ch = Changes::new();
    if let Some(opts) = &input.options {
        if !d.kind.has_options() {
            return Err(CoreError::fields([("options", "cf-options-not-allowed")]));
        }
        check_options(d.kind, opts)?;
        // Removing an option still in use would orphan stored values: refuse.
        let removed: Vec<&FieldOption> = d
            .options
            .iter()
            .filter(|o| !opts.iter().any(|n| n.key == o.key))
            .collect();
        if !removed.is_empty() {
            let values = khach_db::custom_fields::values(&tx, &old.entity, &old.key).await?;
            let in_use = values
                .iter()
                .any(|(_, v)| removed.iter().any(|o| holds(v, &o.key)));
            if in_use {
                return Err(CoreError::InUse("cf-option-in-use"));
            }
        }
        ch.diff("options", &d.options, opts);
        row.options = serde_json::to_value(opts).map_err(|e| CoreError::Internal(e.to_string()))?;
    }
    if row.unique_values && !old.unique_values {
        let values = khach_db::custom_fields::values(&tx, &old.entity, &old.key).await?;
        let mut seen = std::collections::HashSet::new();
        if values.iter().any(|(_, v)| !seen.insert(v.to_string())) {
            return Err(CoreError::InUse("cf-unique-has-duplicates"));
        }
    }
    ch.diff("label", &old.label, &row.label);
    ch.diff("required", &old.required, &row.required);
    ch.diff("unique", &old.unique_values, &row.unique_values);
    ch.diff("position", &old.position, &row.position);
    ch.diff("show_in_list", &old.show_in_list, &row.show_in_list);
    ch.diff("filterable", &old.filterable, &row.filterable);
    ch.diff("importable", &old.importable, &row.importable);
    if ch.is_empty() {
        return to_api(old);
    }
    row.updated_at = ctx.now;
    let saved = khach_db::custom_fields::defs::update(&tx, row).await?;
    audit::record(&tx, ctx, "custom_field", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    to_api(saved)
}

fn holds(v: &Value, key: &str) -> bool {
    match v {
        Value::String(s) => s == key,
        Value::Array(a) => a.iter().any(|x| x.as_str() == Some(key)),
        _ => false,
    }
}

/// Deleting a field that still holds values is refused; the values are data.
pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let old = khach_db::custom_fields::defs::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !khach_db::custom_fields::values(&tx, &old.entity, &old.key)
        .await?
        .is_empty()
    {
        return Err(CoreError::InUse("cf-has-values"));
    }
    khach_db::custom_fields::defs::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("key", &Some(old.key), &None);
    audit::record(&tx, ctx, "custom_field", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// Previews (and with `apply`, performs) a change of type. Refused while any stored
/// value cannot be converted: the caller fixes or clears those first.
pub async fn change_kind(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: ChangeFieldKind,
) -> CoreResult<KindChangePreview> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let old = khach_db::custom_fields::defs::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let d = def(&old)?;
    if input.kind.has_options() && !d.kind.has_options() {
        // A select needs options first; converting into one from free text would
        // fail for every value.
        return Err(CoreError::fields([("kind", "cf-kind-needs-options")]));
    }
    let values = khach_db::custom_fields::values(&tx, &old.entity, &old.key).await?;
    let mut converted = Vec::new();
    let mut samples = Vec::new();
    let (mut changed_samples, mut failed_samples) = (0, 0);
    let mut failing = 0u64;
    for (rid, v) in &values {
        let after = value::parse(input.kind, &d.options, v)
            .ok()
            .flatten()
            .or_else(|| {
                value::parse(
                    input.kind,
                    &d.options,
                    &Value::String(value::display(d.kind, &d.options, v)),
                )
                .ok()
                .flatten()
            });
        match after {
            Some(a) => {
                if &a != v && changed_samples < 20 {
                    changed_samples += 1;
                    samples.push(KindChangeSample {
                        record_id: *rid,
                        before: v.clone(),
                        after: Some(a.clone()),
                    });
                }
                converted.push((*rid, a));
            }
            None => {
                failing += 1;
                if failed_samples < 20 {
                    failed_samples += 1;
                    samples.push(KindChangeSample {
                        record_id: *rid,
                        before: v.clone(),
                        after: None,
                    });
                }
            }
        }
    }
    let contact = |k: FieldKind| matches!(k, FieldKind::Phone | FieldKind::Email);
    if ctx.masked() && (contact(d.kind) || contact(input.kind)) {
        // A role with masking sees the shape of the change, not the numbers.
        for s in &mut samples {
            s.before = crate::customers::mask_leaf(std::mem::take(&mut s.before));
            s.after = s.after.take().map(crate::customers::mask_leaf);
        }
    }
    let mut preview = KindChangePreview {
        from: d.kind,
        to: input.kind,
        total: values.len() as u64,
        convertible: converted.len() as u64,
        failing,
        samples,
        applied: false,
    };
    if !input.apply || input.kind == d.kind {
        return Ok(preview);
    }
    if failing > 0 {
        return Err(CoreError::InUse("cf-kind-change-lossy"));
    }
    let entity = old.entity.clone();
    for (rid, a) in converted {
        let doc = match entity.as_str() {
            "company" => khach_db::companies::rows::get(&tx, rid)
                .await?
                .map(|r| r.custom),
            _ => khach_db::customers::get(&tx, rid).await?.map(|r| r.custom),
        };
        if let Some(Value::Object(mut m)) = doc {
            m.insert(old.key.clone(), a);
            khach_db::custom_fields::set_doc(&tx, &entity, rid, Value::Object(m)).await?;
        }
    }
    let mut row = old.clone();
    row.kind = input.kind.as_str().into();
    if !input.kind.has_options() {
        row.options = Value::Array(Vec::new());
    }
    row.updated_at = ctx.now;
    khach_db::custom_fields::defs::update(&tx, row).await?;
    let mut ch = Changes::new();
    ch.diff("kind", &d.kind, &input.kind);
    ch.set("converted_values", &preview.convertible);
    audit::record(
        &tx,
        ctx,
        "custom_field",
        Some(id.to_string()),
        "change_kind",
        ch,
    )
    .await?;
    khach_db::commit(tx).await?;
    preview.applied = true;
    Ok(preview)
}
