//! Bulk insertion of generated customers (`khach demo-data`, `khach bench`).
//!
//! Every row goes through the same parsers as a customer typed into a form: name,
//! phones ([`khach_types::Phone`]), e-mails, address (2025 units), street, notes and
//! custom field values ([`crate::fields::merge`]); its search texts come from
//! [`super::input::search_texts`], so quick search and filters find generated
//! customers exactly like any other. Codes are `KH…` numbers from the same counter
//! as single creates.
//!
//! Two things are skipped on purpose, and they are what makes this path fast:
//! - **No audit entry and no `customer.created` timeline entry per row.** The whole
//!   run writes ONE audit entry (`customer` / `generate`) with the count and the
//!   range of codes.
//! - **No duplicate phone / e-mail check.** Demo data holds duplicates on purpose
//!   (the same person entered twice, spelled differently): the merge feature finds
//!   them.
//!
//! Rows are inserted in chunks, one transaction per chunk, through
//! [`khach_db::customers::bulk`].

use super::input;
use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::fields::{self, Def};
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer as Row;
use khach_db::customers::bulk::NewCustomer;
use khach_types::api::{FieldEntity, Gender};
use khach_types::{Action, Module};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The code counter shared with single creates.
const CODE_COUNTER: &str = "seq.customer_code";

/// One generated customer, as raw as a person would type it. Stage and source are
/// named (they must exist); tags are named and created when missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    pub name: String,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    /// As typed: `0912 345 678`, `+84…`, old 11-digit numbers…
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub province_code: Option<String>,
    pub ward_code: Option<String>,
    pub street: Option<String>,
    pub stage: Option<String>,
    pub source: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// Custom field key → raw value (parsed by the field's own parser).
    pub custom: Map<String, Value>,
    pub created_at: DateTime<Utc>,
}

/// A row checked and resolved, waiting for its code.
struct Checked {
    row: Row,
    phones: Vec<(String, String)>,
    emails: Vec<String>,
    tags: Vec<String>,
}

/// What rows refer to by name, resolved once per run (tags are resolved at insert,
/// where missing ones are created).
struct Refs {
    defs: Vec<Def>,
    stages: HashMap<String, i64>,
    sources: HashMap<String, i64>,
}

impl Refs {
    async fn load(c: &impl ConnectionTrait) -> CoreResult<Self> {
        let stages = khach_db::taxonomy::stages::all(c)
            .await?
            .into_iter()
            .map(|s| (s.name, s.id))
            .collect();
        let sources = khach_db::taxonomy::sources::all(c)
            .await?
            .into_iter()
            .map(|s| (s.name_key, s.id))
            .collect();
        Ok(Self {
            defs: fields::defs(c, FieldEntity::Customer).await?,
            stages,
            sources,
        })
    }
}

/// Validates one row the way a create does (every problem at once).
fn check(refs: &Refs, ctx: &Ctx, g: Generated) -> CoreResult<Checked> {
    let mut errs = FieldErrors::default();
    let name = input::name(&mut errs, &g.name);
    let phones = input::phones(&mut errs, &g.phones);
    let emails = input::emails(&mut errs, &g.emails);
    let street = input::text(&mut errs, "street", g.street.as_deref(), 300);
    let notes = input::text(&mut errs, "notes", g.notes.as_deref(), 10_000);
    let (province, ward) = input::address(
        &mut errs,
        g.province_code.as_deref(),
        g.ward_code.as_deref(),
    );
    if g.tags.len() > 50 {
        errs.add("tags", "value-too-many");
    }
    let stage_id = match &g.stage {
        Some(s) => refs.stages.get(s).copied().or_else(|| {
            errs.add("stage_id", "value-unknown-ref");
            None
        }),
        None => None,
    };
    let source_id = match &g.source {
        Some(s) => refs
            .sources
            .get(&khach_types::fold(s))
            .copied()
            .or_else(|| {
                errs.add("source_id", "value-unknown-ref");
                None
            }),
        None => None,
    };
    let custom = match fields::merge(&refs.defs, &Map::new(), &g.custom, true) {
        Ok(m) => Some(m),
        Err(CoreError::Validation(m)) => {
            for (k, v) in m {
                errs.add(&k, v);
            }
            None
        }
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let (Some(name), Some(custom)) = (name, custom) else {
        return Err(CoreError::fields([("name", "value-required")]));
    };
    let row = Row {
        id: 0,
        code: String::new(),
        name,
        name_lc: String::new(),
        search_name: String::new(),
        search_contact: String::new(),
        search_tri: None,
        gender: g.gender.map(|x| x.as_str().to_string()),
        birthday: g.birthday,
        phone: phones.first().map(|p| p.0.clone()),
        email: emails.first().cloned(),
        province_code: province,
        ward_code: ward,
        street,
        legacy_province: None,
        legacy_district: None,
        legacy_ward: None,
        company_id: None,
        source_id,
        stage_id,
        owner_id: ctx.account_id(),
        notes,
        custom: Value::Object(custom),
        dnc: false,
        dnc_reason: None,
        dnc_at: None,
        created_by: ctx.account_id(),
        created_at: g.created_at,
        updated_at: g.created_at,
        deleted_at: None,
        deleted_by: None,
    };
    Ok(Checked {
        row,
        phones,
        emails,
        tags: g.tags,
    })
}

/// `rows.<n>.<field>` for the n-th row of the run.
fn at_row(e: CoreError, n: u64) -> CoreError {
    match e {
        CoreError::Validation(m) => CoreError::Validation(
            m.into_iter()
                .map(|(k, v)| (format!("rows.{n}.{k}"), v))
                .collect::<BTreeMap<_, _>>(),
        ),
        other => other,
    }
}

/// The next `n` free generated codes, advancing the shared counter.
pub(crate) async fn next_codes(
    c: &impl ConnectionTrait,
    n: usize,
    now: DateTime<Utc>,
) -> CoreResult<Vec<String>> {
    let mut counter: u64 = khach_db::settings::get(c, CODE_COUNTER)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let want = n - out.len();
        let candidates: Vec<String> = (counter + 1..=counter + want as u64)
            .map(|k| format!("KH{k:06}"))
            .collect();
        let taken: HashSet<String> = khach_db::customers::bulk::taken_codes(c, &candidates)
            .await?
            .into_iter()
            .collect();
        out.extend(candidates.into_iter().filter(|code| !taken.contains(code)));
        counter += want as u64;
    }
    khach_db::settings::put(c, CODE_COUNTER, counter.to_string(), now).await?;
    Ok(out)
}

/// Checks and inserts generated customers, `batch` rows per transaction, and
/// returns how many were inserted. Stops at the first invalid row (its problems are
/// reported as `rows.<n>.<field>`); chunks before it stay committed.
pub async fn insert_generated(
    core: &Core,
    ctx: &Ctx,
    rows: impl IntoIterator<Item = Generated>,
    batch: usize,
) -> CoreResult<u64> {
    ctx.require(Module::Customers, Action::Import)?;
    let refs = Arc::new(Refs::load(core.db.conn()).await?);
    let mut tags: HashMap<String, i64> = khach_db::taxonomy::tags::all(core.db.conn())
        .await?
        .into_iter()
        .map(|t| (t.name_key, t.id))
        .collect();
    let batch = batch.clamp(1, 50_000);
    let mut rows = rows.into_iter();
    let mut done: u64 = 0;
    let mut codes: Option<(String, String)> = None;
    // Checking a chunk (phone parsing above all) runs on a blocking thread while the
    // chunk before it is written: the two take about as long.
    let mut pending = check_next(&refs, ctx, &mut rows, batch, 0);
    while let Some(job) = pending.take() {
        let checked = job
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))??;
        pending = check_next(&refs, ctx, &mut rows, batch, done + checked.len() as u64);
        let tx = core.db.begin().await?;
        khach_db::lock(&tx, khach_db::Lock::Customers).await?;
        let chunk_codes = next_codes(&tx, checked.len(), ctx.now).await?;
        let mut news = Vec::with_capacity(checked.len());
        for (ch, code) in checked.into_iter().zip(chunk_codes) {
            let mut tag_ids = Vec::with_capacity(ch.tags.len());
            for t in &ch.tags {
                let key = khach_types::fold(t);
                let id = match tags.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = crate::taxonomy::ensure_tags(&tx, ctx, std::slice::from_ref(t))
                            .await?
                            .first()
                            .copied()
                            .ok_or_else(|| CoreError::Internal("tag not created".into()))?;
                        tags.insert(key, id);
                        id
                    }
                };
                if !tag_ids.contains(&id) {
                    tag_ids.push(id);
                }
            }
            let mut row = ch.row;
            let (name_lc, search_name, search_contact) =
                input::search_texts(&row.name, &code, &ch.phones, &ch.emails);
            row.code = code;
            row.name_lc = name_lc;
            row.search_name = search_name;
            row.search_contact = search_contact;
            news.push(NewCustomer {
                row,
                phones: ch.phones,
                emails: ch.emails,
                tags: tag_ids,
            });
        }
        let first = news.first().map(|n| n.row.code.clone()).unwrap_or_default();
        let last = news.last().map(|n| n.row.code.clone()).unwrap_or_default();
        let n = news.len() as u64;
        khach_db::customers::bulk::insert(&tx, news).await?;
        khach_db::commit(tx).await?;
        done += n;
        codes = Some(match codes {
            Some((f, _)) => (f, last),
            None => (first, last),
        });
    }
    if let Some((first, last)) = codes {
        let mut ch = Changes::new();
        ch.set("count", &done);
        ch.set("first_code", &first);
        ch.set("last_code", &last);
        audit::record(core.db.conn(), ctx, "customer", None, "generate", ch).await?;
    }
    Ok(done)
}

type CheckJob = tokio::task::JoinHandle<CoreResult<Vec<Checked>>>;

/// Takes the next chunk of rows and starts checking it on a blocking thread; `None`
/// when the rows are used up. `offset`: the run's index of the chunk's first row.
fn check_next(
    refs: &Arc<Refs>,
    ctx: &Ctx,
    rows: &mut impl Iterator<Item = Generated>,
    batch: usize,
    offset: u64,
) -> Option<CheckJob> {
    let chunk: Vec<Generated> = rows.take(batch).collect();
    if chunk.is_empty() {
        return None;
    }
    let (refs, ctx) = (Arc::clone(refs), ctx.clone());
    Some(tokio::task::spawn_blocking(move || {
        chunk
            .into_iter()
            .enumerate()
            .map(|(i, g)| check(&refs, &ctx, g).map_err(|e| at_row(e, offset + i as u64)))
            .collect()
    }))
}

/// Refreshes the database's planner statistics after a large run.
pub async fn analyze(core: &Core) -> CoreResult<()> {
    khach_db::customers::bulk::analyze(core.db.conn()).await?;
    Ok(())
}

/// Customers in the database, live or in the bin.
pub async fn count_all(core: &Core) -> CoreResult<u64> {
    Ok(khach_db::customers::bulk::count_all(core.db.conn()).await?)
}

/// The highest customer id (0 when there are none).
pub async fn max_id(core: &Core) -> CoreResult<i64> {
    Ok(khach_db::customers::bulk::max_id(core.db.conn()).await?)
}
