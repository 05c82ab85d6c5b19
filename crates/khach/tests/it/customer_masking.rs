//! Masking (Cấu hình ẩn thông tin): a role with `mask_contacts` never receives a
//! customer's phone number or e-mail address, in any answer; it finds a customer by
//! a whole number or address only, and that look-up is on the audit log.

use crate::customer_kit::{create, expect, with_role};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

/// What must never reach a masked caller: the distinctive parts of the phones and
/// e-mails below, in any form (national, E.164, as typed).
const SECRETS: [&str; 9] = [
    "2345678",
    "912345",
    "345 678",
    "8887776",
    "ngoclan",
    "lan.tran",
    "ketoan.hoa",
    "0283822",
    "thuky",
];

fn assert_clean(what: &str, body: &Value) {
    let text = body.to_string();
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s:?}: {text}");
    }
}

#[tokio::test]
async fn masked_roles_never_receive_contacts() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let admin = app.admin.key.clone();
        let a = admin.as_str();
        let perms = json!({"customers": ["view", "create", "edit", "delete", "settings"], "audit_log": ["view"]});
        let masked = with_role(&app, "tele1", "Telesale (ẩn số)", perms, "all", true).await;
        let m = masked.key.as_str();
        expect(
            &app,
            a,
            "POST",
            "/api/v1/custom-fields",
            Some(json!({"entity": "customer", "key": "zalo", "label": "Số Zalo", "kind": "phone"})),
            201,
        )
        .await;
        expect(
            &app,
            a,
            "POST",
            "/api/v1/custom-fields",
            Some(
                json!({"entity": "customer", "key": "thu_ky", "label": "Thư ký", "kind": "email"}),
            ),
            201,
        )
        .await;
        let company = expect(&app, a, "POST", "/api/v1/companies",
            Some(json!({"name": "Công ty Hoa Sen", "phone": "028 3822 1111", "email": "ketoan.hoa@hoasen.vn"})), 201).await;
        let c = create(
            &app,
            a,
            json!({
                "name": "Trần Ngọc Lan",
                "phones": ["0912 345 678", "0988 877 766"],
                "emails": ["ngoclan@gmail.com", "lan.tran@hoasen.vn"],
                "company_id": company["id"],
                "tags": ["VIP"],
                "custom": {"zalo": "0912345678", "thu_ky": "thuky@hoasen.vn"},
            }),
        )
        .await;
        let id = c["id"].as_i64().unwrap();
        assert_eq!(
            c["phones"][0]["e164"], "+84912345678",
            "unmasked roles see the full values"
        );
        assert_eq!(c["emails"][0], "ngoclan@gmail.com");
        expect(
            &app,
            a,
            "POST",
            &format!("/api/v1/customers/{id}/contacts"),
            Some(json!({"name": "Chồng", "phone": "0283 822 1234", "email": "thuky.ho@hoasen.vn"})),
            201,
        )
        .await;
        expect(&app, a, "PATCH", &format!("/api/v1/customers/{id}"),
            Some(json!({"phones": ["0912 345 678", "0988 877 766", "0977 123 456"], "custom": {"zalo": "0988877766"}})), 200).await;
        expect(
            &app,
            a,
            "PATCH",
            &format!("/api/v1/customers/{id}"),
            Some(json!({"custom": {"zalo": "0912345678"}})),
            200,
        )
        .await;
        // A company custom field of type phone, and a shared filter naming a number.
        let cf = expect(
            &app,
            a,
            "POST",
            "/api/v1/custom-fields",
            Some(
                json!({"entity": "company", "key": "hotline", "label": "Hotline", "kind": "phone"}),
            ),
            201,
        )
        .await;
        expect(
            &app,
            a,
            "PATCH",
            &format!("/api/v1/companies/{}", company["id"]),
            Some(json!({"custom": {"hotline": "0912345678"}})),
            200,
        )
        .await;
        expect(&app, a, "POST", "/api/v1/saved-filters", Some(json!({"name": "Số quen", "shared": true,
            "definition": {"op": "or", "rules": [{"field": "phone", "op": "eq", "value": "0912 345 678"},
                {"field": "cf.thu_ky", "op": "eq", "value": "thuky@hoasen.vn"}]}})), 201).await;

        // Every read the masked role can make.
        let got = expect(
            &app,
            m,
            "GET",
            &format!("/api/v1/customers/{id}"),
            None,
            200,
        )
        .await;
        assert_clean("get", &got);
        assert_eq!(
            got["phones"][0],
            json!({"display": "091****678", "e164": null, "typed": null})
        );
        assert_eq!(got["emails"][0], "ng***@gmail.com");
        assert_eq!(got["custom"]["zalo"], "091****678");
        assert_eq!(got["custom"]["thu_ky"], "th***@hoasen.vn");
        let contact = format!("/api/v1/customers/{id}/contacts");
        let mut reads = vec![
            ("list", "GET", "/api/v1/customers".to_string(), None),
            (
                "list by name",
                "GET",
                "/api/v1/customers?q=ngoc%20lan".to_string(),
                None,
            ),
            (
                "list by tag",
                "GET",
                format!("/api/v1/customers?company_id={}", company["id"]),
                None,
            ),
            (
                "query",
                "POST",
                "/api/v1/customers/query".to_string(),
                Some(
                    json!({"q": "lan", "filter": {"rules": [{"field": "phone", "op": "is_not_empty"}]}}),
                ),
            ),
            (
                "events",
                "GET",
                format!("/api/v1/customers/{id}/events"),
                None,
            ),
            ("contacts", "GET", contact.clone(), None),
            ("companies", "GET", "/api/v1/companies".to_string(), None),
            (
                "company",
                "GET",
                format!("/api/v1/companies/{}", company["id"]),
                None,
            ),
            (
                "audit",
                "GET",
                "/api/v1/audit-log?entity=customer".to_string(),
                None,
            ),
            (
                "audit contacts",
                "GET",
                "/api/v1/audit-log?entity=sub_contact".to_string(),
                None,
            ),
            (
                "audit companies",
                "GET",
                "/api/v1/audit-log?entity=company".to_string(),
                None,
            ),
            ("fields", "GET", "/api/v1/custom-fields".to_string(), None),
            (
                "saved filters",
                "GET",
                "/api/v1/saved-filters".to_string(),
                None,
            ),
            (
                "kind preview",
                "POST",
                format!("/api/v1/custom-fields/{}/kind", cf["id"]),
                Some(json!({"kind": "number"})),
            ),
            (
                "dnc",
                "PUT",
                format!("/api/v1/customers/{id}/do-not-contact"),
                Some(json!({"reason": "Khách yêu cầu"})),
            ),
            (
                "dnc off",
                "DELETE",
                format!("/api/v1/customers/{id}/do-not-contact"),
                None,
            ),
            (
                "edit",
                "PATCH",
                format!("/api/v1/customers/{id}"),
                Some(json!({"notes": "Gọi lại sau"})),
            ),
            (
                "bulk",
                "POST",
                "/api/v1/customers/bulk".to_string(),
                Some(json!({"ids": [id, 999999], "action": {"type": "tag", "tags": ["Gọi lại"]}})),
            ),
        ];
        // A masked role's own writes answer masked as well.
        reads.push(("create", "POST", "/api/v1/customers".to_string(),
            Some(json!({"name": "Khách của tele", "phones": ["0908 887 776"], "emails": ["ngoclan.2@x.vn"]}))));
        for (what, method, path, body) in reads {
            let (s, v) = app.call(Some(m), method, &path, body).await;
            assert!(s < 300, "{b:?} {what}: {s} {v}");
            assert_clean(what, &v);
        }
        let sub = expect(&app, m, "GET", &contact, None, 200).await;
        assert_eq!(sub["items"][0]["phone"]["display"], "028*****234");
        let sid = sub["items"][0]["id"].as_i64().unwrap();
        let v = expect(
            &app,
            m,
            "PATCH",
            &format!("{contact}/{sid}"),
            Some(json!({"relation": "chồng"})),
            200,
        )
        .await;
        assert_clean("contact edit", &v);
        // Errors do not echo contacts either.
        for (what, method, path, body) in [
            (
                "conflict",
                "POST",
                "/api/v1/customers".to_string(),
                Some(json!({"name": "Trùng", "phones": ["0912345678"]})),
            ),
            (
                "conflict edit",
                "PATCH",
                format!("/api/v1/customers/{id}"),
                Some(
                    json!({"emails": ["ngoclan@gmail.com", "ngoclan@gmail.com.x"], "phones": ["0912 345 678x"]}),
                ),
            ),
            (
                "partial email",
                "GET",
                "/api/v1/customers?q=ngoclan@".to_string(),
                None,
            ),
            (
                "phone contains",
                "POST",
                "/api/v1/customers/query".to_string(),
                Some(
                    json!({"filter": {"rules": [{"field": "phone", "op": "contains", "value": "2345678"}]}}),
                ),
            ),
        ] {
            let (s, v) = app.call(Some(m), method, &path, body).await;
            assert!((400..500).contains(&s), "{b:?} {what}: {s} {v}");
            assert_clean(what, &v);
        }

        // Fragments of a phone or an address find nothing; the whole value finds the
        // customer, answers masked, and is written to the audit log.
        for q in ["2345678", "0912345", "345%20678", "ngoclan", "hoasen.vn"] {
            let v = expect(
                &app,
                m,
                "GET",
                &format!("/api/v1/customers?q={q}"),
                None,
                200,
            )
            .await;
            assert_eq!(v["total"], 0, "{b:?} q={q}: {v}");
        }
        let audit_before = lookups(&app).await;
        for q in ["0912%20345%20678", "%2B84912345678", "NgocLan%40Gmail.com"] {
            let v = expect(
                &app,
                m,
                "GET",
                &format!("/api/v1/customers?q={q}"),
                None,
                200,
            )
            .await;
            assert_eq!(v["total"], 1, "{b:?} q={q}: {v}");
            assert_clean("lookup", &v);
        }
        let v = expect(&app, m, "POST", "/api/v1/customers/query",
            Some(json!({"filter": {"rules": [{"field": "phone", "op": "eq", "value": "0988877766"}]}})), 200).await;
        assert_eq!(v["total"], 1, "{b:?}: {v}");
        assert_clean("filter lookup", &v);
        let log = lookups(&app).await;
        assert_eq!(
            log.len(),
            audit_before.len() + 4,
            "{b:?}: every whole-value look-up is audited: {log:?}"
        );
        assert_eq!(log[0]["actor"], "tele1");
        assert_clean("audit entry", &log[0]);

        // Unmasked roles still see everything.
        let v = expect(&app, a, "GET", "/api/v1/customers?q=2345678", None, 200).await;
        assert_eq!(v["total"], 1);
        assert!(v.to_string().contains("+84912345678"));
        let v = expect(&app, a, "GET", &contact, None, 200).await;
        assert_eq!(v["items"][0]["email"], "thuky.ho@hoasen.vn");
        app.stop().await;
    }
}

/// The `contact_lookup` entries of the audit log, newest first (as an admin sees them).
async fn lookups(app: &TestApp) -> Vec<Value> {
    let v = expect(
        app,
        &app.admin.key,
        "GET",
        "/api/v1/audit-log?entity=customer&limit=200",
        None,
        200,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "contact_lookup")
        .cloned()
        .collect()
}
