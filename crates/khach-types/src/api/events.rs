//! The interaction history: ingested events, the timeline, counter rules and score
//! levels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Which customer an event is about: the first of `id`, `code`, `phone`, `email`
/// given is used. Lengths are checked per event: in a batch, an event over a limit
/// is rejected by its index and the others are kept. `name` names a customer created by `create_if_missing`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventCustomer {
    pub id: Option<i64>,
    /// At most 32 characters.
    pub code: Option<String>,
    /// At most 40 characters.
    pub phone: Option<String>,
    /// At most 254 characters.
    pub email: Option<String>,
    /// At most 200 characters.
    pub name: Option<String>,
}

/// One event sent by an integration.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub customer: EventCustomer,
    /// `customer.created`, `email.opened`, `call.out.answered`, … or `custom.<name>`.
    #[serde(rename = "type")]
    /// At most 64 characters.
    pub kind: String,
    /// The channel or system it comes from (`zalo`, `website`, `pos`…).
    /// At most 32 characters.
    pub source: String,
    /// The sender's id of the event: the same (source, external_id) is stored once.
    /// At most 200 characters.
    pub external_id: Option<String>,
    /// When it happened (past times are backfills); now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Who did it, as the sender names them.
    /// At most 200 characters.
    pub actor: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    /// Create the customer when none matches (then automatic assignment applies).
    #[serde(default)]
    pub create_if_missing: bool,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    #[schema(max_items = 1000)]
    pub events: Vec<EventInput>,
}

/// What happened to one event sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Stored,
    /// Already stored under the same (source, external_id): nothing changed.
    Duplicate,
    Rejected,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventResult {
    /// Position in the batch, from 0.
    pub index: usize,
    pub status: EventStatus,
    pub event_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Error code when rejected (`validation_failed`, `not_found`, `forbidden`).
    pub error: Option<String>,
    /// Field → message for rejected events.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub created_customers: usize,
    /// One entry per event, in the order sent.
    pub results: Vec<EventResult>,
}

/// A timeline entry: Khách's own (`customer.*`, `score.level_crossed`) or ingested.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    pub id: i64,
    /// The event type (`customer.created`, `email.opened`, `custom.<name>`…).
    pub kind: String,
    pub source: String,
    pub external_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// The actor as the sender named it, else the account's name.
    pub actor_name: Option<String>,
    /// Change of the interaction count this event made.
    pub interaction_delta: i32,
    pub score_delta: i32,
    /// Counted as a contact (last contact date).
    pub contact: bool,
    /// The event's properties.
    #[schema(value_type = Object)]
    pub payload: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelinePage {
    pub items: Vec<TimelineEvent>,
    pub next_cursor: Option<String>,
}

/// Filters of a customer's timeline.
#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Text in the type, source, actor or properties.
    pub q: Option<String>,
    /// Only events from this source.
    pub source: Option<String>,
    /// Every source except this one.
    pub except_source: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
}

/// The timeline's filters for an export, and the file format.
#[derive(Debug, Default, Clone, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineExportQuery {
    /// Text in the type, source, actor or properties.
    pub q: Option<String>,
    /// Only events from this source.
    pub source: Option<String>,
    /// Every source except this one.
    pub except_source: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<crate::api::ExportFormat>,
}

impl TimelineExportQuery {
    /// The filters alone.
    pub fn filters(&self) -> TimelineQuery {
        TimelineQuery {
            q: self.q.clone(),
            source: self.source.clone(),
            except_source: self.except_source.clone(),
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// How one event type counts. Getfly's rules are the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterRule {
    #[serde(rename = "type")]
    pub kind: String,
    /// Change of the interaction count (−1, 0, +1…).
    pub interaction: i32,
    /// Counted at most once per clock hour per customer (comments), and never when
    /// `properties.system` is true.
    #[serde(default)]
    pub hourly: bool,
    /// Sets the last contact date.
    #[serde(default)]
    pub contact: bool,
    /// Points added to the score.
    #[serde(default)]
    pub score: i32,
    /// Points by source, instead of `score`.
    #[serde(default)]
    pub score_by_source: BTreeMap<String, i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterRules {
    /// Types not listed count nothing.
    pub rules: Vec<CounterRule>,
    /// Optional decay of the score: none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay: Option<ScoreDecay>,
}

/// Score decay: an event's points lose `percent` % of their value for every full
/// `every_days` days since the event's day (UTC), rounded to whole points per event;
/// 100 % makes points expire after `every_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreDecay {
    #[schema(minimum = 1, maximum = 100)]
    pub percent: u8,
    #[schema(minimum = 1, maximum = 3650)]
    pub every_days: u32,
}

/// What to do when a customer crosses a score level.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelActions {
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
    pub set_stage_id: Option<i64>,
    pub assign_owner_id: Option<i64>,
    /// Notify the owner in the app.
    #[serde(default)]
    pub notify_owner: bool,
    /// Webhook subscriptions to send `score.level_crossed` to.
    #[serde(default)]
    pub webhook_ids: Vec<i64>,
}

/// A score level and what it does when crossed upward and downward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoreLevel {
    pub id: i64,
    pub name: String,
    pub threshold: i64,
    pub up: LevelActions,
    pub down: LevelActions,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreLevelInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub threshold: i64,
    #[serde(default)]
    pub up: LevelActions,
    #[serde(default)]
    pub down: LevelActions,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScoreLevelList {
    pub items: Vec<ScoreLevel>,
}

/// An in-app notification.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub customer_id: Option<i64>,
    #[schema(value_type = Object)]
    pub payload: Value,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub unread: u64,
}

/// A customer's counters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InteractionSummary {
    pub interaction_count: i64,
    pub score: i64,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Whole days since the last contact; absent when never contacted.
    pub days_since_last_contact: Option<i64>,
}
