//! Who is in charge of customers: the main owner, supporters, viewers, assignment of
//! ticked customers (one owner, sequential, even, advanced), and sharing rules.

use super::BulkSkip;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account as other records name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountRef {
    pub id: i64,
    pub username: String,
    pub full_name: String,
}

/// The care status a sharing rule gives a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareStatus {
    /// A sharing rule matches; the next sharing run makes it effective.
    ToBeShared,
    /// Shared with a rule's accounts as viewers.
    Shared,
}

/// How ticked customers are split among owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignMode {
    /// Every customer to the one account in `owners`.
    Single,
    /// In the order the customers are listed, in turn over `owners` ("chia tuần tự").
    Sequential,
    /// The same number to each of `owners`, in consecutive runs of the list; the
    /// remainder goes to the last one chosen.
    Even,
    /// Per owner a count or a percentage (`split_by`, `shares`), in consecutive runs of
    /// the list ("chia nâng cao").
    Advanced,
}

/// Whether the advanced split's values are counts or percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    #[default]
    Count,
    /// Must sum to 100; rounded by largest remainder (ties to the earlier owner).
    Percent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignShare {
    pub account_id: i64,
    /// A count of customers, or a percentage (see `split_by`).
    #[schema(minimum = 1)]
    pub value: u32,
}

/// `POST /customers/assign`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The ticked customers, in the order they are listed.
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Vec<i64>,
    pub mode: AssignMode,
    /// Owners for `single` (exactly one), `sequential` and `even`, in the order chosen.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub owners: Vec<i64>,
    #[serde(default)]
    pub split_by: SplitBy,
    /// For `advanced`: each owner's count or percentage, in the order chosen.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub shares: Vec<AssignShare>,
    /// Keep each previous owner as a viewer (off by default: the old owner loses
    /// access).
    #[serde(default)]
    pub keep_old_owner_as_viewer: bool,
    /// Only work out who would get how many; change nothing.
    #[serde(default)]
    pub preview: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssignPlanItem {
    pub owner: AccountRef,
    /// Customers this owner gets.
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssignResult {
    pub preview: bool,
    /// Who gets how many, in the order chosen.
    pub plan: Vec<AssignPlanItem>,
    /// Ticked customers the counts leave with their current owner (advanced by count).
    pub left_as_is: u64,
    /// Customers whose owner changed (0 in a preview).
    pub changed: u64,
    /// Ticked customers the caller may not change.
    pub skipped: Vec<BulkSkip>,
}

/// `POST /customers/members`: add or remove supporters and viewers of ticked
/// customers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersRequest {
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Vec<i64>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub add_supporters: Vec<i64>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub remove_supporters: Vec<i64>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub add_viewers: Vec<i64>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub remove_viewers: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MembersResult {
    pub done: u64,
    pub skipped: Vec<BulkSkip>,
}

/// What a sharing rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum ShareMatch {
    /// Customers matching a saved filter.
    Filter(i64),
    /// Customers with a tag.
    Tag(i64),
    /// Customers at a stage.
    Stage(i64),
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SharingRule {
    pub id: i64,
    pub name: String,
    #[serde(rename = "match")]
    pub matches: ShareMatch,
    /// Accounts that get view access.
    pub accounts: Vec<AccountRef>,
    /// A department whose members get view access too.
    pub department_id: Option<i64>,
    pub active: bool,
    /// Customers "to be shared" (waiting for the next sharing run).
    pub to_be_shared: u64,
    pub shared: u64,
    pub last_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SharingRuleList {
    pub items: Vec<SharingRule>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSharingRule {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(rename = "match")]
    pub matches: ShareMatch,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub account_ids: Vec<i64>,
    pub department_id: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Absent fields stay; `department_id: null` clears.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSharingRule {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub matches: Option<ShareMatch>,
    #[schema(max_items = 100)]
    pub account_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>, nullable)]
    pub department_id: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// What a sharing run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SharingRun {
    /// Rules whose matches were worked out again.
    pub rules: u64,
    /// Customers that became shared.
    pub shared: u64,
    /// Shares dropped because the customer no longer matches.
    pub dropped: u64,
}
