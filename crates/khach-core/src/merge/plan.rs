//! Which value of each field the survivor keeps: the one chosen per field, by
//! default the survivor's own, or when it has none the first merged record's that
//! has one. Phones, e-mails, tags, supporters and viewers are united instead; a
//! customer on the do-not-contact list keeps the survivor on it.

use crate::{CoreError, CoreResult};
use khach_db::customers::Customer as Row;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Fields chosen as a whole.
pub const FIELDS: [&str; 9] = [
    "name",
    "gender",
    "birthday",
    "address",
    "company_id",
    "source_id",
    "stage_id",
    "owner_id",
    "notes",
];

/// A field's stored value on one record, as JSON (`null` when empty).
pub fn value_of(r: &Row, key: &str) -> Value {
    let v = match key {
        "name" => json!(r.name),
        "gender" => json!(r.gender),
        "birthday" => json!(r.birthday),
        "address" => {
            if r.province_code.is_none() && r.street.is_none() && r.legacy_province.is_none() {
                Value::Null
            } else {
                json!({
                    "province_code": r.province_code, "ward_code": r.ward_code,
                    "street": r.street, "legacy_province": r.legacy_province,
                    "legacy_district": r.legacy_district, "legacy_ward": r.legacy_ward,
                })
            }
        }
        "company_id" => json!(r.company_id),
        "source_id" => json!(r.source_id),
        "stage_id" => json!(r.stage_id),
        "owner_id" => json!(r.owner_id),
        "notes" => json!(r.notes),
        k => match k.strip_prefix("custom.") {
            Some(ck) => r.custom.get(ck).cloned().unwrap_or(Value::Null),
            None => Value::Null,
        },
    };
    match v {
        Value::String(s) if s.trim().is_empty() => Value::Null,
        v => v,
    }
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(String::from)
}

/// Writes `v` (from [`value_of`]) into the field `key` of `r`.
pub fn set_value(r: &mut Row, key: &str, v: &Value) {
    match key {
        "name" => {
            if let Some(s) = v.as_str() {
                r.name = s.to_string();
            }
        }
        "gender" => r.gender = opt_str(v),
        "birthday" => r.birthday = serde_json::from_value(v.clone()).ok().flatten(),
        "address" => {
            let f = |k: &str| v.get(k).and_then(opt_str);
            r.province_code = f("province_code");
            r.ward_code = f("ward_code");
            r.street = f("street");
            r.legacy_province = f("legacy_province");
            r.legacy_district = f("legacy_district");
            r.legacy_ward = f("legacy_ward");
        }
        "company_id" => r.company_id = v.as_i64(),
        "source_id" => r.source_id = v.as_i64(),
        "stage_id" => r.stage_id = v.as_i64(),
        "owner_id" => r.owner_id = v.as_i64(),
        "notes" => r.notes = opt_str(v),
        k => {
            if let Some(ck) = k.strip_prefix("custom.") {
                let mut m = r.custom.as_object().cloned().unwrap_or_else(Map::new);
                if v.is_null() {
                    m.remove(ck);
                } else {
                    m.insert(ck.to_string(), v.clone());
                }
                r.custom = Value::Object(m);
            }
        }
    }
}

/// The fields of a merge: every whole field, and every custom field any record
/// holds.
pub fn keys(rows: &[Row]) -> Vec<String> {
    let mut keys: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    let mut custom: Vec<String> = rows
        .iter()
        .filter_map(|r| r.custom.as_object())
        .flat_map(|m| m.keys().map(|k| format!("custom.{k}")))
        .collect();
    custom.sort();
    custom.dedup();
    keys.extend(custom);
    keys
}

/// The record whose value each field keeps. `rows[0]` is the survivor; `chosen`
/// comes from the caller (checked: known fields, involved records).
pub fn choose(rows: &[Row], chosen: &BTreeMap<String, i64>) -> CoreResult<BTreeMap<String, i64>> {
    let all = keys(rows);
    let mut errs = BTreeMap::new();
    for (k, id) in chosen {
        let known = all.contains(k);
        if !known {
            errs.insert("fields".to_string(), "merge-field-unknown");
        } else if !rows.iter().any(|r| r.id == *id) {
            errs.insert(format!("fields.{k}"), "merge-field-not-involved");
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Validation(errs));
    }
    let Some(survivor) = rows.first() else {
        return Err(CoreError::NotFound);
    };
    Ok(all
        .into_iter()
        .map(|k| {
            let id = chosen.get(&k).copied().unwrap_or_else(|| {
                rows.iter()
                    .find(|r| !value_of(r, &k).is_null())
                    .map_or(survivor.id, |r| r.id)
            });
            (k, id)
        })
        .collect())
}

/// The survivor as the merge leaves it (fields only; contacts are united apart).
pub fn apply(rows: &[Row], choice: &BTreeMap<String, i64>) -> Option<Row> {
    let mut out = rows.first()?.clone();
    for (k, id) in choice {
        if let Some(from) = rows.iter().find(|r| r.id == *id) {
            set_value(&mut out, k, &value_of(from, k));
        }
    }
    if let Some(d) = rows.iter().find(|r| r.dnc) {
        out.dnc = true;
        out.dnc_reason = d.dnc_reason.clone();
        out.dnc_at = d.dnc_at;
    }
    Some(out)
}
