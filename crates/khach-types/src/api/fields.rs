//! Custom field definitions (trường tuỳ chỉnh) per entity, and type changes with a
//! preview of what they do to stored values.

use super::common::ObjectOnly;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What a custom field belongs to. Opportunities, orders and tickets join later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldEntity {
    Customer,
    Company,
}

impl FieldEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldEntity::Customer => "customer",
            FieldEntity::Company => "company",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(FieldEntity::Customer),
            "company" => Some(FieldEntity::Company),
            _ => None,
        }
    }
}

/// The type of a custom field, and so the JSON shape of its values: strings for
/// text, long text, phone (E.164), e-mail, URL, date (`YYYY-MM-DD`), date-time
/// (RFC 3339, UTC) and single select (the option key); a number; money as whole
/// đồng (an integer); `true`/`false`; an array of option keys for multi select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    Money,
    Date,
    Datetime,
    Boolean,
    Select,
    MultiSelect,
    Phone,
    Email,
    Url,
}

impl FieldKind {
    pub const ALL: [FieldKind; 12] = [
        FieldKind::Text,
        FieldKind::LongText,
        FieldKind::Number,
        FieldKind::Money,
        FieldKind::Date,
        FieldKind::Datetime,
        FieldKind::Boolean,
        FieldKind::Select,
        FieldKind::MultiSelect,
        FieldKind::Phone,
        FieldKind::Email,
        FieldKind::Url,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::LongText => "long_text",
            FieldKind::Number => "number",
            FieldKind::Money => "money",
            FieldKind::Date => "date",
            FieldKind::Datetime => "datetime",
            FieldKind::Boolean => "boolean",
            FieldKind::Select => "select",
            FieldKind::MultiSelect => "multi_select",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::Url => "url",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Select | FieldKind::MultiSelect)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, from = "ObjectOnly<OptionFields>")]
pub struct FieldOption {
    /// Stable key stored in values; `a-z 0-9 _`, 1–64 characters.
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9_]+$")]
    pub key: String,
    #[schema(min_length = 1, max_length = 200)]
    pub label: String,
}

/// What an option is read from (an object only, see [`ObjectOnly`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionFields {
    key: String,
    label: String,
}

impl From<ObjectOnly<OptionFields>> for FieldOption {
    fn from(ObjectOnly(f): ObjectOnly<OptionFields>) -> Self {
        FieldOption {
            key: f.key,
            label: f.label,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    pub id: i64,
    pub entity: FieldEntity,
    /// Stable key: values live under it (`custom.<key>`), filters name it `cf.<key>`.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// No two records of the entity may hold the same value.
    pub unique: bool,
    pub position: i32,
    pub show_in_list: bool,
    pub filterable: bool,
    pub importable: bool,
    pub options: Vec<FieldOption>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomFieldList {
    pub items: Vec<CustomField>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldQuery {
    /// `customer` (default) or `company`.
    pub entity: Option<FieldEntity>,
    /// Part of the label or key, diacritics optional.
    #[param(max_length = 200)]
    pub q: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomField {
    pub entity: FieldEntity,
    /// Generated from the label when absent.
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z][a-z0-9_]*$")]
    pub key: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    pub position: Option<i32>,
    #[serde(default)]
    pub show_in_list: bool,
    #[serde(default = "yes")]
    pub filterable: bool,
    #[serde(default = "yes")]
    pub importable: bool,
    #[serde(default)]
    pub options: Vec<FieldOption>,
}

fn yes() -> bool {
    true
}

/// The type is changed with [`ChangeFieldKind`], never here.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomField {
    #[schema(min_length = 1, max_length = 200)]
    pub label: Option<String>,
    pub required: Option<bool>,
    pub unique: Option<bool>,
    pub position: Option<i32>,
    pub show_in_list: Option<bool>,
    pub filterable: Option<bool>,
    pub importable: Option<bool>,
    /// The whole list. Removing an option that stored values still use is refused.
    pub options: Option<Vec<FieldOption>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeFieldKind {
    pub kind: FieldKind,
    /// `false` (default): only preview. `true`: convert every stored value; refused
    /// while any value cannot be converted.
    #[serde(default)]
    pub apply: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KindChangeSample {
    pub record_id: i64,
    pub before: serde_json::Value,
    /// `null` when this value cannot be converted.
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KindChangePreview {
    pub from: FieldKind,
    pub to: FieldKind,
    /// Records holding a value of this field.
    pub total: u64,
    pub convertible: u64,
    pub failing: u64,
    /// Up to 20 values that change form and up to 20 that cannot be converted.
    pub samples: Vec<KindChangeSample>,
    pub applied: bool,
}
