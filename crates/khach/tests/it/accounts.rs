//! Accounts through the API: create with validation, update, last-admin guard,
//! privilege guards, audit trail, paging.

use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn create_validates_every_field_and_reports_them_together() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = Some(app.admin.key.as_str());
        let (s, body) = app
            .call(k, "POST", "/api/v1/accounts", Some(json!({"username": "Nguyễn", "password": "short", "full_name": " ", "email": "not-an-email", "phone": "12ab", "role_id": 3})))
            .await;
        assert_eq!(s, 422, "{b:?} {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        for f in ["username", "password", "full_name", "email", "phone"] {
            assert!(
                body["error"]["fields"][f].is_string(),
                "{f} missing in {body}"
            );
        }
        let (s, body) = app
            .call(k, "POST", "/api/v1/accounts", Some(json!({"username": "lan.nguyen", "password": "mot-mat-khau", "full_name": "Nguyễn Thị Lan", "email": " Lan@Example.VN ", "phone": "0912 345 678", "role_id": 999})))
            .await;
        assert_eq!(s, 422);
        assert!(body["error"]["fields"]["role_id"].is_string(), "{body}");
        let (s, a) = app
            .call(k, "POST", "/api/v1/accounts", Some(json!({"username": "Lan.Nguyen", "password": "mot-mat-khau", "full_name": "Nguyễn Thị Lan", "email": " Lan@Example.VN ", "phone": "0912 345 678", "role_id": 3, "auto_assign": true})))
            .await;
        assert_eq!(s, 201, "{a}");
        assert_eq!(a["username"], "lan.nguyen");
        assert_eq!(a["email"], "lan@example.vn");
        assert_eq!(a["auto_assign"], true);
        assert_eq!(a["locale"], "vi");
        assert!(a.get("password_hash").is_none() && !a.to_string().contains("argon2"));
        // Same username or email again: a conflict naming the field.
        let (s, body) = app
            .call(k, "POST", "/api/v1/accounts", Some(json!({"username": "lan.nguyen", "password": "mot-mat-khau", "full_name": "X", "role_id": 3})))
            .await;
        assert_eq!(s, 409);
        assert!(body["error"]["fields"]["username"].is_string(), "{body}");
        let (s, body) = app
            .call(k, "POST", "/api/v1/accounts", Some(json!({"username": "lan2", "password": "mot-mat-khau", "full_name": "X", "email": "LAN@example.vn", "role_id": 3})))
            .await;
        assert_eq!(s, 409);
        assert!(body["error"]["fields"]["email"].is_string(), "{body}");
        // English for a caller who prefers it.
        let (_, body) = app
            .call(k, "PATCH", "/api/v1/me", Some(json!({"locale": "en"})))
            .await;
        assert_eq!(body["locale"], "en");
        let (_, body) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "x", "password": "mot-mat-khau", "full_name": "X", "role_id": 3}))).await;
        assert_eq!(body["error"]["fields"]["username"], "Too short.");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_last_admin_cannot_be_locked_out() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = Some(app.admin.key.as_str());
        let me = format!("/api/v1/accounts/{}", app.admin.account_id);
        let before = app.fingerprint().await;
        let (s, body) = app
            .call(k, "PATCH", &me, Some(json!({"active": false})))
            .await;
        assert_eq!(s, 409, "{b:?} {body}");
        assert_eq!(body["error"]["code"], "last_admin");
        let (s, _) = app.call(k, "PATCH", &me, Some(json!({"role_id": 3}))).await;
        assert_eq!(s, 409);
        let (s, body) = app
            .call(
                k,
                "PATCH",
                "/api/v1/roles/1",
                Some(json!({"permissions": {}})),
            )
            .await;
        assert_eq!(s, 422, "the Admin role cannot be narrowed: {body}");
        let (s, _) = app.call(k, "DELETE", "/api/v1/roles/1", None).await;
        assert_eq!(s, 409);
        assert_eq!(app.fingerprint().await, before);
        // With a second admin, the first may step down.
        let second = app.make_principal("admin.two", "admin", None).await;
        let (s, _) = app.call(k, "PATCH", &me, Some(json!({"role_id": 2}))).await;
        assert_eq!(s, 200);
        let (s, _) = app
            .call(
                Some(&second.key),
                "PATCH",
                &format!("/api/v1/accounts/{}", second.account_id),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(s, 409, "now admin.two is the last one");
        app.stop().await;
    }
}

#[tokio::test]
async fn only_admins_hand_out_the_admin_role() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        // A custom role that may manage accounts but is not Admin.
        let (s, role) = app
            .call(Some(&app.admin.key), "POST", "/api/v1/roles", Some(json!({"name": "Nhân sự", "scope": "all", "permissions": {"accounts": ["view", "create", "edit"], "departments": ["view"], "customers": ["view", "create", "edit", "import", "export"]}})))
            .await;
        assert_eq!(s, 201, "{role}");
        let hr = app.make_principal("nhan.su", "sales", None).await;
        let (s, _) = app
            .call(
                Some(&app.admin.key),
                "PATCH",
                &format!("/api/v1/accounts/{}", hr.account_id),
                Some(json!({"role_id": role["id"]})),
            )
            .await;
        assert_eq!(s, 200);
        let k = Some(hr.key.as_str());
        let before = app.fingerprint().await;
        let (s, _) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "sneaky", "password": "mot-mat-khau", "full_name": "S", "role_id": 1}))).await;
        assert_eq!(s, 403, "{b:?}");
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/accounts/{}", hr.account_id),
                Some(json!({"role_id": 1})),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/accounts/{}", app.admin.account_id),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(s, 403, "a non-admin cannot edit an admin");
        let (s, _) = app
            .call(
                k,
                "POST",
                &format!("/api/v1/accounts/{}/password", app.admin.account_id),
                Some(json!({"new_password": "taken-over-123"})),
            )
            .await;
        assert_eq!(s, 403);
        assert_eq!(app.fingerprint().await, before);
        let (s, _) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "staff.moi", "password": "mot-mat-khau", "full_name": "S", "role_id": 3}))).await;
        assert_eq!(s, 201);
        app.stop().await;
    }
}

#[tokio::test]
async fn lists_page_with_a_cursor() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        for i in 0..5 {
            app.make_principal(&format!("nv{i}"), "care", None).await;
        }
        let k = Some(app.admin.key.as_str());
        let mut seen = Vec::new();
        let mut path = "/api/v1/accounts?limit=2".to_string();
        loop {
            let (s, page) = app.call(k, "GET", &path, None).await;
            assert_eq!(s, 200, "{page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|a| a["id"].as_i64().unwrap()));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/accounts?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 6, "{b:?}: admin + 5");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen, "ascending, no repeats");
        app.stop().await;
    }
}
