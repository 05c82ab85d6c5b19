//! Ownership through the API: who sees and edits what (owner, supporters, viewers),
//! assignment of ticked customers in every mode with its preview, owner transfer,
//! bulk supporters and viewers, and the automatic assignment rotation (also under
//! concurrency, from two server processes, and across a restart).

use crate::customer_kit::{expect, ids, kinds, named};
use khach_testkit::{Principal, TestApp, backends};
use serde_json::{Value, json};

async fn get(app: &TestApp, key: &str, id: i64) -> (u16, Value) {
    app.call(Some(key), "GET", &format!("/api/v1/customers/{id}"), None)
        .await
}

async fn patch(app: &TestApp, key: &str, id: i64, body: Value) -> (u16, Value) {
    app.call(
        Some(key),
        "PATCH",
        &format!("/api/v1/customers/{id}"),
        Some(body),
    )
    .await
}

async fn assign(app: &TestApp, body: Value) -> (u16, Value) {
    app.call(
        Some(&app.admin.key),
        "POST",
        "/api/v1/customers/assign",
        Some(body),
    )
    .await
}

/// The owner id of each customer, in the order given.
async fn owners(app: &TestApp, cs: &[i64]) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for id in cs {
        let (_, v) = get(app, &app.admin.key, *id).await;
        out.push(v["owner_id"].as_i64());
    }
    out
}

async fn customers(app: &TestApp, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(named(app, &app.admin.key, &format!("Khách số {i}")).await);
    }
    out
}

#[tokio::test]
async fn supporters_edit_viewers_only_look_others_see_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let a = app.make_principal("sales.a", "sales", None).await;
        let s = app.make_principal("sales.s", "sales", None).await;
        let v = app.make_principal("sales.v", "sales", None).await;
        let o = app.make_principal("sales.o", "sales", None).await;
        let id = named(&app, &a.key, "Trần Thị Hoa").await;
        let (st, c) = patch(
            &app,
            &app.admin.key,
            id,
            json!({"supporters": [s.account_id], "viewers": [v.account_id]}),
        )
        .await;
        assert_eq!(st, 200, "{b:?} {c}");
        assert_eq!(c["owner"]["id"], a.account_id, "{c}");
        assert_eq!(c["supporters"][0]["id"], s.account_id, "{c}");
        assert_eq!(c["viewers"][0]["id"], v.account_id, "{c}");

        // Everyone in charge sees it, in the list, the count and the detail.
        for p in [&a, &s, &v] {
            let l = expect(
                &app,
                &p.key,
                "GET",
                "/api/v1/customers?q=tran thi",
                None,
                200,
            )
            .await;
            assert_eq!(
                (ids(&l), l["total"].as_u64()),
                (vec![id], Some(1)),
                "{b:?} {}",
                p.name
            );
            assert_eq!(get(&app, &p.key, id).await.0, 200, "{b:?} {}", p.name);
        }
        // The supporter edits; the viewer is told it may only look, and nothing changes.
        assert_eq!(
            patch(&app, &s.key, id, json!({"notes": "Gọi lại"})).await.0,
            200
        );
        let before = app.fingerprint().await;
        let (st, e) = patch(&app, &v.key, id, json!({"notes": "Không"})).await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (403, Some("read_only")),
            "{b:?} {e}"
        );
        let (st, _) = app
            .call(
                Some(&v.key),
                "POST",
                &format!("/api/v1/customers/{id}/contacts"),
                Some(json!({"name": "Chị Lan"})),
            )
            .await;
        assert_eq!(st, 403, "{b:?}");
        let (st, bulk) = app
            .call(
                Some(&v.key),
                "POST",
                "/api/v1/customers/bulk",
                Some(json!({"ids": [id], "action": {"type": "tag", "tags": ["X"]}})),
            )
            .await;
        assert_eq!(
            (st, bulk["skipped"][0]["reason"].as_str()),
            (200, Some("read_only")),
            "{bulk}"
        );
        assert_eq!(
            app.fingerprint().await,
            before,
            "{b:?}: a viewer changed something"
        );
        // Somebody else: not found, everywhere.
        assert_eq!(get(&app, &o.key, id).await.0, 404);
        assert_eq!(patch(&app, &o.key, id, json!({"notes": "x"})).await.0, 404);
        let l = expect(&app, &o.key, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(l["total"], 0, "{b:?} {l}");
        // Without the assign permission nobody hands out access.
        let (st, _) = patch(&app, &a.key, id, json!({"viewers": [o.account_id]})).await;
        assert_eq!(st, 403, "{b:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn every_split_mode_with_its_preview() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let x = app
            .make_principal("owner.x", "sales", None)
            .await
            .account_id;
        let y = app
            .make_principal("owner.y", "sales", None)
            .await
            .account_id;
        let z = app
            .make_principal("owner.z", "sales", None)
            .await
            .account_id;
        let cs = customers(&app, 10).await;
        // The list order is the order ticked, not the id order.
        let mut ticked = cs.clone();
        ticked.reverse();

        // A preview says who gets how many and changes nothing.
        let before = app.fingerprint().await;
        let (st, p) = assign(
            &app,
            json!({"ids": ticked, "mode": "even", "owners": [x, y, z], "preview": true}),
        )
        .await;
        assert_eq!(st, 200, "{b:?} {p}");
        let counts: Vec<u64> = p["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["count"].as_u64().unwrap())
            .collect();
        assert_eq!(counts, vec![3, 3, 4], "{b:?} {p}");
        assert_eq!(p["changed"], 0);
        assert_eq!(app.fingerprint().await, before, "{b:?}: a preview wrote");

        // Even: consecutive runs, the remainder to the last chosen.
        let (st, r) = assign(
            &app,
            json!({"ids": ticked, "mode": "even", "owners": [x, y, z]}),
        )
        .await;
        assert_eq!((st, r["changed"].as_u64()), (200, Some(10)), "{r}");
        let want: Vec<Option<i64>> = [x, x, x, y, y, y, z, z, z, z]
            .iter()
            .map(|o| Some(*o))
            .collect();
        assert_eq!(owners(&app, &ticked).await, want, "{b:?} even");

        // Sequential: in turn, in list order.
        assign(
            &app,
            json!({"ids": ticked, "mode": "sequential", "owners": [z, x]}),
        )
        .await;
        let want: Vec<Option<i64>> = (0..10)
            .map(|i| Some(if i % 2 == 0 { z } else { x }))
            .collect();
        assert_eq!(owners(&app, &ticked).await, want, "{b:?} sequential");

        // Advanced by count: the rest keep their owner.
        let (st, r) = assign(
            &app,
            json!({"ids": ticked, "mode": "advanced", "split_by": "count",
            "shares": [{"account_id": y, "value": 2}, {"account_id": x, "value": 3}]}),
        )
        .await;
        assert_eq!((st, r["left_as_is"].as_u64()), (200, Some(5)), "{r}");
        let got = owners(&app, &ticked).await;
        assert_eq!(
            &got[..5],
            &[Some(y), Some(y), Some(x), Some(x), Some(x)],
            "{b:?}"
        );
        assert_eq!(got[5..], want[5..], "{b:?}: the rest kept their owner");

        // Advanced by percentage: 7 at 50/50 gives 4 then 3 (the tie to the first).
        let (st, r) = assign(&app, json!({"ids": &ticked[..7], "mode": "advanced", "split_by": "percent",
            "shares": [{"account_id": z, "value": 50}, {"account_id": y, "value": 50}], "preview": true})).await;
        let counts: Vec<u64> = r["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["count"].as_u64().unwrap())
            .collect();
        assert_eq!((st, counts), (200, vec![4, 3]), "{b:?} {r}");

        // One owner for all.
        assign(
            &app,
            json!({"ids": ticked, "mode": "single", "owners": [y]}),
        )
        .await;
        assert!(
            owners(&app, &ticked).await.iter().all(|o| *o == Some(y)),
            "{b:?}"
        );

        // Clear refusals name the field, and store nothing.
        let before = app.fingerprint().await;
        for (body, field) in [
            (
                json!({"ids": ticked, "mode": "advanced", "split_by": "count", "shares": [{"account_id": x, "value": 11}]}),
                "shares",
            ),
            (
                json!({"ids": ticked, "mode": "advanced", "split_by": "percent", "shares": [{"account_id": x, "value": 60}, {"account_id": y, "value": 30}]}),
                "shares",
            ),
            (
                json!({"ids": ticked, "mode": "single", "owners": [x, y]}),
                "owners",
            ),
            (
                json!({"ids": ticked, "mode": "sequential", "owners": [x, x]}),
                "owners",
            ),
            (
                json!({"ids": ticked, "mode": "sequential", "owners": [999999]}),
                "owners",
            ),
            (json!({"ids": [], "mode": "single", "owners": [x]}), "ids"),
        ] {
            let (st, e) = assign(&app, body.clone()).await;
            assert_eq!(st, 422, "{b:?} {body}: {e}");
            assert!(e["error"]["fields"][field].is_string(), "{b:?} {body}: {e}");
        }
        assert_eq!(app.fingerprint().await, before, "{b:?}: a refusal wrote");
        app.stop().await;
    }
}

#[tokio::test]
async fn transfer_removes_the_old_owner_unless_kept_as_viewer() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let old = app.make_principal("old.owner", "sales", None).await;
        let new = app.make_principal("new.owner", "sales", None).await;
        let first = named(&app, &old.key, "Khách một").await;
        let second = named(&app, &old.key, "Khách hai").await;

        // From the detail page (PATCH): the old owner loses access.
        let (st, c) = patch(
            &app,
            &app.admin.key,
            first,
            json!({"owner_id": new.account_id}),
        )
        .await;
        assert_eq!(
            (st, c["owner"]["username"].as_str()),
            (200, Some("new.owner")),
            "{c}"
        );
        assert_eq!(get(&app, &old.key, first).await.0, 404, "{b:?}");
        assert_eq!(get(&app, &new.key, first).await.0, 200, "{b:?}");
        assert!(
            kinds(&app, first)
                .await
                .contains(&"customer.owner_changed".to_string())
        );

        // Bulk, keeping the old owner as a viewer.
        let (st, _) = assign(
            &app,
            json!({"ids": [second], "mode": "single", "owners": [new.account_id],
            "keep_old_owner_as_viewer": true}),
        )
        .await;
        assert_eq!(st, 200);
        let (st, c) = get(&app, &old.key, second).await;
        assert_eq!(
            (st, c["viewers"][0]["id"].as_i64()),
            (200, Some(old.account_id)),
            "{c}"
        );
        assert_eq!(
            patch(&app, &old.key, second, json!({"notes": "x"})).await.0,
            403
        );

        // Every change of owner is in the audit log.
        let log = expect(
            &app,
            &app.admin.key,
            "GET",
            &format!("/api/v1/audit-log?entity=customer&entity_id={second}"),
            None,
            200,
        )
        .await;
        let entry = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "assign")
            .expect("assign audited");
        assert_eq!(
            entry["changes"]["owner_id"]["old"], old.account_id,
            "{entry}"
        );
        assert_eq!(
            entry["changes"]["owner_id"]["new"], new.account_id,
            "{entry}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn bulk_supporters_and_viewers() {
    for b in backends() {
        let owned = TestApp::spawn(b).await;
        let app = &owned;
        let helper = app.make_principal("helper", "sales", None).await;
        let cs = customers(app, 3).await;
        let members = |body: Value| async move {
            app.call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/customers/members",
                Some(body),
            )
            .await
        };
        let (st, r) = members(json!({"ids": cs, "add_supporters": [helper.account_id]})).await;
        assert_eq!((st, r["done"].as_u64()), (200, Some(3)), "{b:?} {r}");
        let l = expect(app, &helper.key, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(l["total"], 3, "{b:?}");
        assert_eq!(
            patch(app, &helper.key, cs[0], json!({"notes": "ok"}))
                .await
                .0,
            200
        );
        // Becoming a viewer ends being a supporter.
        members(json!({"ids": [cs[0]], "add_viewers": [helper.account_id]})).await;
        assert_eq!(
            patch(app, &helper.key, cs[0], json!({"notes": "no"}))
                .await
                .0,
            403
        );
        members(json!({"ids": cs, "remove_supporters": [helper.account_id], "remove_viewers": [helper.account_id]})).await;
        let l = expect(app, &helper.key, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(l["total"], 0, "{b:?}");
        assert!(
            kinds(app, cs[1])
                .await
                .contains(&"customer.members_changed".to_string())
        );
        let (st, e) = members(json!({"ids": cs})).await;
        assert_eq!(st, 422, "{e}");
        owned.stop().await;
    }
}

async fn receiver(app: &TestApp, name: &str, on: bool) -> Principal {
    let p = app.make_principal(name, "sales", None).await;
    expect(
        app,
        &app.admin.key,
        "PATCH",
        &format!("/api/v1/accounts/{}", p.account_id),
        Some(json!({"auto_assign": on})),
        200,
    )
    .await;
    p
}

#[tokio::test]
async fn automatic_assignment_goes_in_turn() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let a = receiver(&app, "recv.a", true).await.account_id;
        let _off = receiver(&app, "recv.off", false).await;
        let c = receiver(&app, "recv.c", true).await.account_id;
        let d = receiver(&app, "recv.d", true).await;
        let api = app.make_principal("integration", "sales", None).await;

        // Off: the creator owns what it creates.
        let id = named(&app, &api.key, "Trước").await;
        assert_eq!(owners(&app, &[id]).await, vec![Some(api.account_id)]);
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            "/api/v1/customer-settings",
            Some(json!({"auto_assign": true})),
            200,
        )
        .await;

        let mut got = Vec::new();
        for i in 0..7 {
            let id = named(&app, &api.key, &format!("Khách {i}")).await;
            got.push(owners(&app, &[id]).await[0]);
        }
        let d_id = d.account_id;
        let want: Vec<Option<i64>> = [a, c, d_id, a, c, d_id, a]
            .iter()
            .map(|o| Some(*o))
            .collect();
        assert_eq!(got, want, "{b:?}");
        // A named owner wins; it does not use up a turn.
        let (_, named_owner) = app
            .call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Có chủ", "owner_id": a})),
            )
            .await;
        assert_eq!(named_owner["owner_id"], a);
        // Deactivated and switched-off accounts are passed over.
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            &format!("/api/v1/accounts/{c}"),
            Some(json!({"active": false})),
            200,
        )
        .await;
        let mut got = Vec::new();
        for i in 0..3 {
            let id = named(&app, &api.key, &format!("Sau {i}")).await;
            got.push(owners(&app, &[id]).await[0]);
        }
        assert_eq!(got, vec![Some(d_id), Some(a), Some(d_id)], "{b:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_turn_holds_under_concurrency_across_processes_and_restarts() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let mut receivers = Vec::new();
        for n in ["recv.one", "recv.two", "recv.three"] {
            receivers.push(receiver(&app, n, true).await.account_id);
        }
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            "/api/v1/customer-settings",
            Some(json!({"auto_assign": true})),
            200,
        )
        .await;
        // Two server processes on one database, 30 customers arriving at once.
        let second = app.second_core().await;
        let mut tasks = Vec::new();
        for i in 0..30 {
            let core = if i % 2 == 0 {
                app.core.clone()
            } else {
                second.clone()
            };
            tasks.push(tokio::spawn(async move {
                let ctx = khach_core::Ctx::system(khach_types::Origin::Api, core.now());
                khach_core::customers::create(
                    &core,
                    &ctx,
                    khach_types::api::CreateCustomer {
                        name: format!("Đồng thời {i}"),
                        ..Default::default()
                    },
                )
                .await
                .map(|c| (c.id, c.owner_id))
            }));
        }
        let mut made = Vec::new();
        for t in tasks {
            made.push(t.await.unwrap().unwrap());
        }
        made.sort();
        let seq: Vec<i64> = made.iter().map(|m| m.1.unwrap()).collect();
        // In id order the owners go round exactly: nobody skipped, nobody twice.
        let start = receivers.iter().position(|r| *r == seq[0]).unwrap();
        let want: Vec<i64> = (0..30).map(|i| receivers[(start + i) % 3]).collect();
        assert_eq!(seq, want, "{b:?}");
        // A restart (a fresh process on the same data) continues the turn.
        second.db.clone().close().await.unwrap();
        let restarted = app.second_core().await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Api, restarted.now());
        let next = khach_core::customers::create(
            &restarted,
            &ctx,
            khach_types::api::CreateCustomer {
                name: "Sau khởi động lại".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(next.owner_id, Some(receivers[(start + 30) % 3]), "{b:?}");
        restarted.db.clone().close().await.unwrap();
        app.stop().await;
    }
}
