//! Parsing customer input into stored values: every field checked, every problem
//! reported at once.

use crate::error::FieldErrors;
use khach_types::{Email, Phone};

pub const MAX_PHONES: usize = 10;
pub const MAX_EMAILS: usize = 10;

pub fn name(errs: &mut FieldErrors, raw: &str) -> Option<String> {
    let n = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    // Limits count what was sent, spaces included, as the API schema says.
    if n.is_empty() || raw.chars().count() > 200 {
        errs.add("name", "value-length-1-200");
        return None;
    }
    Some(n)
}

/// Codes: letters, digits, `-`, `_`, `.`, `/`; 1–32 characters; stored upper-case.
pub fn code(errs: &mut FieldErrors, raw: &str) -> Option<String> {
    let c = raw.trim().to_uppercase();
    let ok = (1..=32).contains(&c.chars().count())
        && raw.chars().count() <= 32
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_./".contains(ch));
    if !ok {
        errs.add("code", "customer-code-invalid");
        return None;
    }
    Some(c)
}

/// `(e164, typed)` pairs, duplicates (same E.164) dropped.
pub fn phones(errs: &mut FieldErrors, raw: &[String]) -> Vec<(String, String)> {
    if raw.len() > MAX_PHONES {
        errs.add("phones", "value-too-many");
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        if r.trim().is_empty() {
            continue;
        }
        match Phone::parse(r) {
            Ok(p) => {
                if !out.iter().any(|(e, _)| e == p.e164()) {
                    out.push((p.e164().to_string(), r.trim().chars().take(60).collect()));
                }
            }
            Err(e) => errs.add(&format!("phones.{i}"), e.message_key()),
        }
    }
    out
}

pub fn emails(errs: &mut FieldErrors, raw: &[String]) -> Vec<String> {
    if raw.len() > MAX_EMAILS {
        errs.add("emails", "value-too-many");
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        if r.trim().is_empty() {
            continue;
        }
        match Email::parse(r) {
            Ok(e) => {
                if !out.iter().any(|x| x == e.as_str()) {
                    out.push(e.as_str().to_string());
                }
            }
            Err(e) => errs.add(&format!("emails.{i}"), e.message_key()),
        }
    }
    out
}

/// Trimmed optional text of at most `max` characters; empty means none.
pub fn text(errs: &mut FieldErrors, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let raw = raw?;
    let t = Some(raw.trim()).filter(|t| !t.is_empty());
    if raw.chars().count() > max {
        errs.add(field, "value-too-long");
        return None;
    }
    t.map(str::to_string)
}

/// Province and ward of the 2025 units; a ward must belong to its province.
pub fn address(
    errs: &mut FieldErrors,
    province: Option<&str>,
    ward: Option<&str>,
) -> (Option<String>, Option<String>) {
    let province = province.map(str::trim).filter(|s| !s.is_empty());
    let ward = ward.map(str::trim).filter(|s| !s.is_empty());
    let p = match province {
        None => None,
        Some(p) if khach_types::units::province(p).is_some() => Some(p.to_string()),
        Some(_) => {
            errs.add("province_code", "value-unknown-province");
            return (None, None);
        }
    };
    let w = match (ward, &p) {
        (None, _) => None,
        (Some(_), None) => {
            errs.add("ward_code", "value-ward-needs-province");
            None
        }
        (Some(w), Some(p)) if khach_types::units::ward(p, w).is_some() => Some(w.to_string()),
        (Some(_), Some(_)) => {
            errs.add("ward_code", "value-unknown-ward");
            None
        }
    };
    (p, w)
}

/// Folded search texts: (name and code, phones and e-mails).
pub fn search_texts(
    name: &str,
    code: &str,
    phones: &[(String, String)],
    emails: &[String],
) -> (String, String, String) {
    // Lower-casing may lengthen a name (`İ` → `i̇`); the sort column holds 200.
    let name_lc: String = khach_types::text::nfc_lower(name)
        .chars()
        .take(200)
        .collect();
    let search_name = format!("{} {}", khach_types::fold(name), code.to_lowercase());
    let mut contact = Vec::new();
    for (e164, _) in phones {
        // Both "0912345678" and "84912345678": a fragment typed either way is found.
        if let Ok(p) = Phone::parse(e164) {
            contact.push(p.national());
        }
        contact.push(e164.trim_start_matches('+').to_string());
    }
    contact.extend(emails.iter().cloned());
    (name_lc, search_name, contact.join(" "))
}
