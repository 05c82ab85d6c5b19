//! The do-not-contact list, bulk actions, saved filters, column and tab
//! preferences, companies and sub-contacts.

use crate::customer_kit::{by_name, create, expect, ids, kinds, named, names};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

#[tokio::test]
async fn do_not_contact_and_bulk_actions() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let id = named(&app, k, "Không gọi").await;
        let c = expect(
            &app,
            k,
            "PUT",
            &format!("/api/v1/customers/{id}/do-not-contact"),
            Some(json!({"reason": "Khách phàn nàn"})),
            200,
        )
        .await;
        assert_eq!(c["do_not_contact"]["reason"], "Khách phàn nàn");
        let v = expect(&app, k, "POST", "/api/v1/customers/query", Some(json!({"filter": {"rules": [{"field": "do_not_contact", "op": "eq", "value": true}]}})), 200).await;
        assert_eq!(ids(&v), [id]);
        let c = expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{id}/do-not-contact"),
            None,
            200,
        )
        .await;
        assert!(c["do_not_contact"].is_null());
        let k2 = kinds(&app, id).await;
        assert_eq!(
            k2[..2],
            [
                "customer.do_not_contact_removed",
                "customer.do_not_contact_added"
            ]
        );

        let ids3: Vec<i64> = [
            named(&app, k, "Một").await,
            named(&app, k, "Hai").await,
            named(&app, k, "Ba").await,
        ]
        .into();
        let stage =
            expect(&app, k, "GET", "/api/v1/stages", None, 200).await["items"][2]["id"].clone();
        let bulk = |action: Value, with: Vec<i64>| {
            let app = &app;
            async move {
                expect(
                    app,
                    k,
                    "POST",
                    "/api/v1/customers/bulk",
                    Some(json!({"ids": with, "action": action})),
                    200,
                )
                .await
            }
        };
        let mut with_missing = ids3.clone();
        with_missing.extend([999_999, ids3[0]]);
        let r = bulk(
            json!({"type": "tag", "tags": ["Đợt 1", "Tết"]}),
            with_missing,
        )
        .await;
        assert_eq!(r["done"], 3, "{r}");
        assert_eq!(
            r["skipped"],
            json!([{"id": 999_999, "reason": "not_found"}])
        );
        let tags = expect(&app, k, "GET", "/api/v1/tags", None, 200).await;
        assert_eq!(by_name(&tags, "Tết")["customers"], 3);
        let tet = by_name(&tags, "Tết")["id"].clone();
        bulk(
            json!({"type": "untag", "tag_ids": [tet]}),
            ids3[..1].to_vec(),
        )
        .await;
        bulk(
            json!({"type": "set_stage", "stage_id": stage}),
            ids3.clone(),
        )
        .await;
        bulk(
            json!({"type": "do_not_contact", "reason": "Hết hạn"}),
            ids3[1..].to_vec(),
        )
        .await;
        let v = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers?stage_id={stage}"),
            None,
            200,
        )
        .await;
        assert_eq!(v["total"], 3);
        assert!(
            kinds(&app, ids3[0])
                .await
                .contains(&"customer.stage_changed".to_string())
        );
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{}", ids3[2]),
            None,
            200,
        )
        .await;
        assert_eq!(
            (
                c["tags"].as_array().unwrap().len(),
                c["do_not_contact"]["reason"].as_str()
            ),
            (2, Some("Hết hạn"))
        );
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{}", ids3[0]),
            None,
            200,
        )
        .await;
        assert_eq!(c["tags"].as_array().unwrap().len(), 1);
        // Refusals: an unknown stage, no ids, and delete without the permission.
        let sales = app.make_principal("sales1", "sales", None).await;
        let before = app.fingerprint().await;
        for (body, who) in [
            (
                json!({"ids": ids3, "action": {"type": "set_stage", "stage_id": 999_999}}),
                k.to_string(),
            ),
            (
                json!({"ids": [], "action": {"type": "delete"}}),
                k.to_string(),
            ),
            (
                json!({"ids": ids3, "action": {"type": "explode"}}),
                k.to_string(),
            ),
            (
                json!({"ids": ids3, "action": {"type": "delete"}}),
                sales.key.clone(),
            ),
        ] {
            let (s, v) = app
                .call(
                    Some(&who),
                    "POST",
                    "/api/v1/customers/bulk",
                    Some(body.clone()),
                )
                .await;
            assert!(s == 422 || s == 403, "{b:?} {body}: {s} {v}");
        }
        assert_eq!(app.fingerprint().await, before);
        let r = bulk(json!({"type": "delete"}), ids3.clone()).await;
        assert_eq!(r["done"], 3);
        let bin = expect(&app, k, "GET", "/api/v1/customers/bin", None, 200).await;
        assert_eq!(bin["total"], 3);
        app.stop().await;
    }
}

#[tokio::test]
async fn saved_filters_are_personal_or_shared() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let s1 = app.make_principal("sales1", "sales", None).await;
        let s2 = app.make_principal("sales2", "sales", None).await;
        named(&app, &s1.key, "Lan").await;
        named(&app, &s1.key, "Hùng").await;
        let def =
            json!({"op": "or", "rules": [{"field": "name", "op": "contains", "value": "lan"}]});
        let mine = expect(
            &app,
            &s1.key,
            "POST",
            "/api/v1/saved-filters",
            Some(json!({"name": "Tên Lan", "definition": def})),
            201,
        )
        .await;
        assert_eq!(
            (mine["shared"].as_bool(), mine["owner_id"].as_i64()),
            (Some(false), Some(s1.account_id))
        );
        let (s, _) = app
            .call(
                Some(&s1.key),
                "POST",
                "/api/v1/saved-filters",
                Some(json!({"name": "Cho mọi người", "shared": true, "definition": def})),
            )
            .await;
        assert_eq!(s, 403, "sharing needs customers.settings");
        let (s, v) = app.call(Some(&s1.key), "POST", "/api/v1/saved-filters", Some(json!({"name": "Sai", "definition": {"rules": [{"field": "nope", "op": "eq", "value": 1}]}}))).await;
        assert_eq!(
            (s, v["error"]["fields"]["definition.rules.0"].is_string()),
            (422, true),
            "{v}"
        );
        let shared = expect(
            &app,
            k,
            "POST",
            "/api/v1/saved-filters",
            Some(json!({"name": "Chung", "shared": true, "definition": {"rules": []}})),
            201,
        )
        .await;
        let list = |key: String| {
            let app = &app;
            async move { names(&expect(app, &key, "GET", "/api/v1/saved-filters", None, 200).await) }
        };
        let mut l1 = list(s1.key.clone()).await;
        l1.sort();
        assert_eq!(l1, ["Chung", "Tên Lan"]);
        assert_eq!(list(s2.key.clone()).await, ["Chung"]);
        let mine_path = format!("/api/v1/saved-filters/{}", mine["id"]);
        let before = app.fingerprint().await;
        for (m, body) in [
            ("GET", None),
            ("PATCH", Some(json!({"name": "Của tôi"}))),
            ("DELETE", None),
        ] {
            let (s, _) = app.call(Some(&s2.key), m, &mine_path, body).await;
            assert_eq!(
                s, 404,
                "{b:?}: another's personal filter does not exist for them ({m})"
            );
        }
        let (s, _) = app
            .call(
                Some(&s2.key),
                "PATCH",
                &format!("/api/v1/saved-filters/{}", shared["id"]),
                Some(json!({"name": "Của tôi"})),
            )
            .await;
        assert_eq!(
            s, 403,
            "a shared filter is edited by its owner or settings holders"
        );
        assert_eq!(app.fingerprint().await, before);
        // Using a filter: by id on the list.
        let v = expect(
            &app,
            &s1.key,
            "GET",
            &format!("/api/v1/customers?filter_id={}", mine["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(names(&v), ["Lan"]);
        let (s, v) = app
            .call(
                Some(&s2.key),
                "GET",
                &format!("/api/v1/customers?filter_id={}", mine["id"]),
                None,
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["filter_id"].is_string()),
            (422, true),
            "{v}"
        );
        let f = expect(&app, &s1.key, "PATCH", &mine_path, Some(json!({"name": "Lan (sửa)", "definition": {"rules": [{"field": "name", "op": "eq", "value": "hùng"}]}})), 200).await;
        assert_eq!(f["name"], "Lan (sửa)");
        let v = expect(
            &app,
            &s1.key,
            "GET",
            &format!("/api/v1/customers?filter_id={}", mine["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(names(&v), ["Hùng"]);
        expect(&app, &s1.key, "DELETE", &mine_path, None, 204).await;
        assert_eq!(list(s1.key.clone()).await, ["Chung"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn columns_and_tabs_are_per_person() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let s1 = app.make_principal("sales1", "sales", None).await;
        expect(
            &app,
            k,
            "POST",
            "/api/v1/custom-fields",
            Some(json!({"entity": "customer", "key": "hang", "label": "Hạng", "kind": "text"})),
            201,
        )
        .await;
        let d = expect(
            &app,
            &s1.key,
            "GET",
            "/api/v1/me/customer-columns",
            None,
            200,
        )
        .await;
        assert_eq!(d["columns"][0], "code");
        let v = expect(
            &app,
            &s1.key,
            "PUT",
            "/api/v1/me/customer-columns",
            Some(json!({"columns": ["name", "cf.hang", "phone", "name"]})),
            200,
        )
        .await;
        assert_eq!(v["columns"], json!(["name", "cf.hang", "phone"]));
        assert_eq!(
            expect(
                &app,
                &s1.key,
                "GET",
                "/api/v1/me/customer-columns",
                None,
                200
            )
            .await,
            v
        );
        assert_eq!(
            expect(&app, k, "GET", "/api/v1/me/customer-columns", None, 200).await,
            d,
            "another person keeps the default"
        );
        for bad in [
            json!({"columns": ["password_hash"]}),
            json!({"columns": ["cf.nope"]}),
            json!({"columns": []}),
        ] {
            let (s, _) = app
                .call(
                    Some(&s1.key),
                    "PUT",
                    "/api/v1/me/customer-columns",
                    Some(bad.clone()),
                )
                .await;
            assert_eq!(s, 422, "{bad}");
        }
        let t = expect(
            &app,
            &s1.key,
            "PUT",
            "/api/v1/me/customer-tabs",
            Some(json!({"tabs": ["history", "profile"]})),
            200,
        )
        .await;
        assert_eq!(t["tabs"], json!(["history", "profile"]));
        assert_eq!(
            expect(&app, &s1.key, "GET", "/api/v1/me/customer-tabs", None, 200).await,
            t
        );
        let (s, _) = app
            .call(
                Some(&s1.key),
                "PUT",
                "/api/v1/me/customer-tabs",
                Some(json!({"tabs": ["orders"]})),
            )
            .await;
        assert_eq!(s, 422);
        app.stop().await;
    }
}

#[tokio::test]
async fn companies_and_sub_contacts() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let co = expect(&app, k, "POST", "/api/v1/companies", Some(json!({"name": "Công ty Cổ phần Sao Mai", "tax_code": "0301234567", "phone": "028 3822 1111"})), 201).await;
        assert_eq!(co["phone"]["e164"], "+842838221111");
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                "/api/v1/companies",
                Some(json!({"name": "X", "phone": "12", "email": "x@"})),
            )
            .await;
        assert_eq!(s, 422);
        assert!(
            v["error"]["fields"]["phone"].is_string() && v["error"]["fields"]["email"].is_string(),
            "{v}"
        );
        let list = expect(&app, k, "GET", "/api/v1/companies?q=sao%20mai", None, 200).await;
        assert_eq!(names(&list), ["Công ty Cổ phần Sao Mai"]);
        let id = create(
            &app,
            k,
            json!({"name": "Nhân viên", "company_id": co["id"]}),
        )
        .await;
        assert_eq!(id["company_name"], "Công ty Cổ phần Sao Mai");
        let cid = id["id"].as_i64().unwrap();
        let c = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/companies/{}", co["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(c["customers"], 1);
        let (s, _) = app
            .call(
                Some(k),
                "DELETE",
                &format!("/api/v1/companies/{}", co["id"]),
                None,
            )
            .await;
        assert_eq!(s, 409, "a company with customers stays");
        let c = expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/companies/{}", co["id"]),
            Some(json!({"phone": null, "website": "https://saomai.vn"})),
            200,
        )
        .await;
        assert!(c["phone"].is_null());
        // Sub-contacts belong to their customer.
        let path = format!("/api/v1/customers/{cid}/contacts");
        let sc = expect(
            &app,
            k,
            "POST",
            &path,
            Some(json!({"name": "Chị Hoa", "relation": "kế toán", "phone": "0912 000 111"})),
            201,
        )
        .await;
        assert_eq!(sc["phone"]["e164"], "+84912000111");
        let sid = sc["id"].as_i64().unwrap();
        let other = named(&app, k, "Người khác").await;
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("/api/v1/customers/{other}/contacts/{sid}"),
                Some(json!({"name": "Lấy"})),
            )
            .await;
        assert_eq!(s, 404, "a sub-contact is reached through its own customer");
        let (s, _) = app
            .call(
                Some(k),
                "PATCH",
                &format!("{path}/abc"),
                Some(json!({"name": "Lấy"})),
            )
            .await;
        assert_eq!(s, 404);
        let sc = expect(
            &app,
            k,
            "PATCH",
            &format!("{path}/{sid}"),
            Some(json!({"email": "hoa@saomai.vn", "relation": null})),
            200,
        )
        .await;
        assert_eq!(
            (sc["email"].as_str(), sc["relation"].is_null()),
            (Some("hoa@saomai.vn"), true)
        );
        assert!(
            kinds(&app, cid)
                .await
                .contains(&"customer.contact_added".to_string())
        );
        expect(&app, k, "DELETE", &format!("{path}/{sid}"), None, 204).await;
        assert_eq!(
            expect(&app, k, "GET", &path, None, 200).await["items"],
            json!([])
        );
        // With its customer purged, the company can go.
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{cid}"),
            None,
            204,
        )
        .await;
        let (s, _) = app
            .call(
                Some(k),
                "DELETE",
                &format!("/api/v1/companies/{}", co["id"]),
                None,
            )
            .await;
        assert_eq!(s, 409, "customers in the bin still hold it");
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{cid}/purge"),
            None,
            204,
        )
        .await;
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/companies/{}", co["id"]),
            None,
            204,
        )
        .await;
        app.stop().await;
    }
}
