//! The "Interactions and scoring" settings page: the counter rules as an editable
//! table (one row per event type, a row to add one, a box to remove one), the score
//! decay, and the score levels with their actions chosen from lists (tags, stage,
//! owner, webhooks) rather than typed as JSON.

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, interactions};
use khach_types::api::{
    AccountRef, CounterRule, CounterRules, LevelActions, ScoreDecay, ScoreLevel, ScoreLevelInput,
    Stage, WebhookEndpoint,
};
use khach_types::{Action, Module};
use std::collections::{BTreeMap, HashMap};

/// One rule row as shown (and as typed back, when the form comes back with errors).
pub struct RuleRow {
    pub n: String,
    pub kind: String,
    pub label: String,
    pub interaction: String,
    pub hourly: bool,
    pub contact: bool,
    pub score: String,
    /// `source=points, …`
    pub by_source: String,
}

impl RuleRow {
    fn of(n: usize, r: &CounterRule, l: khach_types::Locale) -> Self {
        Self {
            n: n.to_string(),
            label: super::interactions::event_name(l, &r.kind),
            kind: r.kind.clone(),
            interaction: r.interaction.to_string(),
            hourly: r.hourly,
            contact: r.contact,
            score: r.score.to_string(),
            by_source: r
                .score_by_source
                .iter()
                .map(|(s, p)| format!("{s}={p}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A level's actions in words.
pub struct LevelRow {
    pub level: ScoreLevel,
    pub up: Vec<String>,
    pub down: Vec<String>,
}

#[derive(Template)]
#[template(path = "interactions/settings.html")]
struct SettingsPage {
    l: crate::pages::Layout,
    rows: Vec<RuleRow>,
    decay_percent: String,
    decay_days: String,
    levels: Vec<LevelRow>,
    stages: Vec<Stage>,
    accounts: Vec<AccountRef>,
    webhooks: Vec<WebhookEndpoint>,
    errors: Vec<String>,
    can_edit: bool,
}

/// What the form sent back, to show again beside its errors.
struct Typed {
    rows: Vec<RuleRow>,
    decay_percent: String,
    decay_days: String,
}

async fn page(s: &AppState, p: PageCtx, errors: Vec<String>, typed: Option<Typed>) -> Response {
    let (core, ctx) = (&s.core, &p.ctx);
    let rules = match interactions::rules::get(core, ctx).await {
        Ok(r) => r,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.layout.locale;
    let stages = khach_core::taxonomy::list_stages(core, ctx)
        .await
        .map(|s| s.items)
        .unwrap_or_default();
    let accounts = khach_core::customers::assign::assignable(core, ctx)
        .await
        .unwrap_or_default();
    // Only those who may see webhooks choose among them.
    let webhooks = khach_core::webhooks::list(core, ctx)
        .await
        .map(|w| w.items)
        .unwrap_or_default();
    let levels = interactions::levels::list(core, ctx)
        .await
        .map(|l| l.items)
        .unwrap_or_default()
        .into_iter()
        .map(|lv| LevelRow {
            up: describe(&p, &lv.up, &stages, &accounts, &webhooks),
            down: describe(&p, &lv.down, &stages, &accounts, &webhooks),
            level: lv,
        })
        .collect();
    let typed = typed.unwrap_or_else(|| Typed {
        rows: rules
            .rules
            .iter()
            .enumerate()
            .map(|(n, r)| RuleRow::of(n, r, l))
            .collect(),
        decay_percent: rules
            .decay
            .map(|d| d.percent.to_string())
            .unwrap_or_default(),
        decay_days: rules
            .decay
            .map(|d| d.every_days.to_string())
            .unwrap_or_default(),
    });
    let out = SettingsPage {
        rows: typed.rows,
        decay_percent: typed.decay_percent,
        decay_days: typed.decay_days,
        levels,
        stages,
        accounts,
        webhooks,
        can_edit: ctx.can(Module::Customers, Action::Settings),
        errors,
        l: p.with_title("interactions-settings-title").layout,
    };
    let status = if out.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &out)
}

fn describe(
    p: &PageCtx,
    a: &LevelActions,
    stages: &[Stage],
    accounts: &[AccountRef],
    hooks: &[WebhookEndpoint],
) -> Vec<String> {
    let t = |k: &str| p.layout.t(k);
    let mut out = Vec::new();
    if !a.add_tags.is_empty() {
        out.push(format!(
            "{}: {}",
            t("level-add-tags"),
            a.add_tags.join(", ")
        ));
    }
    if !a.remove_tags.is_empty() {
        out.push(format!(
            "{}: {}",
            t("level-remove-tags"),
            a.remove_tags.join(", ")
        ));
    }
    if let Some(id) = a.set_stage_id {
        let name = stages.iter().find(|s| s.id == id).map(|s| s.name.clone());
        out.push(format!(
            "{}: {}",
            t("level-set-stage"),
            name.unwrap_or_else(|| format!("#{id}"))
        ));
    }
    if let Some(id) = a.assign_owner_id {
        let name = accounts
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.full_name.clone());
        out.push(format!(
            "{}: {}",
            t("level-assign-owner"),
            name.unwrap_or_else(|| format!("#{id}"))
        ));
    }
    if a.notify_owner {
        out.push(t("level-notify-owner"));
    }
    for id in &a.webhook_ids {
        let name = hooks.iter().find(|h| h.id == *id).map(|h| h.name.clone());
        out.push(format!(
            "{}: {}",
            t("level-webhook"),
            name.unwrap_or_else(|| format!("#{id}"))
        ));
    }
    out
}

/// `GET /settings/interactions`.
pub async fn settings(State(s): State<AppState>, p: PageCtx) -> Response {
    page(&s, p, Vec::new(), None).await
}

fn pairs_map(pairs: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        m.entry(k).or_default().push(v);
    }
    m
}

fn one<'a>(m: &'a HashMap<String, Vec<String>>, k: &str) -> &'a str {
    m.get(k)
        .and_then(|v| v.first())
        .map(|s| s.trim())
        .unwrap_or_default()
}

/// The rules as typed; a field that does not parse is reported with its row.
fn read_rules(
    p: &PageCtx,
    m: &HashMap<String, Vec<String>>,
    errors: &mut Vec<String>,
) -> (CounterRules, Typed) {
    let l = p.layout.locale;
    let mut ns: Vec<String> = m
        .keys()
        .filter_map(|k| k.strip_prefix("type.").map(str::to_string))
        .collect();
    ns.sort_by_key(|n| (n == "new", n.parse::<usize>().unwrap_or(usize::MAX)));
    let mut rules = Vec::new();
    let mut rows = Vec::new();
    for n in ns {
        let f = |name: &str| one(m, &format!("{name}.{n}")).to_string();
        let kind = f("type");
        if n == "new" && kind.is_empty() || !f("remove").is_empty() {
            continue;
        }
        let row = RuleRow {
            label: super::interactions::event_name(l, &kind),
            interaction: f("interaction"),
            hourly: !f("hourly").is_empty(),
            contact: !f("contact").is_empty(),
            score: f("score"),
            by_source: f("by_source"),
            n: n.clone(),
            kind: kind.clone(),
        };
        let mut bad = |what: &str, key: &str| {
            errors.push(format!(
                "{kind} · {}: {}",
                p.layout.t(what),
                p.layout.t(key)
            ));
        };
        let number = |s: &str| -> Option<i32> {
            if s.is_empty() {
                Some(0)
            } else {
                s.parse().ok()
            }
        };
        let interaction = number(&row.interaction).unwrap_or_else(|| {
            bad("interactions-count", "value-invalid");
            0
        });
        let score = number(&row.score).unwrap_or_else(|| {
            bad("interactions-score", "value-invalid");
            0
        });
        let mut by_source = BTreeMap::new();
        for part in row
            .by_source
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match part
                .split_once('=')
                .and_then(|(s, v)| Some((s.trim(), v.trim().parse::<i32>().ok()?)))
            {
                Some((s, v)) if !s.is_empty() => {
                    by_source.insert(s.to_string(), v);
                }
                _ => bad("interactions-by-source", "interactions-by-source-format"),
            }
        }
        rules.push(CounterRule {
            kind,
            interaction,
            hourly: row.hourly,
            contact: row.contact,
            score,
            score_by_source: by_source,
        });
        rows.push(row);
    }
    let (dp, dd) = (one(m, "decay_percent"), one(m, "decay_days"));
    let decay = if dp.is_empty() && dd.is_empty() {
        None
    } else {
        match (dp.parse::<u8>(), dd.parse::<u32>()) {
            (Ok(percent), Ok(every_days)) => Some(ScoreDecay {
                percent,
                every_days,
            }),
            _ => {
                errors.push(format!(
                    "{}: {}",
                    p.layout.t("interactions-decay"),
                    p.layout.t("interactions-decay-format")
                ));
                None
            }
        }
    };
    let typed = Typed {
        rows,
        decay_percent: dp.to_string(),
        decay_days: dd.to_string(),
    };
    (CounterRules { rules, decay }, typed)
}

/// Field errors of the core, with the row's type in place of `rules.N`.
fn explain(p: &PageCtx, r: &CounterRules, fields: BTreeMap<String, &'static str>) -> Vec<String> {
    fields
        .into_iter()
        .map(|(k, v)| {
            let mut parts = k.split('.');
            let at = match (
                parts.next(),
                parts.next().and_then(|n| n.parse::<usize>().ok()),
            ) {
                (Some("rules"), Some(i)) => r.rules.get(i).map(|x| x.kind.clone()).unwrap_or(k),
                (Some("decay"), _) => p.layout.t("interactions-decay"),
                _ => k,
            };
            format!("{at}: {}", p.layout.t(v))
        })
        .collect()
}

/// `POST /settings/interactions/rules`.
pub async fn save_rules(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let m = pairs_map(pairs);
    let mut errors = Vec::new();
    let (rules, typed) = read_rules(&p, &m, &mut errors);
    if errors.is_empty() {
        match interactions::rules::set(&s.core, &p.ctx, rules.clone()).await {
            Ok(_) => return Redirect::to("/settings/interactions").into_response(),
            Err(CoreError::Validation(f)) => errors = explain(&p, &rules, f),
            Err(e) => return p.err(e).into_response(),
        }
    }
    page(&s, p, errors, Some(typed)).await
}

fn side(m: &HashMap<String, Vec<String>>, k: &str) -> Result<LevelActions, ()> {
    let list = |name: &str| -> Vec<String> {
        one(m, &format!("{k}_{name}"))
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let id = |name: &str| -> Result<Option<i64>, ()> {
        match one(m, &format!("{k}_{name}")) {
            "" => Ok(None),
            v => v.parse().map(Some).map_err(|_| ()),
        }
    };
    let webhook_ids = m
        .get(&format!("{k}_webhook"))
        .into_iter()
        .flatten()
        .map(|v| v.parse::<i64>().map_err(|_| ()))
        .collect::<Result<Vec<_>, ()>>()?;
    Ok(LevelActions {
        add_tags: list("add_tags"),
        remove_tags: list("remove_tags"),
        set_stage_id: id("stage")?,
        assign_owner_id: id("owner")?,
        notify_owner: !one(m, &format!("{k}_notify")).is_empty(),
        webhook_ids,
    })
}

/// `POST /settings/interactions/levels`: a new score level.
pub async fn create_level(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let m = pairs_map(pairs);
    let threshold = one(&m, "threshold").parse::<i64>();
    let (Ok(up), Ok(down), Ok(threshold)) = (side(&m, "up"), side(&m, "down"), threshold) else {
        let e = format!(
            "{}: {}",
            p.layout.t("interactions-threshold"),
            p.layout.t("value-invalid")
        );
        return page(&s, p, vec![e], None).await;
    };
    let inp = ScoreLevelInput {
        name: one(&m, "name").to_string(),
        threshold,
        up,
        down,
    };
    match interactions::levels::create(&s.core, &p.ctx, inp).await {
        Ok(_) => Redirect::to("/settings/interactions").into_response(),
        Err(CoreError::Validation(f)) => {
            let e = f
                .into_iter()
                .map(|(k, v)| format!("{k}: {}", p.layout.t(v)))
                .collect();
            page(&s, p, e, None).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

/// `POST /settings/interactions/levels/{id}/delete`.
pub async fn delete_level(
    State(s): State<AppState>,
    p: PageCtx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    match interactions::levels::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/settings/interactions").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
