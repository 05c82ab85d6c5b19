//! Writes and reads the audit log. Every use case that changes something calls
//! [`record`] inside its own transaction, so a change and its audit row commit together.

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::audit::{AuditFilter, AuditRow};
use khach_types::api::{AuditEntry, AuditList, AuditQuery};
use khach_types::{Action, Module, Origin};
use serde_json::{Map, Value, json};

/// Field-level differences: `{"field": {"old": …, "new": …}}`.
#[derive(Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds the field when the values differ.
    pub fn diff<T: serde::Serialize + PartialEq>(&mut self, field: &str, old: &T, new: &T) {
        if old != new {
            self.0.insert(field.into(), json!({"old": old, "new": new}));
        }
    }
    /// Adds a value that was created (no old value).
    pub fn set<T: serde::Serialize>(&mut self, field: &str, new: &T) {
        self.0
            .insert(field.into(), json!({"old": null, "new": new}));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn row(
    ctx: &Ctx,
    entity: &str,
    entity_id: Option<String>,
    action: &str,
    changes: Changes,
) -> AuditRow {
    AuditRow {
        id: 0,
        at: ctx.now,
        actor_id: ctx.account_id(),
        actor: ctx.actor_label(),
        origin: ctx.origin.as_str().into(),
        entity: entity.into(),
        entity_id,
        action: action.into(),
        changes: Value::Object(changes.0).to_string(),
        ip: ctx.ip.clone(),
    }
}

pub async fn record(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    entity: &str,
    entity_id: Option<String>,
    action: &str,
    changes: Changes,
) -> CoreResult<()> {
    khach_db::audit::insert(c, row(ctx, entity, entity_id, action, changes)).await?;
    Ok(())
}

/// One entry per record of a bulk action, written in a few statements.
pub async fn record_many(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    entity: &str,
    action: &str,
    entries: Vec<(String, Changes)>,
) -> CoreResult<()> {
    let rows = entries
        .into_iter()
        .map(|(id, ch)| row(ctx, entity, Some(id), action, ch))
        .collect();
    khach_db::audit::insert_many(c, rows).await?;
    Ok(())
}

pub async fn list(core: &Core, ctx: &Ctx, q: &AuditQuery) -> CoreResult<AuditList> {
    ctx.require(Module::AuditLog, Action::View)?;
    let limit = crate::paging::page_limit(q.limit)?;
    // Both databases store years 1–9999 safely; outside that is a typo, not a filter.
    use chrono::Datelike;
    for (name, t) in [("from", q.from), ("to", q.to)] {
        if t.is_some_and(|t| !(1..=9999).contains(&t.year())) {
            return Err(CoreError::fields([(name, "value-date-range")]));
        }
    }
    let before = crate::paging::parse_cursor(q.cursor.as_deref())?;
    let filter = AuditFilter {
        entity: q.entity.clone(),
        entity_id: q.entity_id.clone(),
        actor_id: q.actor_id,
        origin: q.origin.map(|o| o.as_str().to_string()),
        from: q.from,
        to: q.to,
    };
    let rows = khach_db::audit::list(core.db.conn(), &filter, before, limit + 1).await?;
    let (rows, next) = crate::paging::split_page(rows, limit, |r| r.id);
    let mut items = rows
        .into_iter()
        .map(to_api)
        .collect::<CoreResult<Vec<_>>>()?;
    if ctx.masked() {
        // Roles with masking never read customers' phones or e-mails, here neither.
        for e in &mut items {
            if matches!(e.entity.as_str(), "customer" | "company" | "sub_contact") {
                let changes = std::mem::take(&mut e.changes);
                e.changes =
                    crate::customers::mask_changes(core.db.conn(), &e.entity, changes).await?;
            }
        }
    }
    Ok(AuditList {
        items,
        next_cursor: next,
    })
}

fn to_api(r: AuditRow) -> CoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: r.id,
        at: r.at,
        actor_id: r.actor_id,
        actor: r.actor,
        origin: Origin::parse(&r.origin)
            .ok_or_else(|| CoreError::Internal(format!("bad origin {}", r.origin)))?,
        entity: r.entity,
        entity_id: r.entity_id,
        action: r.action,
        changes: serde_json::from_str(&r.changes).unwrap_or(Value::Null),
        ip: r.ip,
    })
}
