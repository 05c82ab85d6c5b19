//! Merging customers N → 1 through the API: dry run, field choice, everything moved,
//! tombstones resolving to the survivor, timeline, audit and webhook, permissions;
//! then undo. And a property test: after any sequence of merges and undos, nothing
//! is lost or doubled and the counters equal a recompute.

use crate::customer_kit::{create, expect};
use crate::duplicates::allow_shared_contacts;
use crate::webhook_kit::Receiver;
use khach_testkit::{TestApp, backends};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

async fn event(app: &TestApp, customer: Value, kind: &str, ext: &str) -> Value {
    expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/events",
        Some(json!({"customer": customer, "type": kind, "source": "pos", "external_id": ext})),
        201,
    )
    .await
}

/// `(kind, source, external id)` of the events of a customer, sorted.
pub async fn events_of(app: &TestApp, customer: i64) -> Vec<String> {
    let c = app.core.db.conn();
    let rows = c
        .query_all_raw(Statement::from_string(
            c.get_database_backend(),
            format!(
                "SELECT kind, source, COALESCE(idem_key, '') AS k FROM events \
                 WHERE customer_id = {customer} AND source = 'pos' ORDER BY 1, 3"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let k: String = r.try_get("", "kind").unwrap();
            let e: String = r.try_get("", "k").unwrap();
            format!("{k}:{e}")
        })
        .collect()
}

async fn recompute_clean(app: &TestApp) {
    let r = khach_core::interactions::recompute(&app.core, true)
        .await
        .unwrap();
    assert_eq!(r.counters_changed, 0, "{:?}: {r:?}", app.backend);
}

#[tokio::test]
async fn merge_three_choosing_fields_then_undo() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        allow_shared_contacts(&app, &key).await;
        let rx = Receiver::start().await;
        expect(
            &app,
            &key,
            "PUT",
            "/api/v1/webhook-settings",
            Some(json!({"allow_private": true})),
            200,
        )
        .await;
        let hook = expect(
            &app,
            &key,
            "POST",
            "/api/v1/webhooks",
            Some(json!({"name": "sync", "url": format!("{}/h", rx.base), "kinds": ["customer.merged"]})),
            201,
        )
        .await;
        let sales = app.make_principal("sales1", "sales", None).await;
        let a = create(
            &app,
            &key,
            json!({"name": "Nguyen Van An", "phones": ["0912345678"], "emails": ["an@x.vn"], "tags": ["VIP"]}),
        )
        .await;
        let b2 = create(
            &app,
            &key,
            json!({"name": "Nguyễn Văn An", "phones": ["0912 345 678", "0988000111"], "birthday": "1990-04-02",
                   "emails": ["an.nguyen@gmail.com"], "tags": ["Hội chợ"], "supporters": [sales.account_id]}),
        )
        .await;
        let c3 = create(
            &app,
            &key,
            json!({"name": "An Nguyễn", "phones": ["84912345678"], "notes": "Khách quen"}),
        )
        .await;
        let (a, b2, c3) = (id(&a), id(&b2), id(&c3));
        expect(
            &app,
            &key,
            "POST",
            &format!("/api/v1/customers/{c3}/contacts"),
            Some(json!({"name": "Chị Hoa", "phone": "0977000222"})),
            201,
        )
        .await;
        event(&app, json!({"id": b2}), "email.opened", "e1").await;
        event(&app, json!({"id": c3}), "call.out.answered", "e2").await;
        event(&app, json!({"id": a}), "email.opened", "e3").await;

        // Dry run: what would happen, nothing written.
        let before = app.fingerprint().await;
        let body = json!({"survivor_id": a, "merged_ids": [b2, c3],
                          "fields": {"name": b2}, "dry_run": true});
        let pv = expect(
            &app,
            &key,
            "POST",
            "/api/v1/customers/merge",
            Some(body),
            200,
        )
        .await;
        assert_eq!(app.fingerprint().await, before, "a dry run writes nothing");
        assert!(pv["merge_id"].is_null());
        let name = pv["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "name")
            .unwrap();
        assert_eq!(name["chosen"], b2);
        assert_eq!(name["conflict"], true);
        let birthday = pv["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "birthday")
            .unwrap();
        assert_eq!(birthday["chosen"], b2, "empty on the survivor: filled");
        assert!(pv["events_moved"].as_i64().unwrap() >= 2, "{pv}");
        assert_eq!(pv["contacts_moved"], 1);

        // Not allowed: without the merge permission; bad input named.
        let (s, v) = app
            .call(
                Some(&sales.key),
                "POST",
                "/api/v1/customers/merge",
                Some(json!({"survivor_id": a, "merged_ids": [b2]})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        for bad in [
            json!({"survivor_id": a, "merged_ids": []}),
            json!({"survivor_id": a, "merged_ids": [a]}),
            json!({"survivor_id": a, "merged_ids": [b2, b2]}),
        ] {
            let (s, v) = app
                .call(Some(&key), "POST", "/api/v1/customers/merge", Some(bad))
                .await;
            assert_eq!(s, 422, "{v}");
            assert!(v["error"]["fields"]["merged_ids"].is_string(), "{v}");
        }
        let (s, v) = app
            .call(
                Some(&key),
                "POST",
                "/api/v1/customers/merge",
                Some(json!({"survivor_id": a, "merged_ids": [b2], "fields": {"name": 999999}})),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"]["fields"]["fields.name"].is_string(), "{v}");

        // The merge.
        let body = json!({"survivor_id": a, "merged_ids": [b2, c3], "fields": {"name": b2}});
        let done = expect(
            &app,
            &key,
            "POST",
            "/api/v1/customers/merge",
            Some(body),
            200,
        )
        .await;
        let merge_id = done["merge_id"].as_i64().unwrap();
        let s = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{a}"),
            None,
            200,
        )
        .await;
        assert_eq!(s["name"], "Nguyễn Văn An");
        assert_eq!(s["birthday"], "1990-04-02");
        assert_eq!(s["notes"], "Khách quen");
        let e164: Vec<&str> = s["phones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["e164"].as_str().unwrap())
            .collect();
        assert_eq!(e164, ["+84912345678", "+84988000111"]);
        assert_eq!(s["emails"], json!(["an@x.vn", "an.nguyen@gmail.com"]));
        let tags: Vec<&str> = s["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(tags, ["Hội chợ", "VIP"]);
        assert!(
            s["supporters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == sales.account_id),
            "{s}"
        );
        let mut mine = events_of(&app, a).await;
        mine.sort();
        assert_eq!(
            mine,
            ["call.out.answered:e2", "email.opened:e1", "email.opened:e3"]
        );
        let contacts = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{a}/contacts"),
            None,
            200,
        )
        .await;
        assert_eq!(contacts["items"][0]["name"], "Chị Hoa");
        recompute_clean(&app).await;
        // Tombstones: out of the list and the bin; their ids and codes lead to the
        // survivor.
        let list = expect(&app, &key, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(list["total"], 1, "{list}");
        let bin = expect(&app, &key, "GET", "/api/v1/customers/bin", None, 200).await;
        assert_eq!(bin["items"], json!([]), "{bin}");
        let via = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{b2}"),
            None,
            200,
        )
        .await;
        assert_eq!(via["id"], a);
        let code_b = "KH000002";
        let late = event(&app, json!({"code": code_b}), "email.opened", "late").await;
        assert_eq!(late["customer_id"], a, "{late}");
        // Timeline, audit, webhook.
        let tl = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{a}/events"),
            None,
            200,
        )
        .await;
        assert!(tl.to_string().contains("customer.merged"), "{tl}");
        let audit = expect(
            &app,
            &key,
            "GET",
            "/api/v1/audit-log?entity=customer",
            None,
            200,
        )
        .await;
        assert!(audit.to_string().contains("\"merge\""), "{audit}");
        khach_core::webhooks::tick(&app.core, &mut khach_core::webhooks::Worker::default())
            .await
            .unwrap();
        let got = rx.got();
        assert_eq!(got.len(), 1, "{:?}", hook["endpoint"]["id"]);
        let body: Value = serde_json::from_slice(&got[0].body).unwrap();
        assert_eq!(body["type"], "customer.merged");
        assert_eq!(body["data"]["payload"]["merge_id"], merge_id);

        // Undo: the merged records come back with their own fields and what they
        // brought; the event that came later stays on the survivor.
        let merges = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{a}/merges"),
            None,
            200,
        )
        .await;
        assert_eq!(merges["items"][0]["id"], merge_id);
        let back = expect(
            &app,
            &key,
            "POST",
            &format!("/api/v1/customers/merges/{merge_id}/undo"),
            None,
            200,
        )
        .await;
        assert_eq!(back["name"], "Nguyen Van An");
        assert_eq!(back["birthday"], Value::Null);
        assert_eq!(back["emails"], json!(["an@x.vn"]));
        assert_eq!(back["tags"].as_array().unwrap().len(), 1);
        let b_again = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{b2}"),
            None,
            200,
        )
        .await;
        assert_eq!(
            (b_again["id"].as_i64(), b_again["name"].as_str()),
            (Some(b2), Some("Nguyễn Văn An"))
        );
        assert_eq!(events_of(&app, b2).await, ["email.opened:e1"]);
        assert_eq!(events_of(&app, c3).await, ["call.out.answered:e2"]);
        let mut mine = events_of(&app, a).await;
        mine.sort();
        assert_eq!(mine, ["email.opened:e3", "email.opened:late"]);
        let contacts = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{c3}/contacts"),
            None,
            200,
        )
        .await;
        assert_eq!(contacts["items"][0]["name"], "Chị Hoa");
        recompute_clean(&app).await;
        let (s, v) = app
            .call(
                Some(&key),
                "POST",
                &format!("/api/v1/customers/merges/{merge_id}/undo"),
                None,
            )
            .await;
        assert_eq!(s, 409, "{v}");
        app.stop().await;
    }
}

#[tokio::test]
async fn merging_needs_edit_rights_on_every_record() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        let dept = app.make_department("Phòng A").await;
        let mgr = app.make_principal("mgr1", "manager", Some(dept)).await;
        let mine = create(&app, &mgr.key, json!({"name": "Của tôi"})).await;
        let other = create(&app, &key, json!({"name": "Của người khác"})).await;
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(&mgr.key),
                "POST",
                "/api/v1/customers/merge",
                Some(json!({"survivor_id": id(&mine), "merged_ids": [id(&other)]})),
            )
            .await;
        assert_eq!(s, 404, "a record out of scope is not found: {v}");
        // A record it only views: read-only.
        expect(
            &app,
            &key,
            "POST",
            "/api/v1/customers/members",
            Some(json!({"ids": [id(&other)], "add_viewers": [mgr.account_id]})),
            200,
        )
        .await;
        let before2 = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(&mgr.key),
                "POST",
                "/api/v1/customers/merge",
                Some(json!({"survivor_id": id(&mine), "merged_ids": [id(&other)]})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        assert_eq!(v["error"]["code"], "read_only");
        assert_eq!(app.fingerprint().await, before2);
        assert_ne!(before, before2);
        app.stop().await;
    }
}
