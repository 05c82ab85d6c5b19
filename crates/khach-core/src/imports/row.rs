//! One row of a file parsed into customer values by the same parsers as a form
//! (name, [`khach_types::Phone`], [`khach_types::Email`], code, address, custom
//! field values), every problem of the row reported at once. Pure: runs on a
//! blocking thread while the batch before is written.

use super::mapping::Field;
use crate::CoreError;
use crate::customers::input;
use crate::error::FieldErrors;
use crate::fields::{self, Def};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What rows refer to by name, resolved once per run.
#[derive(Debug, Default)]
pub struct Refs {
    pub defs: Vec<Def>,
    /// Folded stage name → id.
    pub stages: HashMap<String, i64>,
    /// Source name key → id.
    pub sources: HashMap<String, i64>,
    /// Lower-case username → id, active accounts only.
    pub accounts: HashMap<String, i64>,
}

/// The values of a row; `None` where the file has no such column or a blank cell
/// (a blank never erases a stored value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    pub code: Option<String>,
    pub name: Option<String>,
    pub phones: Option<Vec<(String, String)>>,
    pub emails: Option<Vec<String>>,
    pub gender: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub province: Option<String>,
    pub ward: Option<String>,
    pub street: Option<String>,
    pub notes: Option<String>,
    pub stage_id: Option<i64>,
    pub source_id: Option<i64>,
    pub tags: Vec<String>,
    pub owner: Option<i64>,
    pub custom: Map<String, Value>,
}

/// A row of the file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// 1-based data row.
    pub row_no: u64,
    pub raw: Vec<String>,
    /// Its place among the rows without an owner cell (for the split).
    pub slot: usize,
    /// The values, or the reason the row is refused.
    pub values: Result<Values, String>,
}

/// `field: key; field: key` from a validation error.
pub fn reason(e: &CoreError) -> String {
    match e {
        CoreError::Validation(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
        CoreError::Conflict { field, key } => format!("{field}: {key}"),
        other => other.code().as_str().to_string(),
    }
}

fn gender(errs: &mut FieldErrors, s: &str) -> Option<String> {
    let g = match khach_types::fold(s).as_str() {
        "nam" | "male" | "m" | "anh" | "ong" => "male",
        "nu" | "female" | "f" | "chi" | "ba" => "female",
        "khac" | "other" => "other",
        _ => {
            errs.add("gender", "value-invalid");
            return None;
        }
    };
    Some(g.into())
}

/// A province by its code or its name ("Hà Nội", "Thành phố Hà Nội").
fn province(s: &str) -> String {
    if khach_types::units::province(s).is_some() {
        return s.to_string();
    }
    let f = khach_types::fold(s);
    khach_types::units::provinces()
        .iter()
        .find(|p| {
            let n = khach_types::fold(p.name);
            n == f || n.ends_with(&format!(" {f}"))
        })
        .map_or_else(|| s.to_string(), |p| p.code.to_string())
}

/// A ward by its code or its name within the province.
fn ward(province_code: Option<&str>, s: &str) -> String {
    let Some(p) = province_code else {
        return s.to_string();
    };
    if khach_types::units::ward(p, s).is_some() {
        return s.to_string();
    }
    let f = khach_types::fold(s);
    khach_types::units::wards(p)
        .iter()
        .find(|w| {
            let n = khach_types::fold(w.name);
            n == f || n.ends_with(&format!(" {f}"))
        })
        .map_or_else(|| s.to_string(), |w| w.code.to_string())
}

/// Parses one row against the column fields.
pub fn parse(refs: &Refs, fields: &[Option<Field>], cells: &[String]) -> Result<Values, String> {
    let mut errs = FieldErrors::default();
    let mut v = Values::default();
    let mut phones_raw = Vec::new();
    let mut emails_raw = Vec::new();
    let mut custom_raw = Map::new();
    let mut province_raw = None;
    let mut ward_raw = None;
    for (f, cell) in fields.iter().zip(cells) {
        let (Some(f), cell) = (f, cell.trim()) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        match f {
            Field::Code => v.code = input::code(&mut errs, cell),
            Field::Name => v.name = input::name(&mut errs, cell),
            // A cell may hold several, separated by commas or semicolons.
            Field::Phone => phones_raw.extend(
                cell.split([',', ';', '/'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            Field::Email => emails_raw.extend(
                cell.split([',', ';'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            Field::Gender => v.gender = gender(&mut errs, cell),
            Field::Birthday => match fields::value::parse_date(cell) {
                Some(d) => v.birthday = Some(d),
                None => errs.add("birthday", "value-invalid-date"),
            },
            Field::Province => province_raw = Some(province(cell)),
            Field::Ward => ward_raw = Some(cell.to_string()),
            Field::Street => v.street = input::text(&mut errs, "street", Some(cell), 300),
            Field::Notes => v.notes = input::text(&mut errs, "notes", Some(cell), 10_000),
            Field::Stage => match refs.stages.get(&khach_types::fold(cell)) {
                Some(id) => v.stage_id = Some(*id),
                None => errs.add("stage", "value-unknown-ref"),
            },
            Field::Source => match refs.sources.get(&khach_types::fold(cell)) {
                Some(id) => v.source_id = Some(*id),
                None => errs.add("source", "value-unknown-ref"),
            },
            Field::Tags => v.tags.extend(
                cell.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            Field::Owner => match refs.accounts.get(&cell.to_lowercase()) {
                Some(id) => v.owner = Some(*id),
                None => errs.add("owner", "import-owner-unknown"),
            },
            Field::Custom(k) => {
                custom_raw.insert(k.clone(), Value::String(cell.to_string()));
            }
        }
    }
    if !phones_raw.is_empty() {
        v.phones = Some(input::phones(&mut errs, &phones_raw));
    }
    if !emails_raw.is_empty() {
        v.emails = Some(input::emails(&mut errs, &emails_raw));
    }
    if province_raw.is_some() || ward_raw.is_some() {
        let w = ward_raw.map(|w| ward(province_raw.as_deref(), &w));
        let (p, w) = input::address(&mut errs, province_raw.as_deref(), w.as_deref());
        v.province = p;
        v.ward = w;
    }
    if v.tags.len() > 50 {
        errs.add("tags", "value-too-many");
    }
    if !custom_raw.is_empty() {
        match fields::merge(&refs.defs, &Map::new(), &custom_raw, false) {
            Ok(m) => v.custom = m,
            Err(CoreError::Validation(m)) => {
                for (k, val) in m {
                    errs.add(&k, val);
                }
            }
            Err(e) => return Err(reason(&e)),
        }
    }
    errs.finish().map_err(|e| reason(&e))?;
    Ok(v)
}

/// Whether every cell is blank (such rows are passed over).
pub fn blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_collects_every_problem() {
        let fields = vec![
            Some(Field::Name),
            Some(Field::Phone),
            Some(Field::Email),
            Some(Field::Gender),
        ];
        let ok = parse(
            &Refs::default(),
            &fields,
            &[
                "  Lê  Văn  Tám ".into(),
                "0912 345 678, 84987654321".into(),
                "A@B.VN".into(),
                "Nữ".into(),
            ],
        )
        .unwrap();
        assert_eq!(ok.name.as_deref(), Some("Lê Văn Tám"));
        assert_eq!(ok.phones.unwrap().len(), 2);
        assert_eq!(ok.emails.unwrap(), vec!["a@b.vn".to_string()]);
        assert_eq!(ok.gender.as_deref(), Some("female"));
        let bad = parse(
            &Refs::default(),
            &fields,
            &["".into(), "12".into(), "x@".into(), "?".into()],
        )
        .unwrap_err();
        assert!(bad.contains("phones.0") && bad.contains("emails.0") && bad.contains("gender"));
    }
}
