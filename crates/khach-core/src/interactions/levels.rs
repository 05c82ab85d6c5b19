//! Score levels ("Kích hoạt hành động theo mức điểm"): when a customer's score goes
//! from below a threshold to at or above it (up), or back (down), the level's
//! actions run once, in the transaction that moved the score. The counters are
//! added to in one locked upsert that answers the new score, so each batch sees the
//! score it moved from and to: a crossing fires exactly once however events are
//! batched, repeated or reordered.
//! Every crossing appends a `score.level_crossed` event (the webhook dispatcher's
//! contract: level_id, level_name, direction, score, webhook_ids).

use super::record::{Applied, Draft, apply};
use super::rules::Rules;
use crate::customers::assign::OwnershipInput;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::interactions::levels as store;
use khach_types::api::{LevelActions, ScoreLevel, ScoreLevelInput, ScoreLevelList};
use khach_types::{Action, Module, Origin, event_kind::LEVEL_CROSSED};
use serde_json::{Value, json};

fn parse(l: store::Level) -> ScoreLevel {
    let side = |k: &str| -> LevelActions {
        l.actions
            .get(k)
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    };
    ScoreLevel {
        up: side("up"),
        down: side("down"),
        id: l.id,
        name: l.name,
        threshold: l.threshold,
    }
}

/// Which levels a score change crosses, in the order they are passed.
pub(crate) fn crossings(levels: &[ScoreLevel], old: i64, new: i64) -> Vec<(&ScoreLevel, bool)> {
    let mut out: Vec<(&ScoreLevel, bool)> = Vec::new();
    if new > old {
        out.extend(
            levels
                .iter()
                .filter(|l| old < l.threshold && new >= l.threshold)
                .map(|l| (l, true)),
        );
    } else if new < old {
        out.extend(
            levels
                .iter()
                .rev()
                .filter(|l| old >= l.threshold && new < l.threshold)
                .map(|l| (l, false)),
        );
    }
    out
}

/// The score levels, lowest threshold first.
pub(crate) async fn load(c: &impl ConnectionTrait) -> CoreResult<Vec<ScoreLevel>> {
    Ok(store::all(c).await?.into_iter().map(parse).collect())
}

/// Runs the actions of every level crossed by a stored batch.
pub(crate) async fn cross(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    rules: &Rules,
    levels: &[ScoreLevel],
    applied: &Applied,
) -> CoreResult<()> {
    if levels.is_empty() {
        return Ok(());
    }
    let auto = Ctx::system(Origin::Automation, ctx.now);
    let mut drafts = Vec::new();
    for (&id, &(old, new)) in &applied.scores {
        for (level, up) in crossings(levels, old, new) {
            let acts = if up { &level.up } else { &level.down };
            run(c, &auto, id, acts, level, up, new).await?;
            drafts.push(Draft {
                customer_id: id,
                kind: LEVEL_CROSSED.into(),
                source: "khach".into(),
                occurred_at: ctx.now,
                actor_id: None,
                actor_label: None,
                payload: json!({
                    "level_id": level.id,
                    "level_name": level.name,
                    "direction": if up { "up" } else { "down" },
                    "score": new,
                    "webhook_ids": acts.webhook_ids,
                }),
                idem_key: None,
            });
        }
    }
    if !drafts.is_empty() {
        apply(c, rules, drafts, false).await?;
    }
    Ok(())
}

async fn run(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    id: i64,
    acts: &LevelActions,
    level: &ScoreLevel,
    up: bool,
    score: i64,
) -> CoreResult<()> {
    let Some(mut row) = khach_db::customers::get(c, id).await? else {
        return Ok(());
    };
    if !acts.add_tags.is_empty() || !acts.remove_tags.is_empty() {
        let add = crate::taxonomy::ensure_tags(c, ctx, &acts.add_tags).await?;
        let mut remove = Vec::new();
        for name in &acts.remove_tags {
            if let Some(t) = khach_db::taxonomy::tag_by_key(c, &khach_types::fold(name)).await? {
                remove.push(t.id);
            }
        }
        khach_db::customers::add_tags(c, &[id], &add).await?;
        khach_db::customers::remove_tags(c, &[id], &remove).await?;
        crate::customers::timeline_entry(
            c,
            ctx,
            id,
            "tags_changed",
            json!({"added": add, "removed": remove}),
        )
        .await?;
    }
    if let Some(stage) = acts.set_stage_id
        && row.stage_id != Some(stage)
    {
        let from = row.stage_id;
        row.stage_id = Some(stage);
        row.updated_at = ctx.now;
        row = khach_db::customers::update(c, row).await?;
        crate::customers::timeline_entry(
            c,
            ctx,
            id,
            "stage_changed",
            json!({"from": from, "to": stage}),
        )
        .await?;
    }
    if let Some(owner) = acts.assign_owner_id
        && row.owner_id != Some(owner)
    {
        let inp = OwnershipInput {
            owner: Some(Some(owner)),
            supporters: None,
            viewers: None,
            keep_old: false,
        };
        crate::customers::assign::apply_input(c, ctx, id, row.owner_id, &inp).await?;
        row.owner_id = Some(owner);
    }
    if acts.notify_owner
        && let Some(owner) = row.owner_id
    {
        let payload = json!({
            "level_id": level.id, "level_name": level.name,
            "direction": if up { "up" } else { "down" }, "score": score,
            "customer_name": row.name, "customer_code": row.code,
        });
        store::notify(c, owner, LEVEL_CROSSED, Some(id), payload, ctx.now).await?;
    }
    Ok(())
}

pub async fn list(core: &Core, ctx: &Ctx) -> CoreResult<ScoreLevelList> {
    ctx.require(Module::Customers, Action::View)?;
    Ok(ScoreLevelList {
        items: store::all(core.db.conn())
            .await?
            .into_iter()
            .map(parse)
            .collect(),
    })
}

async fn check(c: &impl ConnectionTrait, inp: &ScoreLevelInput) -> CoreResult<(String, Value)> {
    let mut errs = crate::error::FieldErrors::default();
    let name = inp.name.trim().to_string();
    if name.is_empty() {
        errs.add("name", "value-required");
    } else if name.chars().count() > 200 {
        errs.add("name", "value-too-long");
    }
    for (side, a) in [("up", &inp.up), ("down", &inp.down)] {
        if let Some(s) = a.set_stage_id
            && khach_db::taxonomy::stages::get(c, s).await?.is_none()
        {
            errs.add(&format!("{side}.set_stage_id"), "value-unknown-ref");
        }
        if let Some(o) = a.assign_owner_id
            && khach_db::accounts::get(c, o).await?.is_none()
        {
            errs.add(&format!("{side}.assign_owner_id"), "value-unknown-ref");
        }
        if a.add_tags.len() + a.remove_tags.len() > 50 || a.webhook_ids.len() > 50 {
            errs.add(side, "value-too-many");
        }
    }
    errs.finish()?;
    Ok((name, json!({"up": inp.up, "down": inp.down})))
}

pub async fn create(core: &Core, ctx: &Ctx, inp: ScoreLevelInput) -> CoreResult<ScoreLevel> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let (name, actions) = check(&tx, &inp).await?;
    let id = store::insert(&tx, &name, inp.threshold, actions, ctx.now).await?;
    let mut ch = crate::audit::Changes::new();
    ch.set("name", &name);
    ch.set("threshold", &inp.threshold);
    crate::audit::record(&tx, ctx, "score_level", Some(id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(ScoreLevel {
        id,
        name,
        threshold: inp.threshold,
        up: inp.up,
        down: inp.down,
    })
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    inp: ScoreLevelInput,
) -> CoreResult<ScoreLevel> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let (name, actions) = check(&tx, &inp).await?;
    store::update(&tx, id, &name, inp.threshold, actions, ctx.now).await?;
    let mut ch = crate::audit::Changes::new();
    ch.set("name", &name);
    ch.set("threshold", &inp.threshold);
    crate::audit::record(&tx, ctx, "score_level", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(ScoreLevel {
        id,
        name,
        threshold: inp.threshold,
        up: inp.up,
        down: inp.down,
    })
}

pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    store::delete(&tx, id).await.map_err(|e| match e {
        khach_db::DbError::NotFound => CoreError::NotFound,
        e => e.into(),
    })?;
    let ch = crate::audit::Changes::new();
    crate::audit::record(&tx, ctx, "score_level", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
