//! Customers: the record, its lists, and the actions on it.

use super::filters::FilterGroup;
use super::ownership::{AccountRef, ShareStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            "other" => Some(Gender::Other),
            _ => None,
        }
    }
}

/// A phone number as stored. For a role with masking only `display` is filled, masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PhoneOut {
    /// National form (`0912345678`), or masked (`091****678`).
    pub display: String,
    pub e164: Option<String>,
    /// As it was typed.
    pub typed: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    /// Province code of the 2025 units (34 provinces).
    pub province_code: Option<String>,
    pub province_name: Option<String>,
    pub ward_code: Option<String>,
    pub ward_name: Option<String>,
    /// House number and street.
    pub street: Option<String>,
    /// Pre-2025 units of older records, kept readable.
    pub legacy_province: Option<String>,
    pub legacy_district: Option<String>,
    pub legacy_ward: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TagRef {
    pub id: i64,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DoNotContact {
    pub reason: Option<String>,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    /// Mã khách hàng: unique, `KH000001` when generated.
    pub code: String,
    pub name: String,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    /// The primary phone, as `phones[0].display` (national form, or masked).
    pub phone: Option<String>,
    /// The primary e-mail, as `emails[0]`.
    pub email: Option<String>,
    pub phones: Vec<PhoneOut>,
    /// Lower-case; masked (`ng***@gmail.com`) for a role with masking.
    pub emails: Vec<String>,
    pub address: Address,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub source_id: Option<i64>,
    pub source_name: Option<String>,
    pub stage_id: Option<i64>,
    pub stage_name: Option<String>,
    pub tags: Vec<TagRef>,
    pub notes: Option<String>,
    /// Custom field key → value (see `FieldKind` for the shapes).
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub do_not_contact: Option<DoNotContact>,
    /// The main owner (người phụ trách).
    pub owner: Option<AccountRef>,
    pub owner_id: Option<i64>,
    /// Accounts that may view and edit the customer besides its owner.
    pub supporters: Vec<AccountRef>,
    /// Accounts that may only view it, given by hand.
    pub viewers: Vec<AccountRef>,
    /// Care status from the sharing rules, if any matches.
    pub share_status: Option<ShareStatus>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the customer is in the recycle bin.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Interactions counted by the rules (interaction history).
    #[serde(default)]
    pub interaction_count: i64,
    #[serde(default)]
    pub score: i64,
    #[serde(default)]
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Whole days since the last contact; absent when never contacted.
    #[serde(default)]
    pub days_since_last_contact: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<Customer>,
    pub next_cursor: Option<String>,
    /// Customers matching the search and filter, across all pages.
    pub total: u64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    /// Generated (`KH000001`…) when absent or blank.
    #[schema(max_length = 32)]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    /// Any common Vietnamese form (0912 345 678, +84…, 84…, 0084…, old 11-digit
    /// mobile numbers) or an international number with `+`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub phones: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub emails: Vec<String>,
    pub province_code: Option<String>,
    pub ward_code: Option<String>,
    #[schema(max_length = 300)]
    pub street: Option<String>,
    pub company_id: Option<i64>,
    pub source_id: Option<i64>,
    pub stage_id: Option<i64>,
    /// Tag names; unknown ones are created.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub tags: Vec<String>,
    #[schema(max_length = 10000)]
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// The main owner. When absent: the next account in turn if automatic assignment
    /// is on (API and integrations), otherwise the creator. Another account than
    /// oneself needs the assign permission.
    pub owner_id: Option<i64>,
    /// Needs the assign permission.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub supporters: Vec<i64>,
    /// Needs the assign permission.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub viewers: Vec<i64>,
}

/// Absent fields are left alone; `null` clears. Lists (phones, emails, tags) are
/// replaced whole; `custom` is merged key by key (`null` clears a key).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    #[schema(min_length = 1, max_length = 32)]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<Gender>, nullable)]
    pub gender: Option<Option<Gender>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub birthday: Option<Option<NaiveDate>>,
    pub phones: Option<Vec<String>>,
    pub emails: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub province_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub ward_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub street: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub company_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub source_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub stage_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub notes: Option<Option<String>>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    /// A new main owner (`null`: none). Needs the assign permission; the old owner
    /// loses access unless `keep_old_owner_as_viewer`.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub owner_id: Option<Option<i64>>,
    #[serde(default)]
    pub keep_old_owner_as_viewer: bool,
    /// Replaces the supporters (assign permission).
    #[schema(max_items = 100)]
    pub supporters: Option<Vec<i64>>,
    /// Replaces the viewers given by hand (assign permission).
    #[schema(max_items = 100)]
    pub viewers: Option<Vec<i64>>,
}

/// Built-in sort keys of the customer list (every column the list shows except tags
/// and supporters); custom fields sort as `cf.<key>`. `-` in front sorts descending.
pub const CUSTOMER_SORTS: [&str; 13] = [
    "created_at",
    "updated_at",
    "code",
    "name",
    "phone",
    "email",
    "gender",
    "birthday",
    "province",
    "company",
    "source",
    "stage",
    "owner",
];

/// `GET /customers`: quick search and the common filters.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Name (diacritics optional), code, 4+ digits of a phone, or e-mail.
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub stage_id: Option<i64>,
    pub tag_id: Option<i64>,
    pub source_id: Option<i64>,
    pub company_id: Option<i64>,
    /// A saved filter to apply.
    pub filter_id: Option<i64>,
    /// `created_at` (default), `updated_at`, `code`, `name`, `phone`, `email`,
    /// `gender`, `birthday`, `province`, `company`, `source`, `stage`, `owner`,
    /// `interaction_count`, `score`, `last_contact`, or `cf.<key>`; prefix `-` for descending. Empty means the default (newest first,
    /// or best match when searching).
    #[param(pattern = "^(-?([a-z_]{1,20}|cf\\.[a-z0-9_]{1,64}))?$")]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 600)]
    pub cursor: Option<String>,
}

/// `POST /customers/query`: the filter builder's full form.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerSearch {
    #[schema(max_length = 200)]
    pub q: Option<String>,
    pub filter: Option<FilterGroup>,
    /// As `sort` of `GET /customers`.
    #[schema(pattern = "^(-?([a-z_]{1,20}|cf\\.[a-z0-9_]{1,64}))?$")]
    pub sort: Option<String>,
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[schema(pattern = "^[A-Za-z0-9_-]*$", max_length = 600)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoNotContactInput {
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// A customer arriving again from a channel: the source attribution rule decides
/// which source it keeps.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Arrival {
    pub source_id: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    Tag { tags: Vec<String> },
    Untag { tag_ids: Vec<i64> },
    SetStage { stage_id: i64 },
    DoNotContact { reason: Option<String> },
    Delete,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[schema(min_items = 1, max_items = 1000)]
    pub ids: Vec<i64>,
    pub action: BulkAction,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkSkip {
    pub id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkResult {
    pub done: u64,
    pub skipped: Vec<BulkSkip>,
}

/// A `customer.*` entry of the timeline (stage changes, tags, do-not-contact…).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerEvent {
    pub id: i64,
    pub kind: String,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerEventList {
    pub items: Vec<CustomerEvent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum SourceRule {
    /// The first source a customer came from stays.
    #[default]
    First,
    /// The latest channel wins.
    Last,
    /// The source with the better (lower) priority number wins.
    Priority,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerSettings {
    pub source_rule: SourceRule,
    /// Days a deleted customer stays in the recycle bin before it is purged.
    pub bin_retention_days: u32,
    /// Allow two live customers to share a phone number or e-mail.
    pub allow_duplicate_contacts: bool,
    /// Give new customers that arrive without an owner (API, import, integrations)
    /// in turn to the accounts whose "receives automatically assigned customers"
    /// switch is on.
    #[serde(default)]
    pub auto_assign: bool,
}

impl Default for CustomerSettings {
    fn default() -> Self {
        Self {
            source_rule: SourceRule::First,
            bin_retention_days: 90,
            allow_duplicate_contacts: false,
            auto_assign: false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerSettings {
    pub source_rule: Option<SourceRule>,
    #[schema(minimum = 1, maximum = 3650)]
    pub bin_retention_days: Option<u32>,
    pub allow_duplicate_contacts: Option<bool>,
    pub auto_assign: Option<bool>,
}

/// Per-account display settings (cài đặt hiển thị).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListColumns {
    /// Built-in column keys (`code`, `name`, `phone`, …) and `cf.<key>`, in order.
    #[schema(min_items = 1, max_items = 40)]
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailTabs {
    /// Tab keys in order (`profile`, `contacts`, `company`, `history`, `audit`).
    #[schema(min_items = 1, max_items = 20)]
    pub tabs: Vec<String>,
}
