//! The filter builder (`POST /customers/query`): built-in fields, custom fields of
//! each filterable type, AND/OR groups, and input that tries to be SQL.

use crate::customer_kit::{create, enc, expect, names, query};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The names a filter matches, as a set.
async fn matches(app: &TestApp, filter: Value) -> BTreeSet<String> {
    let (s, v) = query(app, &app.admin.key, filter.clone()).await;
    assert_eq!(s, 200, "{:?} {filter}: {v}", app.backend);
    assert_eq!(
        v["total"].as_u64(),
        Some(v["items"].as_array().unwrap().len() as u64)
    );
    names(&v).into_iter().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn rule(field: &str, op: &str, value: Value) -> Value {
    json!({ "rules": [{ "field": field, "op": op, "value": value }] })
}

/// Four customers created a day apart (25–28/11/2026, 09:00 Vietnam time) with
/// stages, tags and custom values; returns the stage ids in lifecycle order.
async fn world(app: &TestApp) -> Vec<i64> {
    let k = app.admin.key.as_str();
    for f in [
        json!({"entity": "customer", "key": "so_don", "label": "Số đơn", "kind": "number"}),
        json!({"entity": "customer", "key": "hang", "label": "Hạng", "kind": "select",
               "options": [{"key": "gold", "label": "Vàng"}, {"key": "silver", "label": "Bạc"}]}),
        json!({"entity": "customer", "key": "so_thich", "label": "Sở thích", "kind": "multi_select",
               "options": [{"key": "golf", "label": "Golf"}, {"key": "yoga", "label": "Yoga"}, {"key": "tennis", "label": "Quần vợt"}]}),
        json!({"entity": "customer", "key": "vip", "label": "VIP", "kind": "boolean"}),
        json!({"entity": "customer", "key": "ngay_mua", "label": "Ngày mua", "kind": "date"}),
        json!({"entity": "customer", "key": "ghi_chu", "label": "Ghi chú", "kind": "text"}),
    ] {
        expect(app, k, "POST", "/api/v1/custom-fields", Some(f), 201).await;
    }
    let stages: Vec<i64> = expect(app, k, "GET", "/api/v1/stages", None, 200).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let people = [
        json!({"name": "An", "stage_id": stages[0], "tags": ["VIP"], "street": "12 Lê Lợi",
               "custom": {"so_don": 5, "hang": "gold", "so_thich": ["golf", "yoga"], "vip": true, "ngay_mua": "15/01/2026", "ghi_chu": "50% off"}}),
        json!({"name": "Bình", "stage_id": stages[1], "tags": ["Sỉ"],
               "custom": {"so_don": "12,5", "hang": "Bạc", "so_thich": "Yoga", "vip": "không", "ngay_mua": "2026-03-01", "ghi_chu": "it's"}}),
        json!({"name": "Cường", "stage_id": stages[0], "tags": ["VIP", "Sỉ"], "gender": "male",
               "custom": {"so_don": 100, "so_thich": ["tennis"]}}),
        json!({"name": "Dung", "birthday": "1990-05-20"}),
    ];
    for p in people {
        create(app, k, p).await;
        app.clock.advance(chrono::Duration::days(1));
    }
    stages
}

async fn tag_id(app: &TestApp, name: &str) -> i64 {
    let tags = expect(app, &app.admin.key, "GET", "/api/v1/tags", None, 200).await;
    tags["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn built_in_fields_and_groups() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let st = world(&app).await;
        let (vip, si) = (tag_id(&app, "VIP").await, tag_id(&app, "Sỉ").await);
        let cases = [
            (rule("stage", "eq", json!(st[0])), vec!["An", "Cường"]),
            (rule("stage", "ne", json!(st[0])), vec!["Bình", "Dung"]),
            (
                rule("stage", "in", json!([st[0], st[1]])),
                vec!["An", "Bình", "Cường"],
            ),
            (rule("stage", "is_empty", json!(null)), vec!["Dung"]),
            (rule("tags", "has_any", json!([vip])), vec!["An", "Cường"]),
            (rule("tags", "has_all", json!([vip, si])), vec!["Cường"]),
            (rule("tags", "has_none", json!([vip])), vec!["Bình", "Dung"]),
            (rule("tags", "is_empty", json!(null)), vec!["Dung"]),
            (
                rule("tags", "is_not_empty", json!(null)),
                vec!["An", "Bình", "Cường"],
            ),
            (
                rule("created_at", "between", json!(["2026-11-26", "2026-11-27"])),
                vec!["Bình", "Cường"],
            ),
            (
                rule("created_at", "gte", json!("2026-11-27T02:00:00Z")),
                vec!["Cường", "Dung"],
            ),
            (
                rule("created_at", "lt", json!("2026-11-26T09:00:00+07:00")),
                vec!["An"],
            ),
            (rule("name", "contains", json!("cuong")), vec!["Cường"]),
            (rule("name", "eq", json!("BÌNH")), vec!["Bình"]),
            (rule("name", "starts_with", json!("d")), vec!["Dung"]),
            (rule("code", "eq", json!("kh000002")), vec!["Bình"]),
            (rule("street", "contains", json!("Lê Lợi")), vec!["An"]),
            (rule("gender", "eq", json!("male")), vec!["Cường"]),
            (rule("birthday", "lt", json!("01/01/2000")), vec!["Dung"]),
            (
                rule("do_not_contact", "eq", json!(false)),
                vec!["An", "Bình", "Cường", "Dung"],
            ),
            (json!({}), vec!["An", "Bình", "Cường", "Dung"]),
            // VIP and (boolean VIP or at least 100 orders).
            (
                json!({"op": "and", "rules": [{"field": "tags", "op": "has_any", "value": [vip]}],
                       "groups": [{"op": "or", "rules": [
                           {"field": "cf.vip", "op": "eq", "value": true},
                           {"field": "cf.so_don", "op": "gte", "value": 100}]}]}),
                vec!["An", "Cường"],
            ),
            (
                json!({"op": "or", "rules": [{"field": "stage", "op": "is_empty"}, {"field": "cf.hang", "op": "eq", "value": "silver"}]}),
                vec!["Bình", "Dung"],
            ),
            (
                json!({"op": "and", "groups": [
                    {"op": "or", "rules": [{"field": "name", "op": "eq", "value": "an"}, {"field": "name", "op": "eq", "value": "bình"}]},
                    {"op": "or", "rules": [{"field": "stage", "op": "eq", "value": st[1]}, {"field": "cf.so_thich", "op": "has_any", "value": ["golf"]}]}]}),
                vec!["An", "Bình"],
            ),
        ];
        for (filter, want) in cases {
            assert_eq!(
                matches(&app, filter.clone()).await,
                set(&want),
                "{b:?} {filter}"
            );
        }
        // Quick search and filter together.
        let v = expect(
            &app,
            &app.admin.key,
            "POST",
            "/api/v1/customers/query",
            Some(json!({"q": "an", "filter": rule("tags", "has_any", json!([vip]))})),
            200,
        )
        .await;
        assert_eq!(names(&v), ["An"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn custom_fields_of_each_type() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        world(&app).await;
        let cases = [
            (rule("cf.so_don", "gt", json!(10)), vec!["Bình", "Cường"]),
            (
                rule("cf.so_don", "between", json!([5, "12,5"])),
                vec!["An", "Bình"],
            ),
            (rule("cf.so_don", "lt", json!("10")), vec!["An"]),
            (rule("cf.so_don", "eq", json!(100)), vec!["Cường"]),
            (rule("cf.so_don", "is_empty", json!(null)), vec!["Dung"]),
            (rule("cf.hang", "eq", json!("gold")), vec!["An"]),
            (rule("cf.hang", "eq", json!("Vàng")), vec!["An"]),
            (
                rule("cf.hang", "in", json!(["gold", "silver"])),
                vec!["An", "Bình"],
            ),
            (
                rule("cf.hang", "ne", json!("gold")),
                vec!["Bình", "Cường", "Dung"],
            ),
            (
                rule("cf.hang", "is_not_empty", json!(null)),
                vec!["An", "Bình"],
            ),
            (
                rule("cf.so_thich", "has_any", json!(["yoga"])),
                vec!["An", "Bình"],
            ),
            (
                rule("cf.so_thich", "has_all", json!(["golf", "yoga"])),
                vec!["An"],
            ),
            (
                rule("cf.so_thich", "has_none", json!(["yoga"])),
                vec!["Cường", "Dung"],
            ),
            (
                rule("cf.so_thich", "has_any", json!(["Quần vợt"])),
                vec!["Cường"],
            ),
            (rule("cf.vip", "eq", json!(true)), vec!["An"]),
            (rule("cf.vip", "eq", json!(false)), vec!["Bình"]),
            (
                rule("cf.vip", "is_empty", json!(null)),
                vec!["Cường", "Dung"],
            ),
            (
                rule(
                    "cf.ngay_mua",
                    "between",
                    json!(["2026-01-01", "01/02/2026"]),
                ),
                vec!["An"],
            ),
            (rule("cf.ngay_mua", "gt", json!("2026-01-15")), vec!["Bình"]),
            (
                rule("cf.ngay_mua", "lte", json!("2026-03-01")),
                vec!["An", "Bình"],
            ),
            (rule("cf.ghi_chu", "contains", json!("50%")), vec!["An"]),
            (rule("cf.ghi_chu", "eq", json!("it's")), vec!["Bình"]),
            (
                rule("cf.ghi_chu", "not_contains", json!("%")),
                vec!["Bình", "Cường", "Dung"],
            ),
        ];
        for (filter, want) in cases {
            assert_eq!(
                matches(&app, filter.clone()).await,
                set(&want),
                "{b:?} {filter}"
            );
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn injection_attempts_are_data() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        world(&app).await;
        let k = app.admin.key.as_str();
        let before = app.fingerprint().await;
        let hostile = [
            "' OR 1=1 --",
            "'; DROP TABLE customers; --",
            "%",
            "_",
            "\"",
            "\" OR \"\"=\"",
            "\\",
            "a%' OR name LIKE '%",
            "*",
            "NEAR(an bình)",
            "search_name : an",
        ];
        for v in hostile {
            for (field, op) in [
                ("name", "contains"),
                ("name", "eq"),
                ("name", "starts_with"),
                ("code", "contains"),
                ("street", "eq"),
                ("email", "contains"),
                ("cf.ghi_chu", "contains"),
                ("cf.ghi_chu", "starts_with"),
            ] {
                let filter = rule(field, op, json!(v));
                let (s, body) = query(&app, k, filter.clone()).await;
                assert!(s == 200 || s == 422, "{b:?} {filter}: {s} {body}");
                if s == 200 {
                    let hits = names(&body);
                    assert!(
                        hits.is_empty() || (v == "%" && hits == ["An"]),
                        "{b:?} {filter}: {body}"
                    );
                }
            }
            let (s, body) = app
                .call(
                    Some(k),
                    "GET",
                    &format!("/api/v1/customers?q={}", enc(v)),
                    None,
                )
                .await;
            assert_eq!(s, 200, "{b:?} q={v}: {body}");
            assert!(names(&body).is_empty(), "{b:?} q={v}: {body}");
        }
        // Names of fields and operators are never SQL: unknown ones are refused.
        for r in [
            json!({"field": "name; DROP TABLE customers", "op": "eq", "value": "x"}),
            json!({"field": "cf.so_don') OR 1=1 --", "op": "gt", "value": 1}),
            json!({"field": "cf.", "op": "eq", "value": 1}),
            json!({"field": "deleted_at", "op": "is_empty"}),
            json!({"field": "search_contact", "op": "contains", "value": "09"}),
            json!({"field": "stage", "op": "eq", "value": "1 OR 1=1"}),
            json!({"field": "stage", "op": "contains", "value": 1}),
            json!({"field": "tags", "op": "eq", "value": 1}),
            json!({"field": "cf.so_don", "op": "gt", "value": "một trăm"}),
            json!({"field": "cf.so_don", "op": "between", "value": [1]}),
            json!({"field": "cf.hang", "op": "eq", "value": "platinum"}),
            json!({"field": "cf.vip", "op": "gt", "value": true}),
            json!({"field": "created_at", "op": "gt", "value": "hôm qua"}),
            json!({"field": "phone", "op": "contains", "value": "' OR 1=1"}),
            json!({"field": "phone", "op": "eq", "value": "' OR 1=1"}),
        ] {
            let (s, body) = query(&app, k, json!({"rules": [r]})).await;
            assert_eq!(s, 422, "{b:?} {r}: {body}");
            assert!(
                body["error"]["fields"]["filter.rules.0"].is_string(),
                "{b:?}: names the rule: {body}"
            );
        }
        let (s, body) = query(
            &app,
            k,
            json!({"rules": [{"field": "name", "op": "drop_table", "value": "x"}]}),
        )
        .await;
        assert_eq!(s, 422, "{body}");
        // Too deep, too many.
        let mut deep = rule("name", "eq", json!("an"));
        for _ in 0..4 {
            deep = json!({"groups": [deep]});
        }
        let (s, body) = query(&app, k, deep).await;
        assert_eq!(
            (s, body["error"]["fields"].as_object().map(|f| f.len())),
            (422, Some(1)),
            "{body}"
        );
        let many: Vec<Value> = (0..51)
            .map(|i| json!({"field": "name", "op": "eq", "value": format!("x{i}")}))
            .collect();
        let (s, _) = query(&app, k, json!({"op": "or", "rules": many})).await;
        assert_eq!(s, 422);
        // The table is intact and nothing was written.
        assert_eq!(app.fingerprint().await, before, "{b:?}");
        let v = expect(&app, k, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(v["total"], 4);
        app.stop().await;
    }
}
