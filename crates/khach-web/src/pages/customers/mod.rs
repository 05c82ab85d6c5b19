//! Customer pages (CRM360): the list with quick search, filters, columns and bulk
//! actions; create; the detail page with inline edit and tabs; the recycle bin.

pub mod assign;
pub mod detail;
mod filter_form;
mod ownership;

pub use ownership::{member as ownership_member, owner as ownership_owner};
pub mod form;
pub mod list;
pub mod prefs;

use crate::i18n::t;
use khach_core::fields::{Def, value};
use khach_types::Locale;
use khach_types::api::Customer;

/// Text of one list column for a customer.
pub fn cell(l: Locale, c: &Customer, col: &str, defs: &[Def]) -> String {
    match col {
        "code" => c.code.clone(),
        "name" => c.name.clone(),
        "phone" => c
            .phones
            .first()
            .map(|p| p.display.clone())
            .unwrap_or_default(),
        "email" => c.emails.first().cloned().unwrap_or_default(),
        "gender" => c
            .gender
            .map(|g| t(l, &format!("gender-{}", g.as_str())))
            .unwrap_or_default(),
        "birthday" => c
            .birthday
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        "province" => c
            .address
            .province_name
            .clone()
            .or(c.address.legacy_province.clone())
            .unwrap_or_default(),
        "company" => c.company_name.clone().unwrap_or_default(),
        "source" => c.source_name.clone().unwrap_or_default(),
        "stage" => c.stage_name.clone().unwrap_or_default(),
        "tags" => c
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        "owner" => c
            .owner
            .as_ref()
            .map(|o| o.full_name.clone())
            .unwrap_or_default(),
        "supporters" => c
            .supporters
            .iter()
            .map(|a| a.full_name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        "created_at" => super::format::datetime(&c.created_at),
        "updated_at" => super::format::datetime(&c.updated_at),
        "interaction_count" => c.interaction_count.to_string(),
        "score" => c.score.to_string(),
        "last_contact" => c
            .days_since_last_contact
            .map(|d| d.to_string())
            .unwrap_or_default(),
        other => match other
            .strip_prefix("cf.")
            .and_then(|k| defs.iter().find(|d| d.key == k))
        {
            Some(d) => c
                .custom
                .get(&d.key)
                .map(|v| value::display(d.kind, &d.options, v))
                .unwrap_or_default(),
            None => String::new(),
        },
    }
}

/// Header label of a column.
pub fn column_label(l: Locale, col: &str, defs: &[Def]) -> String {
    match col.strip_prefix("cf.") {
        Some(k) => defs
            .iter()
            .find(|d| d.key == k)
            .map(|d| d.label.clone())
            .unwrap_or_default(),
        None => t(l, &format!("field-{}", col.replace('_', "-"))),
    }
}
