//! One batch of rows: batched look-ups of the codes, phones and e-mails it holds,
//! a decision per row in file order (create, overwrite, skip, fail), then the writes,
//! the row records and the checkpoint in one transaction.

use super::owner::Plan;
use super::row::{Parsed, Values};
use super::shape::{Snapshot, new_customer, overwrite, same_e164, same_row};
use crate::customers::input;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::customers::Customer;
use khach_db::imports::{Import as ImportRowModel, ImportRow};
use khach_types::api::{ImportOptions, MatchBy, OnMatch};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// The state of a run across batches.
pub(super) struct State {
    pub import: ImportRowModel,
    pub opts: ImportOptions,
    pub plan: Plan,
    /// Hashes of the keys (code, phones, e-mails) of rows already taken → their row.
    pub seen: HashMap<u64, u64>,
    /// Phones and e-mails must be unique among live customers.
    pub strict: bool,
    pub required: Vec<String>,
    /// Tag name key → id.
    pub tags: HashMap<String, i64>,
    pub lease: chrono::Duration,
    /// Time spent per phase (look-ups, decisions, writes, checkpoint and commit),
    /// logged at the end of a run.
    pub spent: [std::time::Duration; 4],
}

enum Decision {
    Create(Box<Values>),
    Update(i64, Box<Values>),
    Skip(String),
    Fail(String),
}

fn key(kind: &str, v: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    kind.hash(&mut h);
    v.hash(&mut h);
    h.finish()
}

fn e164s(v: &Values) -> impl Iterator<Item = &String> {
    v.phones.iter().flatten().map(|p| &p.0)
}

impl State {
    /// The keys that make two rows the same customer: the code, and the phones and
    /// e-mails where they must be unique (otherwise only the matched one).
    pub fn keys(&self, v: &Values) -> Vec<u64> {
        let mut k: Vec<u64> = v.code.iter().map(|c| key("c", c)).collect();
        let phones = self.strict || self.opts.match_by == MatchBy::Phone;
        let emails = self.strict || self.opts.match_by == MatchBy::Email;
        if phones {
            k.extend(e164s(v).map(|p| key("p", p)));
        }
        if emails {
            k.extend(v.emails.iter().flatten().map(|e| key("e", e)));
        }
        k
    }

    pub fn remember(&mut self, v: &Values, row_no: u64) {
        for k in self.keys(v) {
            self.seen.entry(k).or_insert(row_no);
        }
    }

    /// Decides, writes (unless a dry run) and checkpoints one batch.
    pub async fn apply(
        &mut self,
        core: &Core,
        ctx: &Ctx,
        batch: Vec<Parsed>,
        last_row: u64,
    ) -> CoreResult<()> {
        let dry = self.opts.dry_run;
        let t0 = std::time::Instant::now();
        let tx = core.db.begin().await?;
        if !dry {
            khach_db::lock(&tx, khach_db::Lock::Customers).await?;
        }
        let (mut codes, mut phones, mut emails) = (Vec::new(), Vec::new(), Vec::new());
        for v in batch.iter().filter_map(|p| p.values.as_ref().ok()) {
            codes.extend(v.code.iter().cloned());
            phones.extend(e164s(v).cloned());
            emails.extend(v.emails.iter().flatten().cloned());
        }
        let code_ids: HashMap<String, i64> = khach_db::imports::live_codes(&tx, &codes)
            .await?
            .into_iter()
            .collect();
        let mut phone_ids: HashMap<String, Vec<i64>> = HashMap::new();
        for (p, id) in khach_db::imports::live_phones(&tx, &phones).await? {
            phone_ids.entry(p).or_default().push(id);
        }
        let mut email_ids: HashMap<String, Vec<i64>> = HashMap::new();
        for (e, id) in khach_db::imports::live_emails(&tx, &emails).await? {
            email_ids.entry(e).or_default().push(id);
        }
        let match_by = self.opts.match_by;
        let strict = self.strict;
        let matched_of = |v: &Values| -> Option<i64> {
            match match_by {
                MatchBy::None => None,
                MatchBy::Code => v.code.as_ref().and_then(|c| code_ids.get(c).copied()),
                MatchBy::Phone => e164s(v).find_map(|p| phone_ids.get(p)?.first().copied()),
                MatchBy::Email => v
                    .emails
                    .iter()
                    .flatten()
                    .find_map(|e| email_ids.get(e)?.first().copied()),
            }
        };
        let candidates: Vec<i64> = batch
            .iter()
            .filter_map(|p| p.values.as_ref().ok().and_then(matched_of))
            .collect();
        let editable: HashSet<i64> = if candidates.is_empty() {
            HashSet::new()
        } else {
            crate::customers::editable_ids(&tx, ctx, &candidates)
                .await?
                .0
                .into_iter()
                .collect()
        };
        let held_by_other = |v: &Values, me: Option<i64>| -> Option<String> {
            if let Some(c) = &v.code
                && code_ids.get(c).is_some_and(|id| Some(*id) != me)
            {
                return Some("code: customer-code-taken".into());
            }
            if !strict {
                return None;
            }
            let other =
                |ids: Option<&Vec<i64>>| ids.is_some_and(|l| l.iter().any(|i| Some(*i) != me));
            if e164s(v).any(|p| other(phone_ids.get(p))) {
                return Some("phones: customer-phone-taken".into());
            }
            if v.emails.iter().flatten().any(|e| other(email_ids.get(e))) {
                return Some("emails: customer-email-taken".into());
            }
            None
        };
        let t1 = std::time::Instant::now();
        // In file order: a row taken here is a key later rows of the file repeat.
        let mut decisions = Vec::with_capacity(batch.len());
        let mut updated_here = HashMap::new();
        for p in &batch {
            let v = match &p.values {
                Err(r) => {
                    decisions.push(Decision::Fail(r.clone()));
                    continue;
                }
                Ok(v) => v,
            };
            if let Some(first) = self.keys(v).iter().find_map(|k| self.seen.get(k)) {
                decisions.push(Decision::Skip(format!(
                    "row.{first}: import-duplicate-in-file"
                )));
                continue;
            }
            let matched = matched_of(v);
            let d = match matched {
                Some(id) if self.opts.on_match != OnMatch::Create => {
                    if !editable.contains(&id) {
                        Decision::Fail("import-match-not-editable".into())
                    } else if self.opts.on_match == OnMatch::Skip {
                        Decision::Skip("import-exists".into())
                    } else if let Some(first) = updated_here.get(&id) {
                        Decision::Skip(format!("row.{first}: import-duplicate-in-file"))
                    } else if let Some(r) = held_by_other(v, Some(id)) {
                        Decision::Fail(r)
                    } else {
                        updated_here.insert(id, p.row_no);
                        Decision::Update(id, Box::new(v.clone()))
                    }
                }
                _ => {
                    let missing = self.required.iter().find(|k| !v.custom.contains_key(*k));
                    if v.name.is_none() {
                        Decision::Fail("name: value-required".into())
                    } else if let Some(r) = held_by_other(v, None) {
                        Decision::Fail(r)
                    } else if let Some(k) = missing {
                        Decision::Fail(format!("custom.{k}: value-required"))
                    } else {
                        Decision::Create(Box::new(v.clone()))
                    }
                }
            };
            if !matches!(d, Decision::Fail(_)) {
                self.remember(v, p.row_no);
            }
            decisions.push(d);
        }
        let t2 = std::time::Instant::now();
        self.write(core, ctx, &tx, batch, decisions).await?;
        let t3 = std::time::Instant::now();
        self.import.processed = i64::try_from(last_row).unwrap_or(i64::MAX);
        self.import.locked_until = Some(core.now() + self.lease);
        self.import.updated_at = core.now();
        self.import = khach_db::imports::save(&tx, self.import.clone()).await?;
        khach_db::commit(tx).await?;
        let t4 = std::time::Instant::now();
        for (slot, d) in self
            .spent
            .iter_mut()
            .zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3])
        {
            *slot += d;
        }
        Ok(())
    }

    async fn tag_ids(
        &mut self,
        c: &impl ConnectionTrait,
        ctx: &Ctx,
        names: &[String],
    ) -> CoreResult<Vec<i64>> {
        let mut out = Vec::new();
        for n in names.iter().chain(&self.opts.tags) {
            let k = khach_types::fold(n.trim());
            let id = match self.tags.get(&k) {
                Some(id) => *id,
                None => {
                    let ids = crate::taxonomy::ensure_tags(c, ctx, std::slice::from_ref(n)).await?;
                    let id = *ids
                        .first()
                        .ok_or_else(|| CoreError::Internal("tag not created".into()))?;
                    self.tags.insert(k, id);
                    id
                }
            };
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    async fn write(
        &mut self,
        core: &Core,
        ctx: &Ctx,
        tx: &khach_db::DatabaseTransaction,
        batch: Vec<Parsed>,
        decisions: Vec<Decision>,
    ) -> CoreResult<()> {
        let dry = self.opts.dry_run;
        let id = self.import.id;
        let upd_ids: Vec<i64> = decisions
            .iter()
            .filter_map(|d| match d {
                Decision::Update(i, _) => Some(*i),
                _ => None,
            })
            .collect();
        let mut olds: HashMap<i64, Customer> = khach_db::customers::get_many(tx, &upd_ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut old_phones = khach_db::customers::phones_of(tx, &upd_ids).await?;
        let mut old_emails = khach_db::customers::emails_of(tx, &upd_ids).await?;
        let mut old_tags = khach_db::customers::tags_of(tx, &upd_ids).await?;
        let n_create = decisions
            .iter()
            .filter(|d| matches!(d, Decision::Create(v) if v.code.is_none()))
            .count();
        let mut codes = if dry || n_create == 0 {
            Vec::new()
        } else {
            crate::customers::seed::next_codes(tx, n_create, ctx.now).await?
        }
        .into_iter();
        let mut news = Vec::new();
        let mut records = Vec::with_capacity(batch.len());
        let mut touched = Vec::new();
        let now = ctx.now;
        for (p, d) in batch.into_iter().zip(decisions) {
            let mut rec = ImportRow {
                import_id: id,
                row_no: i64::try_from(p.row_no).unwrap_or(i64::MAX),
                outcome: String::new(),
                customer_id: None,
                reason: None,
                raw: None,
                before: None,
                stamp: Some(now),
                undone: None,
            };
            let problem = |rec: &mut ImportRow, outcome: &str, r: String| {
                rec.outcome = outcome.into();
                rec.reason = Some(r);
                rec.raw = Some(Value::from(p.raw.clone()));
                rec.stamp = None;
            };
            match d {
                Decision::Fail(r) => {
                    problem(&mut rec, "failed", r);
                    self.import.failed += 1;
                }
                Decision::Skip(r) => {
                    problem(&mut rec, "skipped", r);
                    self.import.skipped += 1;
                }
                Decision::Create(v) => {
                    rec.outcome = "created".into();
                    self.import.created += 1;
                    if !dry {
                        let code = match &v.code {
                            Some(c) => c.clone(),
                            None => codes
                                .next()
                                .ok_or_else(|| CoreError::Internal("codes".into()))?,
                        };
                        let tags = self.tag_ids(tx, ctx, &v.tags).await?;
                        let owner = self.plan.owner(v.owner, p.slot);
                        news.push(new_customer(ctx, &self.opts, *v, code, owner, tags, now));
                    }
                }
                Decision::Update(cid, v) => {
                    let (Some(old), pho, ema, tg) = (
                        olds.remove(&cid),
                        old_phones.remove(&cid).unwrap_or_default(),
                        old_emails.remove(&cid).unwrap_or_default(),
                        old_tags.remove(&cid).unwrap_or_default(),
                    ) else {
                        problem(&mut rec, "failed", "import-match-not-editable".into());
                        self.import.failed += 1;
                        records.push(rec);
                        continue;
                    };
                    let pho: Vec<(String, String)> = pho
                        .into_iter()
                        .map(|(e, t)| (e.clone(), t.unwrap_or(e)))
                        .collect();
                    let add_tags = if dry && (!v.tags.is_empty() || !self.opts.tags.is_empty()) {
                        // Unknown tags are new to this customer; known ones are looked up.
                        let known: Vec<i64> = v
                            .tags
                            .iter()
                            .chain(&self.opts.tags)
                            .filter_map(|n| self.tags.get(&khach_types::fold(n.trim())).copied())
                            .collect();
                        let unknown = v
                            .tags
                            .iter()
                            .chain(&self.opts.tags)
                            .any(|n| !self.tags.contains_key(&khach_types::fold(n.trim())));
                        if unknown { vec![-1] } else { known }
                    } else if dry {
                        Vec::new()
                    } else {
                        self.tag_ids(tx, ctx, &v.tags).await?
                    };
                    let new_tags: Vec<i64> =
                        add_tags.into_iter().filter(|t| !tg.contains(t)).collect();
                    let (row, snap) = overwrite(&old, &v, &pho, &ema);
                    let (pho_all, ema_all) = (pho.clone(), ema.clone());
                    let same_phones = v.phones.as_ref().is_none_or(|p| same_e164(p, &pho));
                    let same_emails = v.emails.as_ref().is_none_or(|e| *e == ema);
                    if same_row(&old, &row) && same_phones && same_emails && new_tags.is_empty() {
                        problem(&mut rec, "skipped", "import-unchanged".into());
                        self.import.skipped += 1;
                        records.push(rec);
                        continue;
                    }
                    rec.outcome = "updated".into();
                    rec.customer_id = Some(cid);
                    self.import.updated += 1;
                    let snap = Snapshot {
                        phones: (!same_phones).then_some(pho),
                        emails: (!same_emails).then_some(ema),
                        tags: (!new_tags.is_empty()).then(|| tg.clone()),
                        ..snap
                    };
                    rec.before = Some(super::to_json(&snap)?);
                    if !dry {
                        let mut row = row;
                        let cur_phones = match &v.phones {
                            Some(p) => p.clone(),
                            None => snap.phones.clone().unwrap_or_else(|| pho_all.clone()),
                        };
                        let cur_emails = match &v.emails {
                            Some(e) => e.clone(),
                            None => snap.emails.clone().unwrap_or_else(|| ema_all.clone()),
                        };
                        let (a, b, c) =
                            input::search_texts(&row.name, &row.code, &cur_phones, &cur_emails);
                        row.name_lc = a;
                        row.search_name = b;
                        row.search_contact = c;
                        row.phone = cur_phones.first().map(|p| p.0.clone());
                        row.email = cur_emails.first().cloned();
                        row.updated_at = now;
                        khach_db::customers::update(tx, row).await?;
                        if let Some(p) = &v.phones
                            && !same_phones
                        {
                            khach_db::customers::set_phones(tx, cid, p).await?;
                        }
                        if let Some(e) = &v.emails
                            && !same_emails
                        {
                            khach_db::customers::set_emails(tx, cid, e).await?;
                        }
                        khach_db::customers::add_tags(tx, &[cid], &new_tags).await?;
                        touched.push(cid);
                    }
                }
            }
            records.push(rec);
        }
        if !news.is_empty() {
            let n = news.len();
            let first = khach_db::customers::bulk::insert(tx, news).await?;
            let created = records.iter_mut().filter(|r| r.outcome == "created");
            for (cid, r) in (first..).zip(created) {
                r.customer_id = Some(cid);
            }
            touched.extend(first..first + i64::try_from(n).unwrap_or(0));
        }
        if !touched.is_empty() {
            crate::sharing::on_customers_changed(tx, &touched, now).await?;
        }
        let _ = core;
        khach_db::imports::insert_rows(tx, records).await?;
        Ok(())
    }
}
