//! Import of customers from CSV / XLSX files and export of the customer list: the
//! options of a run, its progress and result, per-row outcomes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which existing customers a row is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    /// Never match: every valid row is a new customer.
    #[default]
    None,
    Code,
    Phone,
    Email,
}

/// What happens to a row that matches an existing customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnMatch {
    /// Leave the customer as it is (the row is reported as skipped).
    #[default]
    Skip,
    /// Overwrite only the columns present in the file; blank cells keep the stored
    /// value (Getfly's partial overwrite).
    Overwrite,
    /// Create a new customer anyway (refused where the phone or e-mail must be unique).
    Create,
}

/// Who owns the customers an import creates, for rows without an owner cell. An
/// owner column (username) always wins; then "mark as mine"; then the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum OwnerMode {
    /// Whoever runs the import.
    #[default]
    Mine,
    /// The same number to each of `owners` in consecutive runs, the remainder to
    /// the last one chosen.
    Even,
    /// In turn over `owners`, row by row.
    Sequential,
    /// No owner.
    Nobody,
}

/// The options of an import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ImportOptions {
    /// Column header → field (`name`, `code`, `phone`, `email`, `gender`,
    /// `birthday`, `province_code`, `ward_code`, `street`, `notes`, `stage`,
    /// `source`, `tags`, `owner`, `custom.<key>`), or `""` to ignore the column.
    /// Columns left out are mapped automatically from their header (Vietnamese or
    /// English names).
    pub mapping: std::collections::BTreeMap<String, String>,
    pub match_by: MatchBy,
    pub on_match: OnMatch,
    pub owner_mode: OwnerMode,
    /// Accounts of the split, in the order chosen.
    pub owners: Vec<i64>,
    /// Tags added to every imported customer.
    pub tags: Vec<String>,
    /// Stage and source set on every created customer (a cell of the file wins).
    pub stage_id: Option<i64>,
    pub source_id: Option<i64>,
    /// Validate and count only; write nothing.
    pub dry_run: bool,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Queued,
    Running,
    /// Every row was handled.
    Done,
    /// Stopped on an error (the file could not be read, the database failed); what
    /// was committed stays, and the run can be resumed or undone.
    Failed,
    Undone,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            "undone" => Self::Undone,
            _ => return None,
        })
    }
}

/// The counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct ImportCounts {
    /// Data rows in the file (known once the file was read through).
    pub total: u64,
    /// Rows handled so far (the checkpoint).
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

/// How a column of the file is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportColumn {
    pub header: String,
    /// The field it fills, or `None` when ignored.
    pub field: Option<String>,
    /// Why it is ignored, as a message key (`import-field-computed`,
    /// `import-field-unknown`).
    pub reason: Option<String>,
}

/// An import run as the history lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Import {
    pub id: i64,
    pub file_name: String,
    /// `utf-8`, `utf-16`, `windows-1258` or `xlsx`.
    pub encoding: String,
    pub status: ImportStatus,
    pub options: ImportOptions,
    pub columns: Vec<ImportColumn>,
    pub counts: ImportCounts,
    /// Why the run failed, as a message key or text.
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportList {
    pub items: Vec<Import>,
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Skipped,
    Failed,
}

impl RowOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => Self::Created,
            "updated" => Self::Updated,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A skipped or failed row with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportProblem {
    /// 1-based data row (the header is row 0).
    pub row: u64,
    pub outcome: RowOutcome,
    /// Message key, with the field in front: `phones.0: phone-invalid`.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportProblemList {
    pub items: Vec<ImportProblem>,
}

/// What an undo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct UndoResult {
    pub deleted: u64,
    pub restored: u64,
    /// Rows changed since the import, left as they are.
    pub refused: u64,
}

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

/// `POST /exports`: what to export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ExportRequest {
    /// The list's search and filter (as `POST /customers/query`); ignored when `ids`
    /// is given.
    pub search: super::CustomerSearch,
    /// A selection of customers instead of the filtered list.
    #[schema(max_items = 100000)]
    pub ids: Option<Vec<i64>>,
    /// `code`, `name`, `phone`, `phones`, `email`, `emails`, `gender`, `birthday`,
    /// `province_code`, `ward_code`, `street`, `stage`, `source`, `tags`, `owner`,
    /// `notes`, `created_at`, `updated_at`, `custom.<key>`; empty means all of them.
    pub columns: Vec<String>,
    pub format: ExportFormat,
}

/// `POST /imports` and `POST /imports/preview`: a file and the options.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportUpload {
    #[schema(max_length = 300)]
    pub file_name: String,
    /// The file's bytes, base64 (standard alphabet).
    pub content_base64: String,
    #[serde(default)]
    pub options: ImportOptions,
}

/// The start of a file and how its columns map.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportPreview {
    pub encoding: String,
    pub separator: String,
    pub columns: Vec<ImportColumn>,
    /// The first data rows.
    pub rows: Vec<Vec<String>>,
}

/// `GET /imports/{id}/problems`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportProblemQuery {
    /// Rows after this one.
    pub after: Option<u64>,
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
}

/// `POST /imports/{id}/undo`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UndoAnswer {
    pub import: Import,
    pub result: UndoResult,
}

/// An export run as a job (`POST /exports/jobs`), for large lists.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportJob {
    pub id: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub format: ExportFormat,
    pub rows: u64,
    pub file_name: String,
    /// Where to download the file once done.
    pub download: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
