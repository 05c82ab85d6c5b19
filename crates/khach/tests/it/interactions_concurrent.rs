//! Concurrent deliveries: overlapping batches sent at once, the same keys in
//! opposite orders, store each (source, external id) once, answer the same event
//! id wherever it was sent, and leave counters that a recompute agrees with (a
//! comment counted once per hour even when two batches bring one at the same time).

use crate::customer_kit::create;
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

#[tokio::test]
async fn overlapping_batches_at_once_store_each_key_once() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let mut ids = Vec::new();
        for n in 0..4 {
            ids.push(
                create(&app, &k, json!({"name": format!("C{n}")})).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let kinds = [
            "comment.added",
            "email.opened",
            "order.placed",
            "zns.deleted",
            "comment.added",
        ];
        // 80 keys; every batch holds 50 of them, so each key is in five batches.
        let event = |n: usize| {
            json!({"customer": {"id": ids[n % 4]}, "type": kinds[n % kinds.len()],
                   "source": "crm", "external_id": format!("k{n}"),
                   "occurred_at": format!("2026-11-20T10:{:02}:00Z", n % 60)})
        };
        let mut batches = Vec::new();
        for b in 0..8 {
            let mut evs: Vec<Value> = (0..50).map(|i| event((b * 10 + i) % 80)).collect();
            if b % 2 == 1 {
                evs.reverse();
            }
            batches.push(evs);
        }
        let url = app.url("/api/v1/events/batch");
        let mut tasks = tokio::task::JoinSet::new();
        for evs in batches {
            let (url, key, client) = (url.clone(), k.clone(), app.client());
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(key)
                    .json(&json!({ "events": evs }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                (evs, r.json::<Value>().await.unwrap())
            });
        }
        // Every answer for a key names the same event; exactly one says stored.
        let mut event_of: HashMap<String, i64> = HashMap::new();
        let mut stored = HashSet::new();
        while let Some(done) = tasks.join_next().await {
            let (evs, r) = done.unwrap();
            for (e, res) in evs.iter().zip(r["results"].as_array().unwrap()) {
                let key = e["external_id"].as_str().unwrap().to_string();
                let id = res["event_id"].as_i64().unwrap();
                assert_eq!(*event_of.entry(key.clone()).or_insert(id), id, "{key}");
                match res["status"].as_str().unwrap() {
                    "stored" => assert!(stored.insert(key.clone()), "{key} stored twice"),
                    "duplicate" => {}
                    other => panic!("{key}: {other} {res}"),
                }
            }
        }
        assert_eq!(stored.len(), 80);
        assert_eq!(
            khach_db::interactions::count_source(app.core.db.conn(), "crm")
                .await
                .unwrap(),
            80
        );
        let report = khach_core::interactions::recompute(&app.core, true)
            .await
            .unwrap();
        assert_eq!(report.counters_changed, 0, "{report:?}");
        assert_eq!(report.events_changed, 0, "{report:?}");
        app.stop().await;
    }
}
