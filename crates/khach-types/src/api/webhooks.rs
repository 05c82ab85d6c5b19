//! Outgoing webhooks (Cài đặt Webhook): endpoints, their deliveries and attempts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an endpoint can subscribe to. `event.ingested` is every interaction event
/// (calls, e-mails, orders, page views, custom events …).
pub const WEBHOOK_KINDS: &[&str] = &[
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.restored",
    "customer.merged",
    "event.ingested",
    "score.level_crossed",
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// Subscribed kinds, from `customer.created`, `customer.updated`,
    /// `customer.deleted`, `customer.restored`, `customer.merged`, `event.ingested`,
    /// `score.level_crossed`.
    pub kinds: Vec<String>,
    pub active: bool,
    /// Why it was switched off (by a person, or automatically after failing).
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Deliveries have failed without a success since then.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpointList {
    pub items: Vec<WebhookEndpoint>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `https://…` (or `http://…`); never a loopback, private, link-local or
    /// metadata address unless the administrator allowed private targets.
    #[schema(max_length = 2000)]
    pub url: String,
    #[schema(min_items = 1)]
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub name: Option<String>,
    pub url: Option<String>,
    pub kinds: Option<Vec<String>>,
    /// Switch on (also after an automatic disable) or off.
    pub active: Option<bool>,
}

/// An endpoint with its signing secret: the only answer that shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…` (Standard Webhooks): base64 of the HMAC-SHA256 key.
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    /// The HTTP status of the answer, if one came.
    pub status: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The `webhook-id` header: the same on every retry.
    pub msg_id: String,
    pub kind: String,
    pub event_id: Option<i64>,
    /// `pending`, `succeeded`, `failed` (gave up after the last retry) or
    /// `cancelled` (the endpoint was switched off).
    pub status: String,
    pub attempts: i32,
    pub next_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub body: serde_json::Value,
    pub tries: Vec<WebhookAttempt>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookDeliveryList {
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Allow targets on loopback and private networks (on-premises receivers).
    /// Metadata addresses stay refused.
    pub allow_private: bool,
}
