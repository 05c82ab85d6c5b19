//! Ownership seen through the pages: a viewer's customer page has no edit controls
//! and its forms are refused; the sharing settings need the settings permission;
//! the create form offers "next in turn" once automatic assignment is on.

use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn viewers_get_no_edit_controls_and_settings_pages_follow_permissions() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let owner = app.make_principal("chu.so.huu", "sales", None).await;
        let viewer = app.make_principal("nguoi.xem", "care", None).await;
        let manager = app.make_principal("quan.ly", "manager", None).await;
        let (st, c) = app
            .call(Some(&app.admin.key), "POST", "/api/v1/customers",
                Some(json!({"name": "Phạm Minh Châu", "owner_id": owner.account_id, "viewers": [viewer.account_id]})))
            .await;
        assert_eq!(st, 201, "{c}");
        let id = c["id"].as_i64().unwrap();

        let client = app.login("nguoi.xem", &viewer.password).await;
        let (st, html) = app.page(&client, &format!("/customers/{id}")).await;
        assert_eq!(st, 200, "{b:?}");
        assert!(
            html.contains("Phạm Minh Châu") && html.contains("Nguyễn Văn chu.so.huu"),
            "{b:?}"
        );
        assert!(
            !html.contains("data-edit=") && !html.contains("owner-form"),
            "{b:?}: edit controls for a viewer"
        );
        let before = app.fingerprint().await;
        let r = app
            .post_form(
                &client,
                &format!("/customers/{id}/field"),
                &[("field", "name"), ("value", "Đổi")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 403, "{b:?}");
        assert_eq!(app.fingerprint().await, before, "{b:?}");

        let owner_client = app.login("chu.so.huu", &owner.password).await;
        let (_, html) = app.page(&owner_client, &format!("/customers/{id}")).await;
        assert!(
            html.contains("data-edit=") && !html.contains("owner-form"),
            "{b:?}: owner edits, cannot assign"
        );

        // Sharing rules are settings: the admin manages them, a manager may not.
        let mgr = app.login("quan.ly", &manager.password).await;
        let (st, _) = app.page(&mgr, "/settings/sharing").await;
        assert_eq!(st, 403, "{b:?}");
        let adm = app.login("admin", &app.admin.password).await;
        let (st, html) = app.page(&adm, "/settings/sharing").await;
        assert_eq!((st, html.contains("sharing-form")), (200, true), "{b:?}");

        // "Next in turn" appears on the create form once automatic assignment is on.
        let (_, html) = app.page(&adm, "/customers/new").await;
        assert!(!html.contains("value=\"auto\""), "{b:?}");
        let r = app
            .post_form(
                &adm,
                "/settings/customers",
                &[
                    ("source_rule", "first"),
                    ("bin_retention_days", "90"),
                    ("auto_assign", "1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{b:?}");
        let (_, html) = app.page(&adm, "/customers/new").await;
        assert!(html.contains("value=\"auto\""), "{b:?}");
        let (_, html) = app.page(&adm, "/settings/customers").await;
        assert!(
            html.contains("id=\"auto-assign\" checked") || html.contains("auto-assign\" checked"),
            "{b:?}"
        );
        app.stop().await;
    }
}
