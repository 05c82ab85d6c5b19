//! Undoing a merge within the retention window: the merged records come back with
//! their own fields and the events, sub-contacts, import rows and notifications
//! they brought; the survivor gets back what the merge changed, unless it was
//! changed again since (what happened after the merge stays on the survivor).

use super::plan;
use crate::audit::{self, Changes};
use crate::customers::{customer_settings, input, timeline};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ownership::AccessKind;
use khach_types::api::Customer;
use serde_json::{Value, json};

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(String::from))
        .collect()
}

/// One other merge: its id, its snapshot, and what its records hold (snapshot key
/// of the list → value).
type Other = (i64, Value, Vec<(&'static str, Value)>);

/// What the other merges into the survivor hold (phones, e-mails, tags of their
/// merged records), and what this undo hands over to them.
struct Handover {
    /// (merge id, its snapshot, what its records hold: key → values).
    merges: Vec<Other>,
    changed: std::collections::BTreeSet<i64>,
}

impl Handover {
    async fn load(c: &impl khach_db::ConnectionTrait, others: &[(i64, i64)]) -> CoreResult<Self> {
        let mut merges: Vec<Other> = Vec::new();
        for (cid, mid) in others {
            let ids = [*cid];
            let mut held: Vec<(&'static str, Value)> = Vec::new();
            for p in khach_db::customers::phones_of(c, &ids)
                .await?
                .into_values()
                .flatten()
            {
                held.push(("added_phones", json!(p.0)));
            }
            for e in khach_db::customers::emails_of(c, &ids)
                .await?
                .into_values()
                .flatten()
            {
                held.push(("added_emails", json!(e)));
            }
            for t in khach_db::customers::tags_of(c, &ids)
                .await?
                .into_values()
                .flatten()
            {
                held.push(("added_tags", json!(t)));
            }
            match merges.iter_mut().find(|m| m.0 == *mid) {
                Some(m) => m.2.extend(held),
                None => {
                    let snap = khach_db::merges::get(c, *mid)
                        .await?
                        .map(|m| m.snapshot)
                        .unwrap_or(Value::Null);
                    merges.push((*mid, snap, held));
                }
            }
        }
        Ok(Self {
            merges,
            changed: Default::default(),
        })
    }

    /// Whether another merge's record holds `v` too; if so, that merge now counts
    /// it among what it added.
    fn keep(&mut self, key: &'static str, v: Value) -> bool {
        let Some(m) = self
            .merges
            .iter_mut()
            .find(|m| m.2.contains(&(key, v.clone())))
        else {
            return false;
        };
        if let Some(list) = m.1.get_mut(key).and_then(Value::as_array_mut)
            && !list.contains(&v)
        {
            list.push(v);
            self.changed.insert(m.0);
        }
        true
    }

    async fn save(self, c: &impl khach_db::ConnectionTrait) -> CoreResult<()> {
        for (id, snap, _) in self.merges {
            if self.changed.contains(&id) {
                khach_db::merges::set_snapshot(c, id, snap).await?;
            }
        }
        Ok(())
    }
}

/// Refuses to bring `r` back when its code, a phone or an e-mail now belongs to a
/// live customer other than those of the merge (`involved`).
async fn conflicts(
    c: &impl khach_db::ConnectionTrait,
    r: &khach_db::customers::Customer,
    involved: &[i64],
) -> CoreResult<()> {
    if khach_db::customers::code_taken(c, &r.code, Some(r.id)).await? {
        return Err(CoreError::Conflict {
            field: "code",
            key: "customer-code-taken",
        });
    }
    if customer_settings(c).await?.allow_duplicate_contacts {
        return Ok(());
    }
    let phones: Vec<String> = khach_db::customers::phones_of(c, &[r.id])
        .await?
        .into_values()
        .flatten()
        .map(|p| p.0)
        .collect();
    let emails: Vec<String> = khach_db::customers::emails_of(c, &[r.id])
        .await?
        .into_values()
        .flatten()
        .collect();
    let outside =
        |v: Vec<khach_db::customers::Customer>| v.iter().any(|o| !involved.contains(&o.id));
    if outside(khach_db::customers::live_with_phones(c, &phones, Some(r.id)).await?) {
        return Err(CoreError::Conflict {
            field: "phones",
            key: "customer-phone-taken",
        });
    }
    if outside(khach_db::customers::live_with_emails(c, &emails, Some(r.id)).await?) {
        return Err(CoreError::Conflict {
            field: "emails",
            key: "customer-email-taken",
        });
    }
    Ok(())
}

/// Undoes merge `id`; answers the survivor as it is afterwards.
pub async fn undo(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Customer> {
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Customers).await?;
    let m = khach_db::merges::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let survivor = m.survivor_id;
    // The survivor must be live and changeable by the caller.
    super::check_editable(&tx, ctx, &[survivor]).await?;
    if m.undone_at.is_some() {
        return Err(CoreError::Conflict {
            field: "merge",
            key: "merge-already-undone",
        });
    }
    if ctx.now - m.created_at > chrono::Duration::days(super::undo_days(&tx).await?) {
        return Err(CoreError::Conflict {
            field: "merge",
            key: "merge-undo-expired",
        });
    }
    khach_db::merges::move_back(&tx, id, survivor).await?;
    // What another merge into the survivor brought too stays, and becomes that
    // merge's to take back when it is undone.
    let others: Vec<(i64, i64)> = khach_db::merges::tombstones_of(&tx, survivor)
        .await?
        .into_iter()
        .filter(|(t, _)| !m.merged_ids.contains(t))
        .collect();
    let mut handed = Handover::load(&tx, &others).await?;
    // The survivor's fields go back where they still hold what the merge set.
    let snap = &m.snapshot;
    let mut row = khach_db::customers::get(&tx, survivor)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut ch = Changes::new();
    if let (Some(before), Some(after)) = (snap["before"].as_object(), snap["after"].as_object()) {
        for (k, was) in before {
            let set = after.get(k).cloned().unwrap_or(Value::Null);
            let now = plan::value_of(&row, k);
            if set != *was && now == set {
                plan::set_value(&mut row, k, was);
                ch.diff(k, &now, was);
            }
        }
    }
    if snap["dnc_before"] == json!(false) && row.dnc {
        row.dnc = false;
        row.dnc_reason = None;
        row.dnc_at = None;
    }
    let mut added_phones = strings(&snap["added_phones"]);
    added_phones.retain(|p| !handed.keep("added_phones", json!(p)));
    let mut added_emails = strings(&snap["added_emails"]);
    added_emails.retain(|e| !handed.keep("added_emails", json!(e)));
    let phones: Vec<(String, String)> = khach_db::customers::phones_of(&tx, &[survivor])
        .await?
        .remove(&survivor)
        .unwrap_or_default()
        .into_iter()
        .filter(|(e, _)| !added_phones.contains(e))
        .map(|(e, t)| (e.clone(), t.unwrap_or(e)))
        .collect();
    let emails: Vec<String> = khach_db::customers::emails_of(&tx, &[survivor])
        .await?
        .remove(&survivor)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !added_emails.contains(e))
        .collect();
    khach_db::customers::set_phones(&tx, survivor, &phones).await?;
    khach_db::customers::set_emails(&tx, survivor, &emails).await?;
    let (name_lc, search_name, search_contact) =
        input::search_texts(&row.name, &row.code, &phones, &emails);
    row.name_lc = name_lc;
    row.search_name = search_name;
    row.search_contact = search_contact;
    row.phone = phones.first().map(|p| p.0.clone());
    row.email = emails.first().cloned();
    row.updated_at = ctx.now;
    let added_tags: Vec<i64> = snap["added_tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .filter(|t| !handed.keep("added_tags", json!(t)))
        .collect();
    khach_db::customers::remove_tags(&tx, &[survivor], &added_tags).await?;
    for a in snap["added_access"].as_array().into_iter().flatten() {
        let kind = match a[1].as_str() {
            Some("viewer") => AccessKind::Viewer,
            _ => AccessKind::Supporter,
        };
        if let Some(acc) = a[0].as_i64() {
            khach_db::ownership::revoke(&tx, &[survivor], &[acc], Some(kind)).await?;
        }
    }
    let saved = khach_db::customers::update(&tx, row).await?;
    handed.save(&tx).await?;

    // The merged records come back, unless one of their codes, phones or e-mails
    // now belongs to a customer outside this merge (the merge's own records held
    // them together before, and may again).
    let mut all = vec![survivor];
    all.extend(&m.merged_ids);
    for mid in &m.merged_ids {
        let mut r = khach_db::customers::get(&tx, *mid)
            .await?
            .ok_or(CoreError::NotFound)?;
        conflicts(&tx, &r, &all).await?;
        r.deleted_at = None;
        r.deleted_by = None;
        r.updated_at = ctx.now;
        khach_db::customers::update(&tx, r).await?;
    }
    khach_db::merges::set_undone(&tx, id, ctx.account_id(), ctx.now).await?;
    khach_db::duplicates::reopen_merged(&tx, &all).await?;
    timeline(
        &tx,
        ctx,
        survivor,
        "unmerged",
        json!({"merge_id": id, "restored": m.merged_ids}),
    )
    .await?;
    for mid in &m.merged_ids {
        timeline(&tx, ctx, *mid, "restored", json!({"merge_id": id})).await?;
    }
    crate::interactions::recompute_ids(&tx, &all, ctx.now).await?;
    ch.set("merge_id", &id);
    ch.set("restored", &m.merged_ids);
    audit::record(
        &tx,
        ctx,
        "customer",
        Some(survivor.to_string()),
        "unmerge",
        ch,
    )
    .await?;
    crate::sharing::on_customers_changed(&tx, &all, ctx.now).await?;
    let out = crate::customers::hydrate(&tx, ctx, vec![saved]).await?;
    khach_db::commit(tx).await?;
    out.into_iter().next().ok_or(CoreError::NotFound)
}
