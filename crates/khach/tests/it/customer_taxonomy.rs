//! Tags (created on the fly, renamed, merged), stages (ordered, changes on the
//! timeline) and sources with the attribution rule for arrivals.

use crate::customer_kit::{by_name, create, expect, ids, kinds, names};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

#[tokio::test]
async fn tags_are_created_on_the_fly_renamed_and_merged() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let a = create(
            &app,
            k,
            json!({"name": "A", "tags": ["Khách VIP", "khach vip", "Hội chợ"]}),
        )
        .await;
        assert_eq!(
            a["tags"].as_array().unwrap().len(),
            2,
            "{b:?}: one tag however it is typed: {a}"
        );
        let bb = create(&app, k, json!({"name": "B", "tags": ["Hội Chợ", "Zalo"]})).await;
        let tags = expect(&app, k, "GET", "/api/v1/tags", None, 200).await;
        let (vip, fair, zalo) = (
            by_name(&tags, "Khách VIP"),
            by_name(&tags, "Hội chợ"),
            by_name(&tags, "Zalo"),
        );
        assert_eq!(
            (vip["customers"].as_u64(), fair["customers"].as_u64()),
            (Some(1), Some(2))
        );
        let vip_id = vip["id"].as_i64().unwrap();
        let t = expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/tags/{vip_id}"),
            Some(json!({"name": "Khách quen", "color": "#DC2626"})),
            200,
        )
        .await;
        assert_eq!(
            (
                t["name"].as_str(),
                t["color"].as_str(),
                t["customers"].as_u64()
            ),
            (Some("Khách quen"), Some("#dc2626"), Some(1))
        );
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/tags/{vip_id}"),
                Some(json!({"color": "red"})),
            )
            .await;
        assert_eq!(s, 422);
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/tags/{vip_id}"),
                Some(json!({"name": "zalo"})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["name"].is_string()),
            (409, true),
            "{b:?}: {v}"
        );
        let (s, _) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/tags",
                Some(json!({"name": "HỘI CHỢ"})),
            )
            .await;
        assert_eq!(s, 409);
        // Merge "Hội chợ" into "Zalo": B had both, A gains Zalo, "Hội chợ" is gone.
        let (s, _) = app
            .call(
                Some(k),
                "POST",
                &format!("/api/v1/tags/{}/merge", fair["id"]),
                Some(json!({"into": fair["id"]})),
            )
            .await;
        assert_eq!(s, 422);
        let t = expect(
            &app,
            k,
            "POST",
            &format!("/api/v1/tags/{}/merge", fair["id"]),
            Some(json!({"into": zalo["id"]})),
            200,
        )
        .await;
        assert_eq!(
            (t["name"].as_str(), t["customers"].as_u64()),
            (Some("Zalo"), Some(2)),
            "{b:?}: {t}"
        );
        let tags = expect(&app, k, "GET", "/api/v1/tags", None, 200).await;
        assert_eq!(names(&tags).len(), 2, "{tags}");
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{}", bb["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(c["tags"].as_array().unwrap().len(), 1, "{c}");
        let v = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers?tag_id={}", zalo["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(v["total"], 2);
        // A name that grows when folded (`北` → `Bei `) still fits its column.
        let long = "北".repeat(100);
        let t = expect(
            &app,
            k,
            "POST",
            "/api/v1/tags",
            Some(json!({"name": long})),
            201,
        )
        .await;
        assert_eq!(t["name"], long);
        expect(
            &app,
            k,
            "POST",
            "/api/v1/sources",
            Some(json!({"name": long})),
            201,
        )
        .await;
        // Deleting a tag only takes the label off.
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/tags/{}", zalo["id"]),
            None,
            204,
        )
        .await;
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{}", a["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(c["tags"].as_array().unwrap().len(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn stages_reorder_and_changes_reach_the_timeline() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let stages = expect(&app, k, "GET", "/api/v1/stages", None, 200).await;
        assert_eq!(
            names(&stages),
            [
                "Tiềm năng",
                "Quan tâm",
                "Khách hàng",
                "Thân thiết",
                "Rời bỏ"
            ]
        );
        let s = expect(
            &app,
            k,
            "POST",
            "/api/v1/stages",
            Some(json!({"name": "Đã báo giá", "position": 3})),
            201,
        )
        .await;
        assert_eq!(s["position"], 3);
        let order = |v: &Value| names(v);
        let v = expect(&app, k, "GET", "/api/v1/stages", None, 200).await;
        assert_eq!(
            order(&v),
            [
                "Tiềm năng",
                "Quan tâm",
                "Đã báo giá",
                "Khách hàng",
                "Thân thiết",
                "Rời bỏ"
            ]
        );
        let positions: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [1, 2, 3, 4, 5, 6]);
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/stages/{}", s["id"]),
            Some(json!({"position": 1, "color": "#123abc"})),
            200,
        )
        .await;
        let v = expect(&app, k, "GET", "/api/v1/stages", None, 200).await;
        assert_eq!(order(&v)[..3], ["Đã báo giá", "Tiềm năng", "Quan tâm"]);
        for bad in [
            json!({"position": 0}),
            json!({"name": ""}),
            json!({"color": "#12345"}),
        ] {
            let (st, _) = app
                .call(
                    Some(k),
                    "PATCH",
                    &format!("/api/v1/stages/{}", s["id"]),
                    Some(bad.clone()),
                )
                .await;
            assert_eq!(st, 422, "{bad}");
        }
        let (st, _) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/stages",
                Some(json!({"name": "Âm", "position": -1})),
            )
            .await;
        assert_eq!(st, 422);
        let first = v["items"][1]["id"].as_i64().unwrap();
        let c = create(&app, k, json!({"name": "Khách", "stage_id": first})).await;
        let id = c["id"].as_i64().unwrap();
        assert_eq!(c["stage_name"], "Tiềm năng");
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            Some(json!({"stage_id": s["id"]})),
            200,
        )
        .await;
        let ev = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{id}/events"),
            None,
            200,
        )
        .await;
        let change = ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "customer.stage_changed")
            .unwrap();
        assert_eq!(change["payload"], json!({"from": first, "to": s["id"]}));
        assert_eq!(change["actor_id"], app.admin.account_id);
        assert!(change["actor_name"].is_string());
        // A stage in use stays; a free one goes and the others close ranks.
        let (st, _) = app
            .call(
                Some(k),
                "DELETE",
                &format!("/api/v1/stages/{}", s["id"]),
                None,
            )
            .await;
        assert_eq!(st, 409);
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/stages/{first}"),
            None,
            204,
        )
        .await;
        let v = expect(&app, k, "GET", "/api/v1/stages", None, 200).await;
        let positions: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [1, 2, 3, 4, 5]);
        // Event paging.
        for n in 0..4 {
            expect(
                &app,
                k,
                "PATCH",
                &format!("/api/v1/customers/{id}"),
                Some(json!({"notes": format!("lần {n}")})),
                200,
            )
            .await;
        }
        let p1 = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{id}/events?limit=3"),
            None,
            200,
        )
        .await;
        let cur = p1["next_cursor"].as_str().unwrap();
        let p2 = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{id}/events?limit=50&cursor={cur}"),
            None,
            200,
        )
        .await;
        assert_eq!(ids(&p1).len() + ids(&p2).len(), kinds(&app, id).await.len());
        app.stop().await;
    }
}

#[tokio::test]
async fn sources_follow_the_attribution_rule() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let web = expect(
            &app,
            k,
            "POST",
            "/api/v1/sources",
            Some(json!({"name": "Website", "priority": 50})),
            201,
        )
        .await["id"]
            .clone();
        let fb = expect(
            &app,
            k,
            "POST",
            "/api/v1/sources",
            Some(json!({"name": "Facebook", "priority": 10})),
            201,
        )
        .await["id"]
            .clone();
        let shop = expect(
            &app,
            k,
            "POST",
            "/api/v1/sources",
            Some(json!({"name": "Cửa hàng"})),
            201,
        )
        .await;
        assert_eq!(shop["priority"], 100);
        let shop = shop["id"].clone();
        let (s, _) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/sources",
                Some(json!({"name": "website"})),
            )
            .await;
        assert_eq!(s, 409);
        let settings = expect(&app, k, "GET", "/api/v1/customer-settings", None, 200).await;
        assert_eq!(settings["source_rule"], "first");
        let id = create(&app, k, json!({"name": "Đa kênh", "source_id": web})).await["id"]
            .as_i64()
            .unwrap();
        let arrive = |src: Value| {
            let app = &app;
            async move {
                expect(
                    app,
                    k,
                    "POST",
                    &format!("/api/v1/customers/{id}/arrivals"),
                    Some(json!({"source_id": src})),
                    200,
                )
                .await["source_id"]
                    .clone()
            }
        };
        assert_eq!(
            arrive(fb.clone()).await,
            web,
            "first: the first source stays"
        );
        expect(
            &app,
            k,
            "PATCH",
            "/api/v1/customer-settings",
            Some(json!({"source_rule": "last"})),
            200,
        )
        .await;
        assert_eq!(
            arrive(shop.clone()).await,
            shop,
            "last: the latest channel wins"
        );
        assert_eq!(arrive(web.clone()).await, web);
        expect(
            &app,
            k,
            "PATCH",
            "/api/v1/customer-settings",
            Some(json!({"source_rule": "priority"})),
            200,
        )
        .await;
        assert_eq!(arrive(shop.clone()).await, web, "priority: 100 loses to 50");
        assert_eq!(arrive(fb.clone()).await, fb, "priority: 10 beats 50");
        assert_eq!(arrive(web.clone()).await, fb);
        let arrivals = kinds(&app, id)
            .await
            .iter()
            .filter(|k| *k == "customer.arrived")
            .count();
        assert_eq!(arrivals, 6);
        let (s, _) = app
            .call(
                Some(k),
                "POST",
                &format!("/api/v1/customers/{id}/arrivals"),
                Some(json!({"source_id": 999999})),
            )
            .await;
        assert_eq!(s, 422);
        let (s, _) = app
            .call(Some(k), "DELETE", &format!("/api/v1/sources/{fb}"), None)
            .await;
        assert_eq!(s, 409, "a source in use stays");
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/sources/{shop}"),
            Some(json!({"priority": 5, "name": "Cửa hàng Q1"})),
            200,
        )
        .await;
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/sources/{shop}"),
            None,
            204,
        )
        .await;
        for bad in [
            json!({"bin_retention_days": 0}),
            json!({"source_rule": "random"}),
            json!({"nope": 1}),
        ] {
            let (s, _) = app
                .call(
                    Some(k),
                    "PATCH",
                    "/api/v1/customer-settings",
                    Some(bad.clone()),
                )
                .await;
            assert_eq!(s, 422, "{bad}");
        }
        let sales = app.make_principal("sales1", "sales", None).await;
        let (s, _) = app
            .call(
                Some(&sales.key),
                "PATCH",
                "/api/v1/customer-settings",
                Some(json!({"bin_retention_days": 10})),
            )
            .await;
        assert_eq!(s, 403);
        app.stop().await;
    }
}
