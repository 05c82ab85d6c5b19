//! Counter rules per event type: how an event changes the interaction count, the
//! last contact date and the score. Getfly's rules (SPEC §2, FAQ Q1–Q2) are the
//! defaults; a business may change them in the settings.

use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use khach_db::ConnectionTrait;
use khach_types::api::{CounterRule, CounterRules, ScoreDecay};
use khach_types::{Action, EventKind, EventSource, Module};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

const KEY: &str = "interactions.rules";

/// (type, interaction change, hourly, contact, score).
const GETFLY: &[(&str, i32, bool, bool, i32)] = &[
    // FAQ Q1: what adds to the interaction count.
    ("customer.created", 1, false, false, 0),
    ("email.delivered", 1, false, false, 0),
    ("email.opened", 1, false, true, 1),
    ("email.clicked", 1, false, true, 2),
    ("task.done", 1, false, false, 0),
    ("sms.delivered", 1, false, false, 0),
    ("zns.delivered", 1, false, false, 0),
    ("zns.deleted", -1, false, false, 0),
    ("call.out.answered", 1, false, true, 3),
    ("comment.added", 1, true, false, 0),
    ("note.added", 1, true, false, 0),
    // FAQ Q2: what sets the last contact date (and nothing more).
    ("contact.updated", 0, false, true, 0),
    ("sms.sent", 0, false, true, 0),
    ("zns.sent", 0, false, true, 0),
    ("message.sent", 0, false, true, 0),
    ("call.in.answered", 0, false, true, 3),
    ("call.out.missed", 0, false, true, 0),
    ("order.placed", 0, false, true, 10),
    ("meeting.done", 0, false, true, 5),
    ("visit.checked_in", 0, false, true, 0),
    ("visit.checked_out", 0, false, true, 0),
    // Points only.
    ("form.submitted", 0, false, false, 5),
    ("page.viewed", 0, false, false, 1),
];

/// Getfly's rules.
pub fn defaults() -> CounterRules {
    CounterRules {
        rules: GETFLY
            .iter()
            .map(|(kind, interaction, hourly, contact, score)| CounterRule {
                kind: (*kind).into(),
                interaction: *interaction,
                hourly: *hourly,
                contact: *contact,
                score: *score,
                score_by_source: BTreeMap::new(),
            })
            .collect(),
        decay: None,
    }
}

/// The rules in force, by type, as of one day (for the decay).
#[derive(Debug, Clone)]
pub struct Rules {
    by_kind: HashMap<String, CounterRule>,
    decay: Option<ScoreDecay>,
    today: NaiveDate,
}

/// What one event does to the counters, before the once-per-hour check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    pub interaction: i32,
    pub contact: bool,
    pub score: i32,
    /// Counted at most once per clock hour (comments).
    pub hourly: bool,
}

impl Rules {
    pub fn new(r: CounterRules, now: DateTime<Utc>) -> Self {
        Self {
            by_kind: r.rules.into_iter().map(|r| (r.kind.clone(), r)).collect(),
            decay: r.decay,
            today: now.date_naive(),
        }
    }

    /// Whether points lose value with time.
    pub fn decays(&self) -> bool {
        self.decay.is_some()
    }

    /// What `points` earned by an event at `at` are worth today: whole points, each
    /// event rounded on its own so a recompute adds up to the same total.
    pub fn worth(&self, points: i32, at: DateTime<Utc>) -> i64 {
        let Some(d) = self.decay else {
            return i64::from(points);
        };
        let days = (self.today - at.date_naive()).num_days().max(0);
        let periods = days / i64::from(d.every_days.max(1));
        if periods == 0 {
            return i64::from(points);
        }
        if d.percent >= 100 {
            return 0;
        }
        let keep = 1.0 - f64::from(d.percent) / 100.0;
        let factor = keep.powi(i32::try_from(periods).unwrap_or(i32::MAX));
        // |points| ≤ 2^31 and factor < 1, so the product fits an i64.
        (f64::from(points) * factor).round() as i64
    }

    pub fn effect(&self, kind: &str, source: &str, payload: &Value) -> Effect {
        let Some(r) = self.by_kind.get(kind) else {
            return Effect::default();
        };
        let system = payload.get("system").and_then(Value::as_bool) == Some(true);
        Effect {
            // A system log is not a comment a person wrote.
            interaction: if r.hourly && system { 0 } else { r.interaction },
            contact: r.contact,
            score: r.score_by_source.get(source).copied().unwrap_or(r.score),
            hourly: r.hourly,
        }
    }

    /// Types counted at most once per hour.
    pub fn hourly_kinds(&self) -> Vec<String> {
        self.by_kind
            .values()
            .filter(|r| r.hourly)
            .map(|r| r.kind.clone())
            .collect()
    }
}

/// The clock hour an event falls in.
pub fn hour_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(3600)
}

pub(crate) async fn load(c: &impl ConnectionTrait) -> CoreResult<CounterRules> {
    match khach_db::settings::get(c, KEY).await? {
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| CoreError::Internal(format!("stored counter rules: {e}"))),
        None => Ok(defaults()),
    }
}

/// The counter rules (Getfly's until changed).
pub async fn get(core: &Core, ctx: &Ctx) -> CoreResult<CounterRules> {
    ctx.require(Module::Customers, Action::View)?;
    load(core.db.conn()).await
}

/// Replaces the counter rules. Past events keep what they counted until
/// `khach recompute` rebuilds the counters with the new rules.
pub async fn set(core: &Core, ctx: &Ctx, mut r: CounterRules) -> CoreResult<CounterRules> {
    ctx.require(Module::Customers, Action::Settings)?;
    let mut errs = crate::error::FieldErrors::default();
    let mut seen = std::collections::HashSet::new();
    for (i, rule) in r.rules.iter_mut().enumerate() {
        let at = format!("rules.{i}.type");
        if rule.kind.starts_with("customer.") {
            rule.kind = rule.kind.trim().to_string();
        } else if let Some(k) = errs.check(&at, EventKind::parse(&rule.kind)) {
            rule.kind = k.as_str().to_string();
        }
        if !seen.insert(rule.kind.clone()) {
            errs.add(&at, "interactions-rule-twice");
        }
        if !(-100..=100).contains(&rule.interaction) {
            errs.add(
                &format!("rules.{i}.interaction"),
                "interactions-out-of-range",
            );
        }
        let mut by_source = BTreeMap::new();
        for (s, p) in std::mem::take(&mut rule.score_by_source) {
            if let Some(s) = errs.check(
                &format!("rules.{i}.score_by_source"),
                EventSource::parse(&s),
            ) {
                by_source.insert(s.as_str().to_string(), p);
            }
        }
        rule.score_by_source = by_source;
    }
    if r.rules.len() > 500 {
        errs.add("rules", "value-too-many");
    }
    if let Some(d) = r.decay {
        if !(1..=100).contains(&d.percent) {
            errs.add("decay.percent", "interactions-out-of-range");
        }
        if !(1..=3650).contains(&d.every_days) {
            errs.add("decay.every_days", "interactions-out-of-range");
        }
    }
    errs.finish()?;
    let tx = core.db.begin().await?;
    let before = load(&tx).await?;
    let text = serde_json::to_string(&r).map_err(|e| CoreError::Internal(e.to_string()))?;
    khach_db::settings::put(&tx, KEY, text, ctx.now).await?;
    let mut ch = crate::audit::Changes::new();
    ch.diff("rules", &before, &r);
    crate::audit::record(&tx, ctx, "interaction_rules", None, "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(r)
}
