//! Parsing one custom field value into its stored JSON shape (see `FieldKind`).
//! The same function serves every write path and type conversions.

use chrono::{DateTime, NaiveDate, Utc};
use khach_types::api::{FieldKind, FieldOption};
use khach_types::{Email, Phone};
use serde_json::{Value, json};

/// `Ok(None)`: empty (clears the field). `Err(key)`: a catalogue message key.
pub fn parse(
    kind: FieldKind,
    options: &[FieldOption],
    raw: &Value,
) -> Result<Option<Value>, &'static str> {
    if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    if raw.as_array().is_some_and(|a| a.is_empty()) && kind == FieldKind::MultiSelect {
        return Ok(None);
    }
    let text = as_text(raw);
    let v = match kind {
        FieldKind::Text | FieldKind::LongText => {
            let t = text.ok_or("cf-invalid-text")?;
            let max = if kind == FieldKind::Text { 500 } else { 10_000 };
            let t = t.trim();
            if t.chars().count() > max {
                return Err("value-too-long");
            }
            json!(t)
        }
        FieldKind::Number => {
            let n = match raw {
                Value::Number(n) => n.as_f64(),
                _ => text.and_then(|t| t.trim().replace(',', ".").parse::<f64>().ok()),
            }
            .filter(|n| n.is_finite())
            .ok_or("cf-invalid-number")?;
            json!(n)
        }
        FieldKind::Money => {
            let n = match raw {
                Value::Number(n) => n.as_i64(),
                _ => text.and_then(|t| parse_money(&t)),
            }
            .ok_or("cf-invalid-money")?;
            json!(n)
        }
        FieldKind::Date => json!(
            parse_date(&text.ok_or("cf-invalid-date")?)
                .ok_or("cf-invalid-date")?
                .to_string()
        ),
        FieldKind::Datetime => {
            let t = text.ok_or("cf-invalid-datetime")?;
            let dt = DateTime::parse_from_rfc3339(t.trim()).map_err(|_| "cf-invalid-datetime")?;
            json!(
                dt.with_timezone(&Utc)
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            )
        }
        FieldKind::Boolean => match raw {
            Value::Bool(b) => json!(b),
            _ => match text.map(|t| khach_types::fold(&t)).as_deref() {
                Some("true" | "1" | "yes" | "co") => json!(true),
                Some("false" | "0" | "no" | "khong") => json!(false),
                _ => return Err("cf-invalid-boolean"),
            },
        },
        FieldKind::Select => json!(option_key(options, &text.ok_or("cf-invalid-option")?)?),
        FieldKind::MultiSelect => {
            let items: Vec<String> = match raw {
                Value::Array(a) => a
                    .iter()
                    .map(|v| as_text(v).ok_or("cf-invalid-option"))
                    .collect::<Result<_, _>>()?,
                // Import files join the values with commas.
                _ => text
                    .ok_or("cf-invalid-option")?
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            };
            let mut keys = Vec::new();
            for i in items {
                let k = option_key(options, &i)?;
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            if keys.is_empty() {
                return Ok(None);
            }
            json!(keys)
        }
        FieldKind::Phone => json!(
            Phone::parse(&text.ok_or("value-invalid-phone")?)
                .map_err(|e| e.message_key())?
                .e164()
        ),
        FieldKind::Email => json!(
            Email::parse(&text.ok_or("value-invalid-email")?)
                .map_err(|e| e.message_key())?
                .as_str()
        ),
        FieldKind::Url => {
            let t = text.ok_or("cf-invalid-url")?;
            let t = t.trim();
            let rest = t
                .strip_prefix("https://")
                .or_else(|| t.strip_prefix("http://"))
                .ok_or("cf-invalid-url")?;
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            if host.is_empty() || t.len() > 2000 || t.chars().any(char::is_whitespace) {
                return Err("cf-invalid-url");
            }
            json!(t)
        }
    };
    Ok(Some(v))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => Some(a.iter().filter_map(as_text).collect::<Vec<_>>().join(", ")),
        _ => None,
    }
}

/// "1.500.000 đ", "1,500,000", "1500000" → 1500000.
fn parse_money(t: &str) -> Option<i64> {
    let t = t.trim();
    let neg = t.starts_with('-');
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let rest_ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || ".,- đ₫VNDvnd".contains(c));
    if digits.is_empty() || !rest_ok {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// `YYYY-MM-DD` or the Vietnamese `DD/MM/YYYY`.
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
}

/// An option by key, or by label (diacritics and case ignored).
fn option_key(options: &[FieldOption], t: &str) -> Result<String, &'static str> {
    let t = t.trim();
    if let Some(o) = options.iter().find(|o| o.key == t) {
        return Ok(o.key.clone());
    }
    let f = khach_types::fold(t);
    options
        .iter()
        .find(|o| khach_types::fold(&o.label) == f)
        .map(|o| o.key.clone())
        .ok_or("cf-invalid-option")
}

/// The value as a person reads it (option labels, not keys).
pub fn display(kind: FieldKind, options: &[FieldOption], v: &Value) -> String {
    let label = |k: &str| {
        options
            .iter()
            .find(|o| o.key == k)
            .map_or(k.to_string(), |o| o.label.clone())
    };
    match (kind, v) {
        (FieldKind::Select, Value::String(k)) => label(k),
        (FieldKind::MultiSelect, Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(label)
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Phone, Value::String(s)) => Phone::parse(s)
            .map(|p| p.national())
            .unwrap_or_else(|_| s.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Vec<FieldOption> {
        vec![
            FieldOption {
                key: "gold".into(),
                label: "Vàng".into(),
            },
            FieldOption {
                key: "silver".into(),
                label: "Bạc".into(),
            },
        ]
    }

    #[test]
    fn values_parse_to_their_stored_shape() {
        let o = opts();
        assert_eq!(
            parse(FieldKind::Money, &o, &json!("1.500.000 đ")),
            Ok(Some(json!(1_500_000)))
        );
        assert_eq!(
            parse(FieldKind::Date, &o, &json!("25/11/2026")),
            Ok(Some(json!("2026-11-25")))
        );
        assert_eq!(
            parse(FieldKind::Select, &o, &json!("vang")),
            Ok(Some(json!("gold")))
        );
        assert_eq!(
            parse(FieldKind::MultiSelect, &o, &json!("Vàng, bạc, gold")),
            Ok(Some(json!(["gold", "silver"])))
        );
        assert_eq!(
            parse(FieldKind::Phone, &o, &json!("0912 345 678")),
            Ok(Some(json!("+84912345678")))
        );
        assert_eq!(
            parse(FieldKind::Boolean, &o, &json!("Có")),
            Ok(Some(json!(true)))
        );
        assert_eq!(parse(FieldKind::Text, &o, &json!("  ")), Ok(None));
        assert_eq!(
            parse(FieldKind::Number, &o, &json!("abc")),
            Err("cf-invalid-number")
        );
        assert_eq!(
            parse(FieldKind::Url, &o, &json!("javascript:alert(1)")),
            Err("cf-invalid-url")
        );
        assert_eq!(
            parse(FieldKind::Select, &o, &json!("platinum")),
            Err("cf-invalid-option")
        );
        assert_eq!(
            parse(FieldKind::Datetime, &o, &json!("2026-11-25T10:00:00+07:00")),
            Ok(Some(json!("2026-11-25T03:00:00Z")))
        );
    }
}
