//! The recycle bin (delete, restore, conflicts on restore, purge by admins) and the
//! data scope (own, department, all) across reads and writes.

use crate::customer_kit::{create, expect, ids, named};
use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn recycle_bin_restore_and_purge() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let manager = app.make_principal("manager1", "manager", None).await;
        let sales = app.make_principal("sales1", "sales", None).await;
        let c = create(&app, k, json!({"name": "Sẽ xoá", "code": "BIN-1", "phones": ["0905111222"], "emails": ["bin@x.vn"]})).await;
        let id = c["id"].as_i64().unwrap();
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{id}"),
            None,
            204,
        )
        .await;
        let live = expect(&app, k, "GET", "/api/v1/customers", None, 200).await;
        assert!(!ids(&live).contains(&id));
        let bin = expect(&app, k, "GET", "/api/v1/customers/bin", None, 200).await;
        assert_eq!(ids(&bin), [id]);
        assert!(bin["items"][0]["deleted_at"].is_string());
        let (s, _) = app
            .call(Some(&sales.key), "GET", "/api/v1/customers/bin", None)
            .await;
        assert_eq!(s, 403, "the bin needs the delete permission");
        // Its code and phone are free for a new customer meanwhile...
        let other = create(
            &app,
            k,
            json!({"name": "Người mới", "code": "bin-1", "phones": ["+84905111222"]}),
        )
        .await;
        let other = other["id"].as_i64().unwrap();
        // ...so restoring would make two live owners: refused, nothing changes.
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                &format!("/api/v1/customers/{id}/restore"),
                None,
            )
            .await;
        assert_eq!(s, 409, "{b:?}: {v}");
        assert!(v["error"]["fields"]["code"].is_string(), "{v}");
        assert_eq!(
            app.fingerprint().await,
            before,
            "{b:?}: a refused restore changes nothing"
        );
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{other}"),
            Some(json!({"code": "NEW-1"})),
            200,
        )
        .await;
        let before = app.fingerprint().await;
        let (s, v) = app
            .call(
                Some(k),
                "POST",
                &format!("/api/v1/customers/{id}/restore"),
                None,
            )
            .await;
        assert_eq!(
            (s, v["error"]["fields"]["phones"].is_string()),
            (409, true),
            "{b:?}: {v}"
        );
        assert_eq!(app.fingerprint().await, before);
        expect(
            &app,
            k,
            "PATCH",
            &format!("/api/v1/customers/{other}"),
            Some(json!({"phones": []})),
            200,
        )
        .await;
        let (s, _) = app
            .call(
                Some(&sales.key),
                "POST",
                &format!("/api/v1/customers/{id}/restore"),
                None,
            )
            .await;
        assert_eq!(s, 403, "restoring needs the delete permission");
        let back = expect(
            &app,
            k,
            "POST",
            &format!("/api/v1/customers/{id}/restore"),
            None,
            200,
        )
        .await;
        assert!(back["deleted_at"].is_null());
        assert_eq!(back["phones"][0]["e164"], "+84905111222");
        let events = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers/{id}/events"),
            None,
            200,
        )
        .await;
        let kinds: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["customer.restored", "customer.deleted", "customer.created"]
        );
        // Purge: only from the bin, only administrators.
        let (s, _) = app
            .call(
                Some(k),
                "DELETE",
                &format!("/api/v1/customers/{id}/purge"),
                None,
            )
            .await;
        assert_eq!(s, 404, "a live customer is not purged");
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{id}"),
            None,
            204,
        )
        .await;
        let before = app.fingerprint().await;
        let (s, _) = app
            .call(
                Some(&manager.key),
                "DELETE",
                &format!("/api/v1/customers/{id}/purge"),
                None,
            )
            .await;
        assert_eq!(s, 403);
        assert_eq!(app.fingerprint().await, before);
        expect(
            &app,
            k,
            "DELETE",
            &format!("/api/v1/customers/{id}/purge"),
            None,
            204,
        )
        .await;
        let (s, _) = app
            .call(Some(k), "GET", &format!("/api/v1/customers/{id}"), None)
            .await;
        assert_eq!(s, 404);
        let bin = expect(&app, k, "GET", "/api/v1/customers/bin", None, 200).await;
        assert_eq!(bin["total"], 0);
        app.stop().await;
    }
}

#[tokio::test]
async fn data_scope_limits_what_each_role_sees() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let dept = app.make_department("Kinh doanh").await;
        let s1 = app.make_principal("sales1", "sales", Some(dept)).await;
        let s2 = app.make_principal("sales2", "sales", None).await;
        let mgr = app.make_principal("manager1", "manager", Some(dept)).await;
        let mine = create(
            &app,
            &s1.key,
            json!({"name": "Của Sales 1", "phones": ["0977000111"]}),
        )
        .await;
        let mine = mine["id"].as_i64().unwrap();
        let theirs = named(&app, &s2.key, "Của Sales 2").await;
        let admins = named(&app, &app.admin.key, "Của Admin").await;
        let list = |key: String| {
            let app = &app;
            async move {
                let v = expect(app, &key, "GET", "/api/v1/customers", None, 200).await;
                let q = expect(
                    app,
                    &key,
                    "POST",
                    "/api/v1/customers/query",
                    Some(json!({"q": "cua"})),
                    200,
                )
                .await;
                assert_eq!(ids(&v), ids(&q));
                assert_eq!(v["total"], q["total"]);
                let mut v = ids(&v);
                v.sort();
                v
            }
        };
        assert_eq!(list(s1.key.clone()).await, [mine]);
        assert_eq!(list(s2.key.clone()).await, [theirs]);
        assert_eq!(
            list(mgr.key.clone()).await,
            [mine],
            "{b:?}: the manager sees the department"
        );
        assert_eq!(list(app.admin.key.clone()).await, [mine, theirs, admins]);
        // Outside the scope is "not found", for reads and writes alike, and a phone
        // search does not reach across either.
        let before = app.fingerprint().await;
        for (m, path, body) in [
            ("GET", format!("/api/v1/customers/{theirs}"), None),
            (
                "PATCH",
                format!("/api/v1/customers/{theirs}"),
                Some(json!({"name": "Chiếm"})),
            ),
            ("GET", format!("/api/v1/customers/{theirs}/events"), None),
            ("GET", format!("/api/v1/customers/{theirs}/contacts"), None),
            (
                "PUT",
                format!("/api/v1/customers/{theirs}/do-not-contact"),
                Some(json!({})),
            ),
            (
                "POST",
                format!("/api/v1/customers/{theirs}/contacts"),
                Some(json!({"name": "Vợ"})),
            ),
        ] {
            let (s, v) = app.call(Some(&s1.key), m, &path, body).await;
            assert_eq!(s, 404, "{b:?} {m} {path}: {v}");
        }
        let v = expect(
            &app,
            &s2.key,
            "GET",
            "/api/v1/customers?q=0977000111",
            None,
            200,
        )
        .await;
        assert_eq!(v["total"], 0);
        let v = expect(
            &app,
            &s2.key,
            "POST",
            "/api/v1/customers/bulk",
            Some(json!({"ids": [mine, theirs], "action": {"type": "tag", "tags": ["Lấn sân"]}})),
            200,
        )
        .await;
        assert_eq!(v["done"], 1);
        assert_eq!(v["skipped"], json!([{"id": mine, "reason": "not_found"}]));
        assert_ne!(
            app.fingerprint().await,
            before,
            "the own customer was tagged"
        );
        let c = expect(
            &app,
            &s1.key,
            "GET",
            &format!("/api/v1/customers/{mine}"),
            None,
            200,
        )
        .await;
        assert_eq!(
            c["tags"],
            json!([]),
            "{b:?}: nothing reached the other's customer"
        );
        assert_eq!(c["owner_id"], s1.account_id);
        app.stop().await;
    }
}
