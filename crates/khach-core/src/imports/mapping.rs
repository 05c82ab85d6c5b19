//! Which field each column of a file fills: chosen by the user, or recognised from
//! its header in Vietnamese or English. Fields the system computes (last contact,
//! interaction count, score, totals, creation time) are never imported.

use crate::fields::Def;
use khach_types::api::ImportColumn;
use std::collections::BTreeMap;

/// A field a column can fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Code,
    Name,
    /// Several columns may hold phones (or e-mails): all are kept, in column order.
    Phone,
    Email,
    Gender,
    Birthday,
    Province,
    Ward,
    Street,
    Notes,
    /// By name.
    Stage,
    /// By name.
    Source,
    /// Names separated by commas.
    Tags,
    /// Username of the owner.
    Owner,
    Custom(String),
}

impl Field {
    pub fn key(&self) -> String {
        match self {
            Self::Code => "code".into(),
            Self::Name => "name".into(),
            Self::Phone => "phone".into(),
            Self::Email => "email".into(),
            Self::Gender => "gender".into(),
            Self::Birthday => "birthday".into(),
            Self::Province => "province_code".into(),
            Self::Ward => "ward_code".into(),
            Self::Street => "street".into(),
            Self::Notes => "notes".into(),
            Self::Stage => "stage".into(),
            Self::Source => "source".into(),
            Self::Tags => "tags".into(),
            Self::Owner => "owner".into(),
            Self::Custom(k) => format!("custom.{k}"),
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "code" => Self::Code,
            "name" => Self::Name,
            "phone" | "phones" => Self::Phone,
            "email" | "emails" => Self::Email,
            "gender" => Self::Gender,
            "birthday" => Self::Birthday,
            "province_code" | "province" => Self::Province,
            "ward_code" | "ward" => Self::Ward,
            "street" => Self::Street,
            "notes" => Self::Notes,
            "stage" | "stage_id" => Self::Stage,
            "source" | "source_id" => Self::Source,
            "tags" => Self::Tags,
            "owner" | "owner_id" => Self::Owner,
            _ => return Some(Self::Custom(s.strip_prefix("custom.")?.to_string())),
        })
    }
}

/// Fields computed by the system, by the keys and header words that name them.
const COMPUTED: &[&str] = &[
    "last_contact",
    "last_contact_at",
    "interaction_count",
    "score",
    "total_value",
    "totals",
    "created_at",
    "updated_at",
    "lan lien he cuoi",
    "ngay lien he cuoi",
    "lien he cuoi",
    "last contact",
    "last contacted",
    "so lan tuong tac",
    "so tuong tac",
    "tuong tac",
    "interaction count",
    "interactions",
    "diem",
    "score",
    "tong gia tri",
    "gia tri",
    "total value",
    "total",
    "ngay tao",
    "created at",
    "created",
    "ngay cap nhat",
    "updated at",
];

/// Header words (folded: lower case, no diacritics) per field.
const NAMES: &[(&str, &[&str])] = &[
    (
        "code",
        &[
            "ma",
            "ma kh",
            "ma khach",
            "ma khach hang",
            "code",
            "customer code",
            "id khach hang",
        ],
    ),
    (
        "name",
        &[
            "ten",
            "ho ten",
            "ho va ten",
            "ten khach",
            "ten khach hang",
            "ten kh",
            "khach hang",
            "name",
            "full name",
            "customer name",
            "customer",
        ],
    ),
    (
        "phone",
        &[
            "so dien thoai",
            "dien thoai",
            "sdt",
            "so dt",
            "dt",
            "di dong",
            "phone",
            "phone number",
            "mobile",
            "tel",
            "telephone",
        ],
    ),
    (
        "email",
        &["email", "e mail", "thu dien tu", "mail", "email address"],
    ),
    ("gender", &["gioi tinh", "gender", "sex"]),
    (
        "birthday",
        &[
            "ngay sinh",
            "sinh nhat",
            "birthday",
            "date of birth",
            "dob",
            "birth date",
        ],
    ),
    (
        "province_code",
        &[
            "tinh",
            "tinh thanh",
            "tinh thanh pho",
            "ma tinh",
            "province",
            "province code",
            "city",
        ],
    ),
    (
        "ward_code",
        &[
            "phuong xa",
            "xa phuong",
            "phuong",
            "xa",
            "ma xa",
            "ward",
            "ward code",
        ],
    ),
    (
        "street",
        &[
            "dia chi",
            "so nha",
            "duong",
            "dia chi chi tiet",
            "street",
            "address",
        ],
    ),
    (
        "notes",
        &[
            "ghi chu",
            "mo ta",
            "notes",
            "note",
            "description",
            "comment",
        ],
    ),
    (
        "stage",
        &["giai doan", "trang thai", "tinh trang", "stage", "status"],
    ),
    (
        "source",
        &[
            "nguon",
            "nguon khach",
            "nguon khach hang",
            "source",
            "lead source",
        ],
    ),
    (
        "tags",
        &["the", "nhan", "tag", "tags", "the khach hang", "labels"],
    ),
    (
        "owner",
        &[
            "nguoi phu trach",
            "phu trach",
            "nhan vien phu trach",
            "nhan vien",
            "nguoi quan ly",
            "owner",
            "sales",
            "assigned to",
            "salesperson",
        ],
    ),
];

/// A header folded for comparison: lower case, no diacritics, words of letters and
/// digits, a trailing number dropped ("Phone 2" is a phone).
pub fn fold_header(h: &str) -> String {
    let f = khach_types::fold(h);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let n = words.len();
    let words = match words.last() {
        Some(w) if n > 1 && w.chars().all(|c| c.is_ascii_digit()) => words.get(..n - 1),
        _ => Some(&words[..]),
    };
    words.unwrap_or_default().join(" ")
}

fn is_computed(s: &str) -> bool {
    COMPUTED.contains(&s) || COMPUTED.contains(&fold_header(s).as_str())
}

/// The field a header names, or why it is left out.
fn auto(header: &str, defs: &[Def]) -> Result<Field, &'static str> {
    let f = fold_header(header);
    if f.is_empty() {
        return Err("import-field-unknown");
    }
    // The business's own fields first: "Tổng chi tiêu" may be one of them.
    if let Some(d) = defs
        .iter()
        .find(|d| fold_header(&d.label) == f || d.key == f.replace(' ', "_"))
    {
        return Ok(Field::Custom(d.key.clone()));
    }
    for (key, words) in NAMES {
        if words.contains(&f.as_str()) {
            return Field::parse(key).ok_or("import-field-unknown");
        }
    }
    if is_computed(&f) {
        return Err("import-field-computed");
    }
    Err("import-field-unknown")
}

/// A column's field (if any) and how the column is described to the user.
pub type Mapped = (Option<Field>, ImportColumn);

/// Every column's field: the user's choice where given, otherwise recognised from
/// the header. An explicit choice of an unknown or computed field is an error,
/// reported per header (`mapping.<header>`).
pub fn resolve(
    headers: &[String],
    chosen: &BTreeMap<String, String>,
    defs: &[Def],
) -> Result<Vec<Mapped>, BTreeMap<String, &'static str>> {
    let mut errs = BTreeMap::new();
    let mut out = Vec::with_capacity(headers.len());
    for h in headers {
        let (field, reason) = match chosen.get(h).map(|s| s.trim()) {
            Some("") => (None, None),
            Some(k) if is_computed(k) => {
                errs.insert(format!("mapping.{h}"), "import-field-computed");
                (None, Some("import-field-computed"))
            }
            Some(k) => match Field::parse(k) {
                Some(Field::Custom(key)) if !defs.iter().any(|d| d.key == key) => {
                    errs.insert(format!("mapping.{h}"), "import-field-unknown");
                    (None, Some("import-field-unknown"))
                }
                Some(f) => (Some(f), None),
                None => {
                    errs.insert(format!("mapping.{h}"), "import-field-unknown");
                    (None, Some("import-field-unknown"))
                }
            },
            None => match auto(h, defs) {
                Ok(f) => (Some(f), None),
                Err(r) => (None, Some(r)),
            },
        };
        let col = ImportColumn {
            header: h.clone(),
            field: field.as_ref().map(Field::key),
            reason: reason.map(str::to_string),
        };
        out.push((field, col));
    }
    // One column per single-valued field: a second "Tên" would silently win.
    let mut seen = std::collections::HashSet::new();
    for (f, col) in &mut out {
        if let Some(field) = f
            && !matches!(field, Field::Phone | Field::Email | Field::Tags)
            && !seen.insert(field.key())
        {
            *f = None;
            col.field = None;
            col.reason = Some("import-field-repeated".into());
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(h: &[&str]) -> Vec<Option<String>> {
        let hs: Vec<String> = h.iter().map(|s| s.to_string()).collect();
        resolve(&hs, &BTreeMap::new(), &[])
            .unwrap()
            .into_iter()
            .map(|(f, _)| f.map(|f| f.key()))
            .collect()
    }

    #[test]
    fn vietnamese_and_english_headers() {
        assert_eq!(
            cols(&[
                "Họ và tên",
                "Số điện thoại",
                "SĐT 2",
                "E-mail",
                "Mã KH",
                "Lần liên hệ cuối"
            ]),
            vec![
                Some("name".into()),
                Some("phone".into()),
                Some("phone".into()),
                Some("email".into()),
                Some("code".into()),
                None
            ]
        );
        assert_eq!(
            cols(&["Full name", "Phone", "Owner", "Tags"]),
            vec![
                Some("name".into()),
                Some("phone".into()),
                Some("owner".into()),
                Some("tags".into())
            ]
        );
    }

    #[test]
    fn computed_fields_are_refused_by_name() {
        let hs = vec!["Điểm".to_string()];
        let mut m = BTreeMap::new();
        m.insert("Điểm".to_string(), "score".to_string());
        let e = resolve(&hs, &m, &[]).unwrap_err();
        assert_eq!(e.get("mapping.Điểm"), Some(&"import-field-computed"));
        let ok = resolve(&hs, &BTreeMap::new(), &[]).unwrap();
        assert_eq!(ok[0].1.reason.as_deref(), Some("import-field-computed"));
    }
}
