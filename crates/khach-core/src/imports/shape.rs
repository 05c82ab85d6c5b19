//! How a row's values become a customer: a new one, or an existing one with the
//! row's present values written over it (and what it held, for undo).

use super::row::Values;
use crate::Ctx;
use crate::customers::input;
use chrono::{DateTime, NaiveDate, Utc};
use khach_db::customers::Customer;
use khach_db::customers::bulk::NewCustomer;
use khach_types::api::ImportOptions;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What an overwrite replaced, to put back on undo.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Snapshot {
    pub code: String,
    pub name: String,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub province_code: Option<String>,
    pub ward_code: Option<String>,
    pub street: Option<String>,
    pub notes: Option<String>,
    pub stage_id: Option<i64>,
    pub source_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub custom: Value,
    /// Set when the import replaced them.
    pub phones: Option<Vec<(String, String)>>,
    pub emails: Option<Vec<String>>,
    /// Set when the import added tags: the tags before.
    pub tags: Option<Vec<i64>>,
}

pub(super) fn same_e164(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0)
}

pub(super) fn same_row(a: &Customer, b: &Customer) -> bool {
    a.code == b.code
        && a.name == b.name
        && a.gender == b.gender
        && a.birthday == b.birthday
        && a.province_code == b.province_code
        && a.ward_code == b.ward_code
        && a.street == b.street
        && a.notes == b.notes
        && a.stage_id == b.stage_id
        && a.source_id == b.source_id
        && a.owner_id == b.owner_id
        && a.custom == b.custom
}

/// The customer with the row's present values written over it, and what it held.
pub(super) fn overwrite(
    old: &Customer,
    v: &Values,
    phones: &[(String, String)],
    emails: &[String],
) -> (Customer, Snapshot) {
    let snap = Snapshot {
        code: old.code.clone(),
        name: old.name.clone(),
        gender: old.gender.clone(),
        birthday: old.birthday,
        province_code: old.province_code.clone(),
        ward_code: old.ward_code.clone(),
        street: old.street.clone(),
        notes: old.notes.clone(),
        stage_id: old.stage_id,
        source_id: old.source_id,
        owner_id: old.owner_id,
        custom: old.custom.clone(),
        phones: Some(phones.to_vec()),
        emails: Some(emails.to_vec()),
        tags: None,
    };
    let mut r = old.clone();
    macro_rules! put {
        ($f:ident, $v:expr) => {
            if let Some(x) = $v {
                r.$f = x;
            }
        };
    }
    put!(code, v.code.clone());
    put!(name, v.name.clone());
    if v.gender.is_some() {
        r.gender = v.gender.clone();
    }
    if v.birthday.is_some() {
        r.birthday = v.birthday;
    }
    if v.province.is_some() {
        r.province_code = v.province.clone();
        r.ward_code = v.ward.clone();
    }
    if v.street.is_some() {
        r.street = v.street.clone();
    }
    if v.notes.is_some() {
        r.notes = v.notes.clone();
    }
    if v.stage_id.is_some() {
        r.stage_id = v.stage_id;
    }
    if v.source_id.is_some() {
        r.source_id = v.source_id;
    }
    if v.owner.is_some() {
        r.owner_id = v.owner;
    }
    if !v.custom.is_empty() {
        let mut m: Map<String, Value> = old.custom.as_object().cloned().unwrap_or_default();
        m.extend(v.custom.clone());
        r.custom = Value::Object(m);
    }
    (r, snap)
}

pub(super) fn new_customer(
    ctx: &Ctx,
    o: &ImportOptions,
    v: Values,
    code: String,
    owner: Option<i64>,
    tags: Vec<i64>,
    now: DateTime<Utc>,
) -> NewCustomer {
    let phones = v.phones.unwrap_or_default();
    let emails = v.emails.unwrap_or_default();
    let name = v.name.unwrap_or_default();
    let (name_lc, search_name, search_contact) =
        input::search_texts(&name, &code, &phones, &emails);
    let row = Customer {
        id: 0,
        code,
        name,
        name_lc,
        search_name,
        search_contact,
        search_tri: None,
        gender: v.gender,
        birthday: v.birthday,
        phone: phones.first().map(|p| p.0.clone()),
        email: emails.first().cloned(),
        province_code: v.province,
        ward_code: v.ward,
        street: v.street,
        legacy_province: None,
        legacy_district: None,
        legacy_ward: None,
        company_id: None,
        source_id: v.source_id.or(o.source_id),
        stage_id: v.stage_id.or(o.stage_id),
        owner_id: owner,
        notes: v.notes,
        custom: Value::Object(v.custom),
        dnc: false,
        dnc_reason: None,
        dnc_at: None,
        created_by: ctx.account_id(),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        deleted_by: None,
    };
    NewCustomer {
        row,
        phones,
        emails,
        tags,
    }
}
