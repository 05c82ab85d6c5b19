//! Property: after any sequence of merges and undos (through the API), every event
//! and sub-contact exists exactly once, on the live customer that now holds the
//! customer it came from; each live customer has exactly the phones, e-mails and
//! tags of the customers it holds; and the counters equal a recompute.
//! `PROPTEST_CASES` sets the number of sequences (default 8 per database).

use crate::customer_kit::expect;
use crate::duplicates::allow_shared_contacts;
use khach_testkit::{TestApp, backends};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const N: usize = 5;

/// One step, read against the state: merge some live customers, or undo a merge.
#[derive(Debug, Clone)]
enum Op {
    Merge { survivor: u8, others: Vec<u8> },
    Undo { pick: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<u8>(), prop::collection::vec(any::<u8>(), 1..3))
            .prop_map(|(survivor, others)| Op::Merge { survivor, others }),
        2 => any::<u8>().prop_map(|pick| Op::Undo { pick }),
    ]
}

/// What each original customer brought.
struct Original {
    id: i64,
    phones: BTreeSet<String>,
    emails: BTreeSet<String>,
    tags: BTreeSet<String>,
    events: Vec<String>,
    contact: String,
}

async fn rows(app: &TestApp, sql: String) -> Vec<(i64, String)> {
    let c = app.core.db.conn();
    c.query_all_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("", "cid").unwrap(), r.try_get("", "v").unwrap()))
        .collect()
}

async fn setup(app: &TestApp, case: usize) -> Vec<Original> {
    let key = &app.admin.key;
    let mut out = Vec::new();
    for i in 0..N {
        // Neighbours share a phone, an e-mail or a tag, so unions overlap.
        let phones = vec![
            format!("09{:02}{:02}{:04}", case % 100, i, 1000),
            format!("09{:02}{:02}{:04}", case % 100, (i + 1) % N, 1000),
        ];
        let emails = vec![
            format!("p{case}x{i}@x.vn"),
            format!("p{case}x{}@x.vn", (i + 1) % N),
        ];
        let tags = vec![format!("T{case}-{i}"), format!("T{case}-{}", i % 2)];
        let c = expect(
            app,
            key,
            "POST",
            "/api/v1/customers",
            Some(json!({"name": format!("Khách {case}-{i}"), "phones": phones, "emails": emails, "tags": tags})),
            201,
        )
        .await;
        let id = c["id"].as_i64().unwrap();
        let contact = format!("Liên hệ {case}-{i}");
        expect(
            app,
            key,
            "POST",
            &format!("/api/v1/customers/{id}/contacts"),
            Some(json!({"name": contact})),
            201,
        )
        .await;
        let mut events = Vec::new();
        for (k, kind) in ["email.opened", "call.out.answered"].iter().enumerate() {
            let ext = format!("c{case}-{i}-{k}");
            expect(
                app,
                key,
                "POST",
                "/api/v1/events",
                Some(json!({"customer": {"id": id}, "type": kind, "source": "pos", "external_id": ext})),
                201,
            )
            .await;
            events.push(ext);
        }
        let phones = c["phones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["e164"].as_str().unwrap().to_string())
            .collect();
        out.push(Original {
            id,
            phones,
            emails: emails.into_iter().collect(),
            tags: tags.into_iter().collect(),
            events,
            contact,
        });
    }
    out
}

async fn check(app: &TestApp, orig: &[Original], holder: &BTreeMap<i64, i64>) {
    let ids: Vec<String> = orig.iter().map(|o| o.id.to_string()).collect();
    let ids = ids.join(",");
    let events = rows(
        app,
        format!("SELECT customer_id AS cid, idem_key AS v FROM events WHERE source = 'pos' AND customer_id IN ({ids})"),
    )
    .await;
    let contacts = rows(
        app,
        format!(
            "SELECT customer_id AS cid, name AS v FROM sub_contacts WHERE customer_id IN ({ids})"
        ),
    )
    .await;
    let want_events: usize = orig.iter().map(|o| o.events.len()).sum();
    assert_eq!(
        events.len(),
        want_events,
        "no event lost or doubled: {events:?}"
    );
    assert_eq!(contacts.len(), orig.len(), "{contacts:?}");
    for o in orig {
        let h = holder[&o.id];
        for e in &o.events {
            assert!(
                events.contains(&(h, e.clone())),
                "{e} should be on {h}: {events:?}"
            );
        }
        assert!(contacts.contains(&(h, o.contact.clone())), "{contacts:?}");
    }
    let live: BTreeSet<i64> = holder.values().copied().collect();
    for l in live {
        let held: Vec<&Original> = orig.iter().filter(|o| holder[&o.id] == l).collect();
        let v: Value = expect(
            app,
            &app.admin.key,
            "GET",
            &format!("/api/v1/customers/{l}"),
            None,
            200,
        )
        .await;
        assert_eq!(v["id"], l);
        let got = |k: &str, f: &str| -> BTreeSet<String> {
            v[k].as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    if f.is_empty() {
                        x.as_str()
                    } else {
                        x[f].as_str()
                    }
                    .unwrap()
                    .to_string()
                })
                .collect()
        };
        let union = |f: fn(&Original) -> &BTreeSet<String>| -> BTreeSet<String> {
            held.iter().flat_map(|o| f(o).iter().cloned()).collect()
        };
        assert_eq!(got("phones", "e164"), union(|o| &o.phones), "phones of {l}");
        assert_eq!(got("emails", ""), union(|o| &o.emails), "emails of {l}");
        assert_eq!(got("tags", "name"), union(|o| &o.tags), "tags of {l}");
    }
    let r = khach_core::interactions::recompute(&app.core, true)
        .await
        .unwrap();
    assert_eq!(r.counters_changed, 0, "counters equal a recompute: {r:?}");
}

/// A merge not undone: its id, its survivor, and (original, where it was) for
/// every original customer it moved.
type Done = (i64, i64, Vec<(i64, i64)>);

/// Runs one sequence against fresh customers and the model of who holds whom.
async fn run_case(app: &TestApp, case: usize, ops: Vec<Op>) {
    let key = app.admin.key.clone();
    let orig = setup(app, case).await;
    let mut holder: BTreeMap<i64, i64> = orig.iter().map(|o| (o.id, o.id)).collect();
    // Merges not undone: (merge id, survivor, what each moved item came from).
    let mut merges: Vec<Done> = Vec::new();
    for op in ops {
        let live: Vec<i64> = orig
            .iter()
            .map(|o| o.id)
            .filter(|id| holder.values().any(|h| h == id))
            .collect();
        match op {
            Op::Merge { survivor, others } if live.len() >= 2 => {
                let s = live[survivor as usize % live.len()];
                let rest: Vec<i64> = live.iter().copied().filter(|x| *x != s).collect();
                let mut merged: Vec<i64> = others
                    .iter()
                    .map(|o| rest[*o as usize % rest.len()])
                    .collect();
                merged.sort();
                merged.dedup();
                let body = json!({"survivor_id": s, "merged_ids": merged});
                let v = expect(
                    app,
                    &key,
                    "POST",
                    "/api/v1/customers/merge",
                    Some(body),
                    200,
                )
                .await;
                let moved: Vec<(i64, i64)> = holder
                    .iter()
                    .filter(|(_, h)| merged.contains(h))
                    .map(|(o, h)| (*o, *h))
                    .collect();
                for (o, _) in &moved {
                    holder.insert(*o, s);
                }
                merges.push((v["merge_id"].as_i64().unwrap(), s, moved));
            }
            Op::Undo { pick } if !merges.is_empty() => {
                let i = pick as usize % merges.len();
                let (mid, s, _) = merges[i].clone();
                let path = format!("/api/v1/customers/merges/{mid}/undo");
                if !holder.values().any(|h| *h == s) {
                    // Its survivor was merged away since: refused, nothing changes.
                    let (st, v) = app.call(Some(&key), "POST", &path, None).await;
                    assert_eq!(st, 404, "{v}");
                    continue;
                }
                expect(app, &key, "POST", &path, None, 200).await;
                let (_, _, moved) = merges.remove(i);
                for (o, from) in moved {
                    holder.insert(o, from);
                }
            }
            _ => {}
        }
        check(app, &orig, &holder).await;
    }
}

#[test]
fn merges_and_undos_lose_and_double_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8);
    for b in backends() {
        let app = rt.block_on(async {
            let app = TestApp::spawn(b).await;
            allow_shared_contacts(&app, &app.admin.key).await;
            app
        });
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let n = std::sync::atomic::AtomicUsize::new(0);
        runner
            .run(&prop::collection::vec(op(), 1..8), |ops| {
                let case = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                rt.block_on(run_case(&app, case, ops));
                Ok(())
            })
            .unwrap();
        rt.block_on(app.stop());
    }
}
