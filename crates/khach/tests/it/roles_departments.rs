//! Roles and departments: rules that keep data consistent, and the audit trail.

use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn roles_are_matrices_with_a_scope_and_their_changes_are_audited() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = Some(app.admin.key.as_str());
        let (_, roles) = app.call(k, "GET", "/api/v1/roles", None).await;
        let builtins: Vec<_> = roles["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["builtin"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(builtins, ["admin", "manager", "sales", "care"], "{b:?}");
        let (s, r) = app
            .call(k, "POST", "/api/v1/roles", Some(json!({"name": "Telesale", "scope": "own", "permissions": {"customers": ["view", "create", "no_such_action"]}})))
            .await;
        assert_eq!(s, 422, "unknown actions are refused, not ignored: {r}");
        let (s, r) = app
            .call(k, "POST", "/api/v1/roles", Some(json!({"name": "Telesale", "scope": "own", "permissions": {"customers": ["view", "create"], "audit_log": ["view"]}})))
            .await;
        assert_eq!(s, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        let (s, _) = app
            .call(
                k,
                "POST",
                "/api/v1/roles",
                Some(json!({"name": "Telesale", "scope": "own"})),
            )
            .await;
        assert_eq!(s, 409);
        let (s, r2) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/roles/{id}"),
                Some(json!({"scope": "department"})),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(r2["scope"], "department");
        let (_, log) = app
            .call(
                k,
                "GET",
                &format!("/api/v1/audit-log?entity=role&entity_id={id}"),
                None,
            )
            .await;
        let items = log["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{log}");
        assert_eq!(items[0]["action"], "update");
        assert_eq!(
            items[0]["changes"]["scope"],
            json!({"old": "own", "new": "department"})
        );
        // In use → cannot delete; free → deleted.
        let p = app.make_principal("tele1", "sales", None).await;
        app.call(
            k,
            "PATCH",
            &format!("/api/v1/accounts/{}", p.account_id),
            Some(json!({"role_id": id})),
        )
        .await;
        let (s, body) = app
            .call(k, "DELETE", &format!("/api/v1/roles/{id}"), None)
            .await;
        assert_eq!(s, 409, "{body}");
        assert_eq!(body["error"]["code"], "in_use");
        app.call(
            k,
            "PATCH",
            &format!("/api/v1/accounts/{}", p.account_id),
            Some(json!({"role_id": 3})),
        )
        .await;
        assert_eq!(
            app.call(k, "DELETE", &format!("/api/v1/roles/{id}"), None)
                .await
                .0,
            204
        );
        assert_eq!(
            app.call(k, "GET", &format!("/api/v1/roles/{id}"), None)
                .await
                .0,
            404
        );
        // The new role's grants take effect for its holders at once.
        app.stop().await;
    }
}

#[tokio::test]
async fn departments_form_a_tree_without_cycles() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = Some(app.admin.key.as_str());
        let (_, hq) = app
            .call(
                k,
                "POST",
                "/api/v1/departments",
                Some(json!({"name": "Kinh doanh"})),
            )
            .await;
        let hq = hq["id"].as_i64().unwrap();
        let (s, south) = app
            .call(
                k,
                "POST",
                "/api/v1/departments",
                Some(json!({"name": "Kinh doanh miền Nam", "parent_id": hq})),
            )
            .await;
        assert_eq!(s, 201);
        let south = south["id"].as_i64().unwrap();
        let (s, body) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/departments/{hq}"),
                Some(json!({"parent_id": south})),
            )
            .await;
        assert_eq!(s, 422, "{b:?} {body}");
        assert!(body["error"]["fields"]["parent_id"].is_string());
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/departments/{hq}"),
                Some(json!({"parent_id": hq})),
            )
            .await;
        assert_eq!(s, 422);
        let (s, _) = app
            .call(
                k,
                "POST",
                "/api/v1/departments",
                Some(json!({"name": "Mồ côi", "parent_id": 9999})),
            )
            .await;
        assert_eq!(s, 422);
        let (s, _) = app
            .call(k, "DELETE", &format!("/api/v1/departments/{hq}"), None)
            .await;
        assert_eq!(s, 409, "has a child");
        let p = app.make_principal("nam1", "sales", Some(south)).await;
        assert_eq!(
            app.call(k, "DELETE", &format!("/api/v1/departments/{south}"), None)
                .await
                .0,
            409,
            "has an account"
        );
        app.call(
            k,
            "PATCH",
            &format!("/api/v1/accounts/{}", p.account_id),
            Some(json!({"department_id": null})),
        )
        .await;
        assert_eq!(
            app.call(k, "DELETE", &format!("/api/v1/departments/{south}"), None)
                .await
                .0,
            204
        );
        let (s, moved) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/departments/{hq}"),
                Some(json!({"name": "Kinh doanh toàn quốc"})),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(moved["name"], "Kinh doanh toàn quốc");
        app.stop().await;
    }
}

#[tokio::test]
async fn settings_are_read_and_changed_with_an_audit_entry() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = Some(app.admin.key.as_str());
        let (s, st) = app.call(k, "GET", "/api/v1/settings", None).await;
        assert_eq!(s, 200);
        assert_eq!(st["default_locale"], "vi");
        let (s, st) = app
            .call(
                k,
                "PATCH",
                "/api/v1/settings",
                Some(json!({"company_name": "Cửa hàng Hoa Mai", "default_locale": "en"})),
            )
            .await;
        assert_eq!(s, 200, "{b:?} {st}");
        let (s, body) = app
            .call(
                k,
                "PATCH",
                "/api/v1/settings",
                Some(json!({"company_name": ""})),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        let (_, st) = app.call(k, "GET", "/api/v1/settings", None).await;
        assert_eq!(st["company_name"], "Cửa hàng Hoa Mai");
        // New accounts take the default language.
        let (_, a) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "eng", "password": "mot-mat-khau", "full_name": "E", "role_id": 4}))).await;
        assert_eq!(a["locale"], "en");
        let (_, log) = app
            .call(k, "GET", "/api/v1/audit-log?entity=settings", None)
            .await;
        assert_eq!(
            log["items"][0]["changes"]["company_name"]["new"],
            "Cửa hàng Hoa Mai"
        );
        app.stop().await;
    }
}
