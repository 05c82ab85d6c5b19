//! Customers through the REST API: creation (phones however typed, generated and
//! explicit codes), conflicts, and validation that names the field and stores
//! nothing.

use crate::customer_kit::{create, expect, named};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn phone(c: &Value, i: usize) -> (&str, &str, &str) {
    let p = &c["phones"][i];
    (
        p["display"].as_str().unwrap(),
        p["e164"].as_str().unwrap(),
        p["typed"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn phones_are_normalised_and_codes_generated() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let forms = [
            ("0912 345 678", "+84912345678", "0912345678"),
            ("+84 913 345 678", "+84913345678", "0913345678"),
            ("84914345678", "+84914345678", "0914345678"),
            ("0084915345678", "+84915345678", "0915345678"),
            ("01662345678", "+84362345678", "0362345678"),
        ];
        for (i, (typed, e164, national)) in forms.iter().enumerate() {
            let c = create(
                &app,
                k,
                json!({"name": format!("Khách {i}"), "phones": [typed]}),
            )
            .await;
            assert_eq!(c["code"], format!("KH{:06}", i + 1), "{b:?}: {c}");
            assert_eq!(phone(&c, 0), (*national, *e164, *typed), "{b:?}");
        }
        // Two forms of one number are one phone.
        let c = create(
            &app,
            k,
            json!({"name": "Hai số", "phones": ["0987 654 321", "+84987654321", "0987.654.322"]}),
        )
        .await;
        assert_eq!(c["phones"].as_array().unwrap().len(), 2, "{c}");
        // An explicit code is stored upper-case; generated codes skip taken ones.
        let c = create(&app, k, json!({"name": "Có mã", "code": " vip-001 "})).await;
        assert_eq!(c["code"], "VIP-001");
        create(&app, k, json!({"name": "Chiếm mã", "code": "KH000007"})).await;
        let c = create(&app, k, json!({"name": "Sau đó"})).await;
        assert_eq!(
            c["code"], "KH000008",
            "{b:?}: generation skips a code in use"
        );
        // E-mails are stored lower-case, the first phone and e-mail are primary.
        let c = create(
            &app,
            k,
            json!({"name": "Email", "emails": ["Lan.Anh@Example.VN"]}),
        )
        .await;
        assert_eq!(c["emails"], json!(["lan.anh@example.vn"]));
        // Names at the limit that grow when lower-cased still fit (PostgreSQL checks
        // column lengths; `İ` lower-cases to two characters).
        let long = "İ".repeat(200);
        let c = create(&app, k, json!({"name": long})).await;
        assert_eq!(c["name"], long);
        app.stop().await;
    }
}

#[tokio::test]
async fn conflicts_name_the_field_and_change_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        create(
            &app,
            k,
            json!({"name": "Gốc", "code": "A-1", "phones": ["0912345678"], "emails": ["goc@x.vn"]}),
        )
        .await;
        let before = app.fingerprint().await;
        let cases = [
            (json!({"name": "Trùng mã", "code": "a-1"}), "code"),
            (
                json!({"name": "Trùng số", "phones": ["+84 912 345 678"]}),
                "phones",
            ),
            (
                json!({"name": "Trùng số cũ", "phones": ["84912345678"]}),
                "phones",
            ),
            (
                json!({"name": "Trùng email", "emails": ["GOC@x.vn"]}),
                "emails",
            ),
        ];
        for (body, field) in cases {
            let (s, v) = app
                .call(Some(k), "POST", "/api/v1/customers", Some(body.clone()))
                .await;
            assert_eq!(s, 409, "{b:?} {body}: {v}");
            assert_eq!(v["error"]["code"], "conflict");
            assert!(
                v["error"]["fields"][field].is_string(),
                "{b:?}: names {field}: {v}"
            );
        }
        assert_eq!(
            app.fingerprint().await,
            before,
            "{b:?}: a conflict stores nothing"
        );
        // The same holds for an edit onto another customer's values.
        let other = named(&app, k, "Khác").await;
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{other}"),
                Some(json!({"phones": ["0912.345.678"], "name": "Đổi"})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["phones"].is_string()),
            (409, true),
            "{v}"
        );
        assert_eq!(app.fingerprint().await, before);
        // When the business allows shared contacts, the phone may repeat.
        expect(
            &app,
            k,
            "PATCH",
            "/api/v1/customer-settings",
            Some(json!({"allow_duplicate_contacts": true})),
            200,
        )
        .await;
        create(
            &app,
            k,
            json!({"name": "Cùng số", "phones": ["0912345678"]}),
        )
        .await;
        app.stop().await;
    }
}

#[tokio::test]
async fn validation_names_every_field_and_stores_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({
                    "name": "  ",
                    "code": "có dấu",
                    "phones": ["0987654321", "12"],
                    "emails": ["ok@x.vn", "not-an-email"],
                    "province_code": "99",
                    "custom": {"no_such_field": 1},
                    "tags": ["Mới"],
                })),
            )
            .await;
        assert_eq!(s, 422, "{b:?}: {v}");
        let fields = v["error"]["fields"].as_object().unwrap();
        let got: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
        let want: BTreeSet<&str> = [
            "name",
            "code",
            "phones.1",
            "emails.1",
            "province_code",
            "custom.no_such_field",
        ]
        .into();
        assert_eq!(got, want, "{b:?}: {v}");
        for m in fields.values() {
            assert!(
                m.as_str()
                    .is_some_and(|m| m.len() > 5 && !m.contains("Unknown localization")),
                "{m}"
            );
        }
        // A ward must belong to its province, and needs one.
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Địa chỉ", "province_code": "01", "ward_code": "25747"})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["ward_code"].is_string()),
            (422, true),
            "{v}"
        );
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Địa chỉ", "ward_code": "00004"})),
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["ward_code"].is_string()),
            (422, true),
            "{v}"
        );
        // Unknown references and shapes outside the schema are refused too.
        for body in [
            json!({"name": "X", "stage_id": 999999}),
            json!({"name": "X", "owner_id": 999999}),
            json!({"name": "X", "created_by": 1}),
            json!({"name": "X", "phones": "0912345678"}),
            json!({"name": "X", "phones": vec!["0912345678"; 11]}),
        ] {
            let (s, v) = app
                .call(Some(k), "POST", "/api/v1/customers", Some(body.clone()))
                .await;
            assert_eq!(s, 422, "{b:?} {body}: {v}");
        }
        assert_eq!(
            app.fingerprint().await,
            before,
            "{b:?}: refused input stores nothing"
        );
        // Those who chose English get English messages.
        expect(
            &app,
            k,
            "PATCH",
            "/api/v1/me",
            Some(json!({"locale": "en"})),
            200,
        )
        .await;
        let (_, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "X", "code": "có dấu"})),
            )
            .await;
        assert!(
            v["error"]["fields"]["code"]
                .as_str()
                .unwrap()
                .contains("letters"),
            "{v}"
        );
        expect(
            &app,
            k,
            "PATCH",
            "/api/v1/me",
            Some(json!({"locale": "vi"})),
            200,
        )
        .await;
        // Nothing was used up either: the first customer still gets KH000001.
        let c = create(
            &app,
            k,
            json!({"name": "Đầu tiên", "province_code": "01", "ward_code": "00004"}),
        )
        .await;
        assert_eq!(c["code"], "KH000001");
        assert_eq!(c["address"]["ward_name"], "Phường Ba Đình");
        // An edit reports per field and leaves the record as it was.
        let id = c["id"].as_i64().unwrap();
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{id}"),
                Some(json!({"name": "Mới", "emails": ["x@"], "ward_code": "25747"})),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(
            v["error"]["fields"]["emails.0"].is_string()
                && v["error"]["fields"]["ward_code"].is_string(),
            "{v}"
        );
        assert_eq!(app.fingerprint().await, before);
        app.stop().await;
    }
}
