//! Duplicates (SPEC §2 "Merge"): detection of customers that are one person
//! ([`detect`], run over every customer as a background job by [`scan`]), the review
//! queue of detected pairs (merge, not a duplicate — remembered, later), and the
//! customers sharing a phone with one customer. Reviewing needs the customer merge
//! permission; a pair is shown only when the caller sees both customers.

pub mod detect;
pub mod scan;

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::query::{Col, Cond};
use khach_db::duplicates::{self as db, Pair, PairFilter};
use khach_types::api::{
    CustomerDuplicates, DuplicateDecision, DuplicatePair, DuplicatePairList, DuplicateQuery,
    DuplicateReason, DuplicateSide,
};
use khach_types::{Action, Module, mask_email};
use std::collections::{HashMap, HashSet};

pub use scan::{latest as latest_scan, run as run_scan, start as start_scan};

/// Scores are at most 100: a cursor is `score × 10¹³ + id`.
const CURSOR_SPLIT: i64 = 10_000_000_000_000;

/// Which of `ids` the caller sees (live, in its data scope).
pub(crate) async fn visible_among(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ids: &[i64],
) -> CoreResult<HashSet<i64>> {
    let scope = crate::customers::scope_cond(c, ctx).await?;
    let mut out = HashSet::new();
    for chunk in ids.chunks(1000) {
        let cond = Cond::All(vec![
            Cond::Ids {
                col: Col::Id,
                ids: chunk.to_vec(),
                negate: false,
            },
            Cond::InBin(false),
            scope.clone(),
        ]);
        out.extend(khach_db::customers::query::ids(c, &cond, chunk.len() as u64).await?);
    }
    Ok(out)
}

/// The customers as one side of a pair, masked for roles that may not see contacts.
pub(crate) async fn sides(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    ids: &[i64],
) -> CoreResult<HashMap<i64, DuplicateSide>> {
    let rows = khach_db::customers::get_many(c, ids).await?;
    let mut phones = khach_db::customers::phones_of(c, ids).await?;
    let masked = ctx.masked();
    Ok(rows
        .into_iter()
        .map(|r| {
            let phone = phones
                .remove(&r.id)
                .and_then(|p| p.into_iter().next())
                .map(|(e, _)| crate::customers::phone_out(&e, None, masked).display);
            let email = r.email.map(|e| if masked { mask_email(&e) } else { e });
            let side = DuplicateSide {
                id: r.id,
                code: r.code,
                name: r.name,
                phone,
                email,
                created_at: r.created_at,
            };
            (r.id, side)
        })
        .collect())
}

fn reasons_for(ctx: &Ctx, v: &serde_json::Value) -> Vec<DuplicateReason> {
    let mut out: Vec<DuplicateReason> = serde_json::from_value(v.clone()).unwrap_or_default();
    let masked = ctx.masked();
    for r in &mut out {
        r.value = match (r.code.as_str(), r.value.take()) {
            ("same_phone", Some(p)) => Some(crate::customers::phone_out(&p, None, masked).display),
            ("same_email", Some(e)) if masked => Some(mask_email(&e)),
            ("phone_suffix" | "email_local", Some(_)) if masked => None,
            (_, v) => v,
        };
    }
    out
}

/// Turns stored pairs into API records, leaving out those with a side the caller
/// does not see.
async fn to_api(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    rows: Vec<Pair>,
) -> CoreResult<Vec<DuplicatePair>> {
    let ids: Vec<i64> = rows.iter().flat_map(|p| [p.a_id, p.b_id]).collect();
    let seen = visible_among(c, ctx, &ids).await?;
    let mut sides = sides(c, ctx, &ids).await?;
    let mut out = Vec::new();
    for p in rows {
        if !seen.contains(&p.a_id) || !seen.contains(&p.b_id) {
            continue;
        }
        let (Some(a), Some(b)) = (sides.get(&p.a_id).cloned(), sides.get(&p.b_id).cloned()) else {
            continue;
        };
        out.push(DuplicatePair {
            id: p.id,
            score: p.score,
            kind: p.kind,
            level: p.level,
            status: p.status,
            reasons: reasons_for(ctx, &p.reasons),
            a,
            b,
            found_at: p.found_at,
        });
    }
    sides.clear();
    Ok(out)
}

fn one_of(field: &str, v: Option<&String>, allowed: &[&str]) -> CoreResult<Option<String>> {
    match v.map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(s) if allowed.contains(&s) => Ok(Some(s.to_string())),
        Some(_) => Err(CoreError::fields([(field, "value-invalid-choice")])),
    }
}

/// The review queue: best score first, filtered, only pairs whose customers the
/// caller sees.
pub async fn list(core: &Core, ctx: &Ctx, q: &DuplicateQuery) -> CoreResult<DuplicatePairList> {
    ctx.require(Module::Customers, Action::Merge)?;
    let limit = crate::paging::page_limit(q.limit)?;
    let before = crate::paging::parse_cursor(q.cursor.as_deref())?
        .map(|c| ((c / CURSOR_SPLIT) as i32, c % CURSOR_SPLIT));
    let status = one_of(
        "status",
        q.status.as_ref(),
        &["open", "later", "dismissed", "merged", "all"],
    )?
    .unwrap_or_else(|| "open".into());
    let statuses = if status == "all" {
        Vec::new()
    } else {
        vec![status]
    };
    if q.min_score.is_some_and(|s| !(0..=100).contains(&s)) {
        return Err(CoreError::fields([("min_score", "value-invalid-choice")]));
    }
    let mut f = PairFilter {
        statuses,
        kind: one_of("kind", q.kind.as_ref(), &["exact", "similar"])?,
        level: one_of("level", q.level.as_ref(), &["likely", "possible"])?,
        min_score: q.min_score,
        customer: None,
        before,
    };
    let c = core.db.conn();
    let mut items = Vec::new();
    // Pairs the caller does not see are left out; read on until the page is full.
    for _ in 0..20 {
        let rows = db::pairs(c, &f, limit + 1).await?;
        let more = rows.len() as u64 > limit;
        let last = rows
            .get(..rows.len().min(limit as usize))
            .and_then(|r| r.last())
            .map(|p| (p.score, p.id));
        let mut page = to_api(c, ctx, rows.into_iter().take(limit as usize).collect()).await?;
        items.append(&mut page);
        if items.len() as u64 >= limit || !more {
            let next = if more || items.len() as u64 > limit {
                items.truncate(limit as usize);
                items
                    .last()
                    .map(|p| (i64::from(p.score) * CURSOR_SPLIT + p.id).to_string())
            } else {
                None
            };
            return Ok(DuplicatePairList {
                items,
                next_cursor: next,
            });
        }
        f.before = last;
    }
    let next = items
        .last()
        .map(|p| (i64::from(p.score) * CURSOR_SPLIT + p.id).to_string());
    Ok(DuplicatePairList {
        items,
        next_cursor: next,
    })
}

/// Records a reviewer's decision: `not_duplicate` (remembered), `later`, `open`.
/// Needs the merge permission and edit rights on both customers.
pub async fn decide(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    d: &DuplicateDecision,
) -> CoreResult<DuplicatePair> {
    ctx.require(Module::Customers, Action::Merge)?;
    let status = match d.decision.as_str() {
        "not_duplicate" => "dismissed",
        "later" => "later",
        "open" => "open",
        _ => return Err(CoreError::fields([("decision", "value-invalid-choice")])),
    };
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Duplicates).await?;
    let pair = db::get_pair(&tx, id).await?.ok_or(CoreError::NotFound)?;
    let seen = visible_among(&tx, ctx, &[pair.a_id, pair.b_id]).await?;
    if seen.len() < 2 || pair.status == "merged" {
        return Err(CoreError::NotFound);
    }
    let (ok, _) = crate::customers::editable_ids(&tx, ctx, &[pair.a_id, pair.b_id]).await?;
    if ok.len() < 2 {
        return Err(CoreError::ReadOnly);
    }
    db::set_status(&tx, id, status, ctx.account_id(), ctx.now).await?;
    let mut ch = crate::audit::Changes::new();
    ch.diff("status", &pair.status, &status.to_string());
    ch.set("customers", &[pair.a_id, pair.b_id]);
    crate::audit::record(&tx, ctx, "duplicates", Some(id.to_string()), "decide", ch).await?;
    let saved = db::get_pair(&tx, id).await?.ok_or(CoreError::NotFound)?;
    let out = to_api(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}

/// One customer's possible duplicates: the live customers sharing one of its phones
/// (its own or a sub-contact's, theirs or their sub-contacts'), and its detected
/// pairs for those who may merge.
pub async fn of_customer(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<CustomerDuplicates> {
    ctx.require(Module::Customers, Action::View)?;
    crate::customers::visible(core, ctx, id).await?;
    let c = core.db.conn();
    let mut phones: Vec<String> = khach_db::customers::phones_of(c, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    phones.extend(
        db::sub_contact_phones(c, id)
            .await?
            .into_iter()
            .filter(|p| !phones.contains(p))
            .collect::<Vec<_>>(),
    );
    let others = db::live_sharing_phones(c, id, &phones, 200).await?;
    let seen = visible_among(c, ctx, &others).await?;
    let shown: Vec<i64> = others.into_iter().filter(|o| seen.contains(o)).collect();
    let mut sides = sides(c, ctx, &shown).await?;
    let same_phone = shown.iter().filter_map(|i| sides.remove(i)).collect();
    let pairs = if ctx.can(Module::Customers, Action::Merge) {
        let f = PairFilter {
            statuses: vec!["open".into(), "later".into()],
            customer: Some(id),
            ..PairFilter::default()
        };
        to_api(c, ctx, db::pairs(c, &f, 50).await?).await?
    } else {
        Vec::new()
    };
    Ok(CustomerDuplicates { same_phone, pairs })
}
