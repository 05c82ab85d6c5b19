//! Duplicates (Hợp nhất khách hàng): the pairs detection found, the review queue's
//! decisions, the detection job, and merging several customers into one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Why two customers look like one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DuplicateReason {
    /// `same_phone`, `same_email`, `same_name`, `name_reordered`, `name_contained`,
    /// `similar_name`, `phone_suffix`, `email_local`, `same_birthday`,
    /// `same_address`, `different_phones` (counts against).
    pub code: String,
    /// The shared value where there is one (a phone as E.164 or masked, an e-mail,
    /// the last digits of a phone, an e-mail's local part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The reason in the caller's language, e.g. "same phone 0912…678".
    #[serde(default)]
    pub text: String,
}

/// One side of a pair, as the caller may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateSide {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The primary phone for display (masked for roles that may not see contacts).
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Two customers that may be the same person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicatePair {
    pub id: i64,
    /// 0–100: how sure detection is.
    pub score: i32,
    /// `exact` (they share a phone or an e-mail) or `similar`.
    pub kind: String,
    /// `likely` (score 70 and up) or `possible`.
    pub level: String,
    /// `open`, `later`, `dismissed` (not a duplicate — remembered) or `merged`.
    pub status: String,
    pub reasons: Vec<DuplicateReason>,
    pub a: DuplicateSide,
    pub b: DuplicateSide,
    pub found_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DuplicatePairList {
    pub items: Vec<DuplicatePair>,
    pub next_cursor: Option<String>,
}

/// Filters of the review queue, best score first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DuplicateQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Opaque cursor from `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
    /// `open` (default), `later`, `dismissed`, `merged` or `all`.
    pub status: Option<String>,
    /// `exact` or `similar`.
    pub kind: Option<String>,
    /// `likely` or `possible`.
    pub level: Option<String>,
    /// Only pairs scoring at least this (0–100).
    #[param(minimum = 0, maximum = 100)]
    pub min_score: Option<i32>,
}

/// What a reviewer decided about a pair.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateDecision {
    /// `not_duplicate` (remembered: detection never shows the pair again), `later`,
    /// or `open` (back to the queue).
    pub decision: String,
}

/// A run of the detection job.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateScan {
    pub id: i64,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// Live customers looked at.
    pub customers: i64,
    /// Pairs found (open, later and remembered ones included).
    pub pairs: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The latest detection run, if any.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateScanState {
    pub scan: Option<DuplicateScan>,
}

/// Customers that may be the same person as one customer: those sharing one of its
/// phones (also through sub-contacts) and the detected pairs it is in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerDuplicates {
    /// Other live customers with one of its phones, oldest first.
    pub same_phone: Vec<DuplicateSide>,
    /// Detected pairs with this customer, open or later, best first (for those
    /// who may merge).
    pub pairs: Vec<DuplicatePair>,
}

/// Merge several customers into one (Hợp nhất khách hàng).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record that stays.
    pub survivor_id: i64,
    /// The records merged into it (1–9, none the survivor).
    #[schema(min_items = 1, max_items = 9)]
    pub merged_ids: Vec<i64>,
    /// Field → the customer whose value to keep. Fields: `name`, `gender`,
    /// `birthday`, `address` (province, ward and street together), `company_id`,
    /// `source_id`, `stage_id`, `owner_id`, `notes`, and `custom.<key>`. Absent:
    /// the survivor's value, or when it is empty the first merged record's that
    /// has one. Phones, e-mails, tags, supporters and viewers are always united.
    #[serde(default)]
    pub fields: BTreeMap<String, i64>,
    /// Only show what would happen.
    #[serde(default)]
    pub dry_run: bool,
}

/// One field of a merge: its values on each record and the one kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MergeField {
    pub key: String,
    /// Customer id → the value as shown (empty when the record has none).
    pub values: BTreeMap<i64, String>,
    /// The customer whose value is kept.
    pub chosen: i64,
    /// The records disagree (more than one distinct non-empty value).
    pub conflict: bool,
}

/// What a merge does (a dry run) or did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MergePreview {
    pub survivor_id: i64,
    pub merged_ids: Vec<i64>,
    pub fields: Vec<MergeField>,
    /// Phones (E.164, or masked) and e-mails the survivor will hold.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub tags: Vec<String>,
    /// Timeline events, sub-contacts and import rows that move to the survivor.
    pub events_moved: i64,
    pub contacts_moved: i64,
    pub import_rows_moved: i64,
    /// Set when the merge was carried out.
    pub merge_id: Option<i64>,
}

/// A merge as recorded, for undoing it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MergeRecord {
    pub id: i64,
    pub survivor_id: i64,
    pub merged: Vec<DuplicateSide>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// Until then it can be undone.
    pub undo_until: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MergeRecordList {
    pub items: Vec<MergeRecord>,
}
