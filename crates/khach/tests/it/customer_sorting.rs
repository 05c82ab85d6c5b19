//! Sorting the list by every column it can show (linked records by name, the stage by
//! its place, custom fields as text or number), paged two at a time both ways: every
//! customer exactly once, in the order the values say (empty first ascending, ties by
//! id), and contacts never an order a masked role may learn from.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};
use std::cmp::Ordering;

/// Every page of a sorted list, two at a time.
async fn walk(app: &TestApp, sort: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let v = expect(
            app,
            &app.admin.key,
            "GET",
            &format!("/api/v1/customers?limit=2&sort={sort}{cursor}"),
            None,
            200,
        )
        .await;
        out.extend(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match v["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

/// What a customer sorts by under `key`, as text or as a number.
enum Key {
    Text(String),
    Num(f64),
}

fn key_of(c: &Value, key: &str, stage_pos: &dyn Fn(&Value) -> f64) -> Key {
    let s = |v: &Value| Key::Text(v.as_str().unwrap_or_default().to_string());
    match key {
        "phone" => s(&c["phones"][0]["e164"]),
        "email" => s(&c["emails"][0]),
        "gender" => s(&c["gender"]),
        "birthday" => s(&c["birthday"]),
        "province" => s(&c["address"]["province_code"]),
        "company" => s(&c["company_name"]),
        "source" => s(&c["source_name"]),
        "owner" => s(&c["owner"]["full_name"]),
        "stage" => Key::Num(stage_pos(&c["stage_id"])),
        "cf.diem" => Key::Num(c["custom"]["diem"].as_f64().unwrap_or(-1e300)),
        "cf.ghi_chu" => s(&c["custom"]["ghi_chu"]),
        other => panic!("no key {other}"),
    }
}

#[tokio::test]
async fn every_shown_column_sorts_and_pages_without_gaps() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let k = k.as_str();
        let owner_b = app
            .make_principal("owner.bbb", "sales", None)
            .await
            .account_id;
        let owner_a = app
            .make_principal("owner.aaa", "sales", None)
            .await
            .account_id;
        expect(
            &app,
            k,
            "POST",
            "/api/v1/custom-fields",
            Some(json!({"entity": "customer", "key": "diem", "label": "Điểm", "kind": "number"})),
            201,
        )
        .await;
        expect(
            &app,
            k,
            "POST",
            "/api/v1/custom-fields",
            Some(
                json!({"entity": "customer", "key": "ghi_chu", "label": "Ghi chú", "kind": "text"}),
            ),
            201,
        )
        .await;
        let mut companies = Vec::new();
        for n in ["gamma", "alpha", "beta"] {
            companies.push(
                expect(
                    &app,
                    k,
                    "POST",
                    "/api/v1/companies",
                    Some(json!({"name": n})),
                    201,
                )
                .await["id"]
                    .clone(),
            );
        }
        let mut sources = Vec::new();
        for n in ["zalo", "facebook"] {
            sources.push(
                expect(
                    &app,
                    k,
                    "POST",
                    "/api/v1/sources",
                    Some(json!({"name": n})),
                    201,
                )
                .await["id"]
                    .clone(),
            );
        }
        let stages = expect(&app, k, "GET", "/api/v1/stages", None, 200).await;
        let stage_ids: Vec<Value> = stages["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect();
        let rows = [
            json!({"name": "Một", "phones": ["0912345678"], "emails": ["c1@x.vn"], "gender": "male", "birthday": "1990-05-01",
                   "province_code": "01", "company_id": companies[0], "source_id": sources[0], "stage_id": stage_ids[2],
                   "owner_id": owner_b, "custom": {"diem": 10, "ghi_chu": "beta"}}),
            json!({"name": "Hai", "phones": ["0387654321"], "emails": ["a1@x.vn"], "gender": "female", "birthday": "1985-12-31",
                   "province_code": "79", "company_id": companies[1], "source_id": sources[1], "stage_id": stage_ids[0],
                   "owner_id": owner_a, "custom": {"diem": -2.5, "ghi_chu": "alpha"}}),
            json!({"name": "Ba"}),
            json!({"name": "Bốn", "phones": ["0701234567"], "emails": ["b1@x.vn"], "gender": "other", "birthday": "2001-01-15",
                   "province_code": "48", "company_id": companies[2], "source_id": sources[0], "stage_id": stage_ids[4],
                   "owner_id": owner_b, "custom": {"diem": 10, "ghi_chu": "gamma"}}),
            json!({"name": "Năm", "phones": ["0901234567"], "emails": ["d1@x.vn"], "gender": "male", "birthday": "1990-05-01",
                   "province_code": "01", "company_id": companies[1], "stage_id": stage_ids[2], "custom": {"diem": 1000}}),
        ];
        for r in rows {
            create(&app, k, r).await;
        }
        let all = expect(&app, k, "GET", "/api/v1/customers?limit=200", None, 200).await;
        let all = all["items"].as_array().unwrap().clone();
        let stage_pos = |id: &Value| -> f64 {
            stages["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == *id)
                .map_or(-1.0, |s| s["position"].as_f64().unwrap())
        };
        for key in [
            "phone",
            "email",
            "gender",
            "birthday",
            "province",
            "company",
            "source",
            "owner",
            "stage",
            "cf.diem",
            "cf.ghi_chu",
        ] {
            for desc in [false, true] {
                let mut want: Vec<(Key, i64)> = all
                    .iter()
                    .map(|c| (key_of(c, key, &stage_pos), c["id"].as_i64().unwrap()))
                    .collect();
                want.sort_by(|a, b| {
                    let o = match (&a.0, &b.0) {
                        (Key::Text(x), Key::Text(y)) => x.cmp(y),
                        (Key::Num(x), Key::Num(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
                        _ => Ordering::Equal,
                    };
                    o.then(a.1.cmp(&b.1))
                });
                if desc {
                    want.reverse();
                }
                let want: Vec<i64> = want.into_iter().map(|w| w.1).collect();
                let sort = if desc {
                    format!("-{key}")
                } else {
                    key.to_string()
                };
                assert_eq!(walk(&app, &sort).await, want, "{b:?} sort={sort}");
            }
        }

        // A role with masking may not order customers by their contacts.
        let masked = crate::customer_kit::with_role(
            &app,
            "che.so",
            "Che số",
            json!({"customers": ["view"]}),
            "all",
            true,
        )
        .await;
        for sort in ["phone", "-email"] {
            let (st, e) = app
                .call(
                    Some(&masked.key),
                    "GET",
                    &format!("/api/v1/customers?sort={sort}"),
                    None,
                )
                .await;
            assert_eq!(
                (st, e["error"]["fields"]["sort"].is_string()),
                (422, true),
                "{b:?} {sort}: {e}"
            );
        }
        let (st, _) = app
            .call(
                Some(&masked.key),
                "GET",
                "/api/v1/customers?sort=stage",
                None,
            )
            .await;
        assert_eq!(st, 200);
        for bad in ["cf.nothing", "tags", "supporters"] {
            let (st, _) = app
                .call(
                    Some(k),
                    "GET",
                    &format!("/api/v1/customers?sort={bad}"),
                    None,
                )
                .await;
            assert_eq!(st, 422, "{b:?} {bad}");
        }
        app.stop().await;
    }
}
