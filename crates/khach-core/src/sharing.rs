//! Sharing rules (CRMOnline "multi assigned"): "share every customer matching a saved
//! filter, a tag or a stage with these accounts (or a department) as viewers".
//!
//! Saving a rule marks the customers it matches "to be shared"; the sharing run
//! (`run`, every minute from `khach serve`, and on demand) makes them "shared", and
//! only shared customers are visible to the rule's audience. The run also works out
//! again the matches of rules that changed (and of all rules hourly: saved filters
//! with dates, department moves). A customer whose own change makes it match (or
//! stop matching) is shared (or unshared) right away, in the same transaction.
//! Removing a rule removes exactly the access it granted: supporters, viewers given
//! by hand and other rules' shares are separate rows.

use crate::audit::{self, Changes};
use crate::customers::assign::{account_refs, check_accounts};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, Utc};
use khach_db::ConnectionTrait;
use khach_db::customers::query::{Col, Cond, SetMode};
use khach_db::sharing::{self as db, Rule as Row};
use khach_types::api::{
    CreateSharingRule, FilterGroup, ShareMatch, SharingRule, SharingRuleList, SharingRun,
    UpdateSharingRule,
};
use khach_types::{Action, Module, Origin};
use serde_json::json;

/// Customers made effective per transaction of a run.
const FLIP_BATCH: u64 = 5_000;

fn to_match(r: &Row) -> CoreResult<ShareMatch> {
    Ok(match r.match_kind.as_str() {
        "filter" => ShareMatch::Filter(r.match_id),
        "tag" => ShareMatch::Tag(r.match_id),
        "stage" => ShareMatch::Stage(r.match_id),
        other => return Err(CoreError::Internal(format!("sharing rule kind {other}"))),
    })
}

fn account_ids(r: &Row) -> Vec<i64> {
    serde_json::from_value(r.account_ids.clone()).unwrap_or_default()
}

/// The customers a rule looks for; nothing when what it names is gone.
async fn rule_cond(c: &impl ConnectionTrait, r: &Row, now: DateTime<Utc>) -> CoreResult<Cond> {
    Ok(match to_match(r)? {
        ShareMatch::Tag(id) => Cond::Tags {
            mode: SetMode::Any,
            ids: vec![id],
        },
        ShareMatch::Stage(id) => Cond::Ids {
            col: Col::StageId,
            ids: vec![id],
            negate: false,
        },
        ShareMatch::Filter(id) => {
            let Some(f) = khach_db::saved_filters::rows::get(c, id).await? else {
                return Ok(Cond::Nothing);
            };
            let Ok(def) = serde_json::from_value::<FilterGroup>(f.definition) else {
                return Ok(Cond::Nothing);
            };
            // Compiled as the system: the rule applies to every customer.
            let system = Ctx::system(Origin::Automation, now);
            match crate::customers::compile_filter(c, &system, &def).await {
                Ok(cond) => cond,
                // A field the filter used is gone: the rule matches nobody until fixed.
                Err(CoreError::Validation(_)) => Cond::Nothing,
                Err(e) => return Err(e),
            }
        }
    })
}

/// The rule's named accounts and its department's members.
async fn audience(c: &impl ConnectionTrait, r: &Row) -> CoreResult<Vec<i64>> {
    let mut out = account_ids(r);
    if let Some(d) = r.department_id {
        for a in khach_db::accounts::ids_in_department(c, d).await? {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    Ok(out)
}

async fn to_api(c: &impl ConnectionTrait, r: Row) -> CoreResult<SharingRule> {
    let ids = account_ids(&r);
    let refs = account_refs(c, &ids).await?;
    let (pending, shared) = db::counts(c, r.id).await?;
    Ok(SharingRule {
        id: r.id,
        matches: to_match(&r)?,
        name: r.name,
        accounts: ids.iter().filter_map(|i| refs.get(i).cloned()).collect(),
        department_id: r.department_id,
        active: r.active,
        to_be_shared: pending,
        shared,
        last_run_at: r.last_run_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub async fn list(core: &Core, ctx: &Ctx) -> CoreResult<SharingRuleList> {
    ctx.require(Module::Customers, Action::Settings)?;
    let c = core.db.conn();
    let mut items = Vec::new();
    for r in db::rules::all(c).await? {
        items.push(to_api(c, r).await?);
    }
    Ok(SharingRuleList { items })
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<SharingRule> {
    ctx.require(Module::Customers, Action::Settings)?;
    let c = core.db.conn();
    let r = db::rules::get(c, id).await?.ok_or(CoreError::NotFound)?;
    to_api(c, r).await
}

/// Checks the parts of a rule; reports every problem at once.
async fn check(
    c: &impl ConnectionTrait,
    name: &str,
    m: ShareMatch,
    accounts: &[i64],
    department: Option<i64>,
) -> CoreResult<String> {
    let mut errs = FieldErrors::default();
    let n = name.trim();
    if n.is_empty() || name.chars().count() > 200 {
        errs.add("name", "value-length-1-200");
    }
    let found = match m {
        ShareMatch::Filter(id) => khach_db::saved_filters::rows::get(c, id)
            .await?
            .is_some_and(|f| f.shared),
        ShareMatch::Tag(id) => khach_db::taxonomy::tags::get(c, id).await?.is_some(),
        ShareMatch::Stage(id) => khach_db::taxonomy::stages::get(c, id).await?.is_some(),
    };
    if !found {
        errs.add("match", "sharing-unknown-match");
    }
    check_accounts(c, &mut errs, "account_ids", accounts).await?;
    if let Some(d) = department
        && khach_db::departments::get(c, d).await?.is_none()
    {
        errs.add("department_id", "value-unknown-ref");
    }
    if accounts.is_empty() && department.is_none() {
        errs.add("account_ids", "sharing-no-audience");
    }
    errs.finish()?;
    Ok(n.to_string())
}

fn parts(m: ShareMatch) -> (&'static str, i64) {
    match m {
        ShareMatch::Filter(id) => ("filter", id),
        ShareMatch::Tag(id) => ("tag", id),
        ShareMatch::Stage(id) => ("stage", id),
    }
}

pub async fn create(core: &Core, ctx: &Ctx, inp: CreateSharingRule) -> CoreResult<SharingRule> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Sharing).await?;
    let name = check(
        &tx,
        &inp.name,
        inp.matches,
        &inp.account_ids,
        inp.department_id,
    )
    .await?;
    let (kind, match_id) = parts(inp.matches);
    let row = db::rules::insert(
        &tx,
        Row {
            id: 0,
            name,
            match_kind: kind.into(),
            match_id,
            account_ids: json!(inp.account_ids),
            department_id: inp.department_id,
            active: inp.active,
            dirty: inp.active,
            last_run_at: None,
            created_by: ctx.account_id(),
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    if row.active {
        queue(&tx, &row, ctx.now).await?;
    }
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("match", &inp.matches);
    ch.set("account_ids", &inp.account_ids);
    ch.set("department_id", &inp.department_id);
    ch.set("active", &row.active);
    audit::record(
        &tx,
        ctx,
        "sharing_rule",
        Some(row.id.to_string()),
        "create",
        ch,
    )
    .await?;
    let out = to_api(&tx, row).await?;
    khach_db::commit(tx).await?;
    Ok(out)
}

pub async fn update(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    inp: UpdateSharingRule,
) -> CoreResult<SharingRule> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Sharing).await?;
    let old = db::rules::get(&tx, id).await?.ok_or(CoreError::NotFound)?;
    let old_match = to_match(&old)?;
    let old_accounts = account_ids(&old);
    let m = inp.matches.unwrap_or(old_match);
    let accounts = inp.account_ids.clone().unwrap_or(old_accounts.clone());
    let department = inp.department_id.unwrap_or(old.department_id);
    let name = check(
        &tx,
        inp.name.as_deref().unwrap_or(&old.name),
        m,
        &accounts,
        department,
    )
    .await?;
    let mut row = old.clone();
    let (kind, match_id) = parts(m);
    row.name = name;
    row.match_kind = kind.into();
    row.match_id = match_id;
    row.account_ids = json!(accounts);
    row.department_id = department;
    row.active = inp.active.unwrap_or(old.active);
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("match", &old_match, &m);
    ch.diff("account_ids", &old_accounts, &accounts);
    ch.diff("department_id", &old.department_id, &row.department_id);
    ch.diff("active", &old.active, &row.active);
    if ch.is_empty() {
        return to_api(&tx, old).await;
    }
    row.updated_at = ctx.now;
    // Worked out again by the next run; switched off, it stops sharing at once.
    row.dirty = row.active;
    let row = db::rules::update(&tx, row).await?;
    if row.active {
        queue(&tx, &row, ctx.now).await?;
    } else {
        db::set_audience(&tx, id, &[]).await?;
        db::drop_unmatched(&tx, id, &Cond::Nothing).await?;
    }
    audit::record(&tx, ctx, "sharing_rule", Some(id.to_string()), "update", ch).await?;
    let out = to_api(&tx, row).await?;
    khach_db::commit(tx).await?;
    Ok(out)
}

/// A rule just saved: its audience now, customers that match "to be shared", those
/// that no longer match dropped. The next run makes the waiting ones shared.
async fn queue(c: &impl ConnectionTrait, r: &Row, now: DateTime<Utc>) -> CoreResult<()> {
    let cond = rule_cond(c, r, now).await?;
    db::set_audience(c, r.id, &audience(c, r).await?).await?;
    db::mark_matches(c, r.id, &cond, now).await?;
    db::drop_unmatched(c, r.id, &cond).await?;
    Ok(())
}

/// Deletes a rule and, with it, every share it made (and nothing else).
pub async fn delete(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Sharing).await?;
    let old = db::rules::get(&tx, id).await?.ok_or(CoreError::NotFound)?;
    db::rules::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "sharing_rule", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// The sharing run: works out the matches of every rule that changed (or all, with
/// `resync`), then makes "to be shared" customers shared in batches. Safe to run from
/// several processes at once: each step is idempotent and serialised by a lock.
pub async fn run(core: &Core, ctx: &Ctx, resync: bool) -> CoreResult<SharingRun> {
    if !ctx.can(Module::Customers, Action::Settings) {
        return Err(CoreError::Forbidden);
    }
    let mut out = SharingRun::default();
    if resync {
        db::mark_all_dirty(core.db.conn()).await?;
    }
    for rule in db::dirty(core.db.conn()).await? {
        let tx = core.db.begin().await?;
        khach_db::lock(&tx, khach_db::Lock::Sharing).await?;
        // Read again under the lock: another process may have done it.
        let Some(mut r) = db::rules::get(&tx, rule.id).await? else {
            continue;
        };
        if !r.dirty {
            continue;
        }
        let cond = rule_cond(&tx, &r, ctx.now).await?;
        db::set_audience(&tx, r.id, &audience(&tx, &r).await?).await?;
        db::mark_matches(&tx, r.id, &cond, ctx.now).await?;
        out.dropped += db::drop_unmatched(&tx, r.id, &cond).await?;
        r.dirty = false;
        r.last_run_at = Some(ctx.now);
        db::rules::update(&tx, r).await?;
        khach_db::commit(tx).await?;
        out.rules += 1;
    }
    loop {
        let tx = core.db.begin().await?;
        khach_db::lock(&tx, khach_db::Lock::Sharing).await?;
        let n = db::flip_pending(&tx, FLIP_BATCH, ctx.now).await?;
        khach_db::commit(tx).await?;
        out.shared += n;
        if n < FLIP_BATCH {
            break;
        }
    }
    Ok(out)
}

/// Customers that were just written: each active rule shares those that match now
/// and stops sharing those that no longer do. Inside the writing transaction.
pub(crate) async fn on_customers_changed(
    c: &impl ConnectionTrait,
    ids: &[i64],
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    for r in db::rules::all(c).await? {
        // A changed rule waits for its run, which works out every customer.
        if !r.active || r.dirty {
            continue;
        }
        let cond = Cond::All(vec![
            Cond::Ids {
                col: Col::Id,
                ids: ids.to_vec(),
                negate: false,
            },
            Cond::InBin(false),
            rule_cond(c, &r, now).await?,
        ]);
        let matching = khach_db::customers::query::ids(c, &cond, ids.len() as u64).await?;
        let gone: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|i| !matching.contains(i))
            .collect();
        db::share_now(c, r.id, &matching, now).await?;
        db::unshare(c, r.id, &gone).await?;
    }
    Ok(())
}
