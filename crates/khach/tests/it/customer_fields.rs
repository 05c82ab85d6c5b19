//! Custom fields (`/custom-fields`): every type, values validated on create and
//! update, required and unique fields, options still in use, and type changes with
//! a preview.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

async fn field(app: &TestApp, body: Value) -> Value {
    expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/custom-fields",
        Some(body),
        201,
    )
    .await
}

#[tokio::test]
async fn every_type_stores_its_own_shape() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let opts = json!([{"key": "gold", "label": "Vàng"}, {"key": "silver", "label": "Bạc"}]);
        // (label, kind, good input, stored value, bad input)
        let table = [
            (
                "Ghi chú ngắn",
                "text",
                json!("  xin chào "),
                json!("xin chào"),
                json!({"a": 1}),
            ),
            (
                "Ghi chú dài",
                "long_text",
                json!("dòng 1\ndòng 2"),
                json!("dòng 1\ndòng 2"),
                json!("x".repeat(10_001)),
            ),
            (
                "Số lần mua",
                "number",
                json!("3,5"),
                json!(3.5),
                json!("ba"),
            ),
            (
                "Doanh thu",
                "money",
                json!("1.500.000 đ"),
                json!(1_500_000),
                json!("1,5 triệu"),
            ),
            (
                "Ngày mua đầu",
                "date",
                json!("25/11/2026"),
                json!("2026-11-25"),
                json!("31/02/2026"),
            ),
            (
                "Lần gọi cuối",
                "datetime",
                json!("2026-11-25T10:00:00+07:00"),
                json!("2026-11-25T03:00:00Z"),
                json!("hôm qua"),
            ),
            (
                "Đã đồng ý",
                "boolean",
                json!("Có"),
                json!(true),
                json!("có lẽ"),
            ),
            (
                "Hạng thành viên",
                "select",
                json!("vàng"),
                json!("gold"),
                json!("kim cương"),
            ),
            (
                "Nhóm",
                "multi_select",
                json!(["Bạc", "gold"]),
                json!(["silver", "gold"]),
                json!(["gold", "đồng"]),
            ),
            (
                "Số Zalo",
                "phone",
                json!("+84 912 345 678"),
                json!("+84912345678"),
                json!("12345"),
            ),
            (
                "Email kế toán",
                "email",
                json!("KeToan@X.vn"),
                json!("ketoan@x.vn"),
                json!("ketoan@"),
            ),
            (
                "Trang web",
                "url",
                json!("https://khach.vn/a?b=1"),
                json!("https://khach.vn/a?b=1"),
                json!("javascript:alert(1)"),
            ),
        ];
        let mut keys = Vec::new();
        for (label, kind, ..) in &table {
            let mut body = json!({"entity": "customer", "label": label, "kind": kind});
            if kind.ends_with("select") {
                body["options"] = opts.clone();
            }
            let f = field(&app, body).await;
            assert_eq!(f["kind"], *kind);
            keys.push(f["key"].as_str().unwrap().to_string());
        }
        assert_eq!(
            keys[7], "hang_thanh_vien",
            "keys come from the label, without diacritics"
        );
        let list = expect(&app, k, "GET", "/api/v1/custom-fields?q=hang", None, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let good: serde_json::Map<String, Value> = keys
            .iter()
            .zip(&table)
            .map(|(k, t)| (k.clone(), t.2.clone()))
            .collect();
        let c = create(&app, k, json!({"name": "Đủ trường", "custom": good})).await;
        for (key, t) in keys.iter().zip(&table) {
            assert_eq!(c["custom"][key], t.3, "{b:?} {key}");
        }
        // Every bad value is reported, each under its own key, and nothing is stored.
        let before = app.fingerprint().await;
        let bad: serde_json::Map<String, Value> = keys
            .iter()
            .zip(&table)
            .map(|(k, t)| (k.clone(), t.4.clone()))
            .collect();
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Sai hết", "custom": bad})),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        let fields = v["error"]["fields"].as_object().unwrap();
        assert_eq!(fields.len(), keys.len(), "{b:?}: {v}");
        for key in &keys {
            assert!(
                fields.contains_key(&format!("custom.{key}")),
                "{b:?} {key}: {v}"
            );
        }
        // The same on an edit; `null` clears a value.
        let id = c["id"].as_i64().unwrap();
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{id}"),
                Some(json!({"custom": {keys[2].clone(): "nhiều"}})),
            )
            .await;
        assert_eq!(
            (
                s,
                v["error"]["fields"][format!("custom.{}", keys[2])].is_string()
            ),
            (422, true),
            "{v}"
        );
        assert_eq!(app.fingerprint().await, before);
        let c = expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            Some(json!({"custom": {keys[2].clone(): null, keys[3].clone(): 2000}})),
            200,
        )
        .await;
        assert!(c["custom"].get(&keys[2]).is_none(), "{c}");
        assert_eq!(c["custom"][&keys[3]], 2000);
        assert_eq!(c["custom"][&keys[0]], "xin chào", "other keys are kept");
        // Field definitions are checked too.
        for body in [
            json!({"entity": "customer", "label": "Không lựa chọn", "kind": "select"}),
            json!({"entity": "customer", "label": "Khoá lạ", "key": "Có Dấu", "kind": "text"}),
            json!({"entity": "customer", "label": "Trùng khoá", "key": keys[0], "kind": "text"}),
            json!({"entity": "customer", "label": "", "kind": "text"}),
            json!({"entity": "customer", "label": "Lựa chọn trùng", "kind": "select", "options": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}),
        ] {
            let (s, v) = app
                .call(Some(k), "POST", "/api/v1/custom-fields", Some(body.clone()))
                .await;
            assert!(s == 422 || s == 409, "{b:?} {body}: {s} {v}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn required_unique_options_and_deletion() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let mst = field(&app, json!({"entity": "customer", "key": "mst", "label": "Mã số thuế", "kind": "text", "unique": true})).await;
        let hang = field(&app, json!({"entity": "customer", "key": "hang", "label": "Hạng", "kind": "select",
            "options": [{"key": "gold", "label": "Vàng"}, {"key": "silver", "label": "Bạc"}, {"key": "bronze", "label": "Đồng"}]})).await;
        let a = create(
            &app,
            k,
            json!({"name": "A", "custom": {"mst": "0101234567", "hang": "gold"}}),
        )
        .await;
        let a = a["id"].as_i64().unwrap();
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "B", "custom": {"mst": "0101234567"}})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["custom"].is_string()),
            (409, true),
            "{b:?}: {v}"
        );
        let bid = create(
            &app,
            k,
            json!({"name": "B", "custom": {"mst": "0109999999"}}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{bid}"),
                Some(json!({"custom": {"mst": "0101234567"}})),
            )
            .await;
        assert_eq!(s, 409);
        // Saving a customer with its own unique value is no conflict.
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{a}"),
            Some(json!({"custom": {"mst": "0101234567"}, "name": "A2"})),
            200,
        )
        .await;

        // A required field: needed on create, and cannot be cleared.
        let req = field(&app, json!({"entity": "customer", "key": "kenh", "label": "Kênh", "kind": "text", "required": true})).await;
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "C"})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["custom.kenh"].is_string()),
            (422, true),
            "{v}"
        );
        // Older customers may be edited without it, but not have it cleared.
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{bid}"),
            Some(json!({"notes": "ok"})),
            200,
        )
        .await;
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{bid}"),
                Some(json!({"custom": {"kenh": ""}})),
            )
            .await;
        assert_eq!(s, 422);
        create(&app, k, json!({"name": "C", "custom": {"kenh": "Zalo"}})).await;
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/custom-fields/{}", req["id"]),
            Some(json!({"required": false})),
            200,
        )
        .await;

        // Unique cannot be switched on over duplicates.
        let dup = field(
            &app,
            json!({"entity": "customer", "key": "nguon_phu", "label": "Nguồn phụ", "kind": "text"}),
        )
        .await;
        for n in ["D", "E"] {
            create(
                &app,
                k,
                json!({"name": n, "custom": {"nguon_phu": "hội chợ"}}),
            )
            .await;
        }
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/custom-fields/{}", dup["id"]),
                Some(json!({"unique": true})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("in_use")),
            "{v}"
        );

        // Removing an option in use is refused; an unused one goes.
        let path = format!("/api/v1/custom-fields/{}", hang["id"]);
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &path,
                Some(json!({"options": [{"key": "silver", "label": "Bạc"}]})),
            )
            .await;
        assert_eq!(s, 409, "{b:?}: {v}");
        assert!(
            !v["error"]["message"].as_str().unwrap().contains("Unknown"),
            "{v}"
        );
        assert_eq!(app.fingerprint().await, before);
        let f = expect(&app, k, "PATCH", &path, Some(json!({"options": [{"key": "gold", "label": "Vàng kim"}, {"key": "silver", "label": "Bạc"}]})), 200).await;
        assert_eq!(f["options"].as_array().unwrap().len(), 2);
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/custom-fields/{}", mst["id"]),
                Some(json!({"options": []})),
            )
            .await;
        assert_eq!(s, 422, "options only for choice fields");

        // A field holding values cannot be deleted; an empty one can.
        let (s, _) = app.call(Some(k), "DELETE", &path, None).await;
        assert_eq!(s, 409);
        let spare = field(
            &app,
            json!({"entity": "customer", "label": "Tạm", "kind": "number"}),
        )
        .await;
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/custom-fields/{}", spare["id"]),
            None,
            204,
        )
        .await;
        let (s, _) = app
            .call(
                Some(k),
                "GET",
                &format!("/api/v1/custom-fields/{}", spare["id"]),
                None,
            )
            .await;
        assert_eq!(s, 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn type_change_previews_then_converts() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let f = field(
            &app,
            json!({"entity": "customer", "key": "so_lan", "label": "Số lần", "kind": "text"}),
        )
        .await;
        let path = format!("/api/v1/custom-fields/{}/kind", f["id"]);
        create(&app, k, json!({"name": "Một", "custom": {"so_lan": "12"}})).await;
        let bad = create(
            &app,
            k,
            json!({"name": "Hai", "custom": {"so_lan": "mười hai"}}),
        )
        .await;
        create(&app, k, json!({"name": "Ba"})).await;
        let p = expect(&app, k, "POST", &path, Some(json!({"kind": "number"})), 200).await;
        assert_eq!(
            (
                p["total"].as_u64(),
                p["convertible"].as_u64(),
                p["failing"].as_u64()
            ),
            (Some(2), Some(1), Some(1)),
            "{b:?}: {p}"
        );
        assert_eq!(p["applied"], false);
        let failing: Vec<&Value> = p["samples"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["after"].is_null())
            .collect();
        assert_eq!(failing.len(), 1);
        assert_eq!(failing[0]["record_id"], bad["id"]);
        assert_eq!(failing[0]["before"], "mười hai");
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                &path,
                Some(json!({"kind": "number", "apply": true})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("in_use")),
            "{b:?}: {v}"
        );
        assert_eq!(
            app.fingerprint().await,
            before,
            "a refused change converts nothing"
        );
        // Fix the value, then apply.
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{}", bad["id"]),
            Some(json!({"custom": {"so_lan": "12,5"}})),
            200,
        )
        .await;
        let p = expect(
            &app,
            k,
            "POST",
            &path,
            Some(json!({"kind": "number", "apply": true})),
            200,
        )
        .await;
        assert_eq!(
            (p["applied"].as_bool(), p["failing"].as_u64()),
            (Some(true), Some(0)),
            "{p}"
        );
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{}", bad["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(c["custom"]["so_lan"], 12.5);
        let f = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/custom-fields/{}", f["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(f["kind"], "number");
        // New values follow the new type, and the field filters as a number.
        let (s, _) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Bốn", "custom": {"so_lan": "nhiều"}})),
            )
            .await;
        assert_eq!(s, 422);
        let v = expect(
            &app,
            k,
            "POST",
            "/api/v1/customers/query",
            Some(json!({"filter": {"rules": [{"field": "cf.so_lan", "op": "gt", "value": 12}]}})),
            200,
        )
        .await;
        assert_eq!(v["total"], 1);
        // A choice field cannot be made out of free text.
        let (s, _) = app
            .call(Some(k), "POST", &path, Some(json!({"kind": "select"})))
            .await;
        assert_eq!(s, 422);
        app.stop().await;
    }
}
