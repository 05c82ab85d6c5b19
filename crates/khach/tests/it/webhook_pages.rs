//! The webhook settings pages: create (secret shown once, a forbidden target named
//! on the form), the delivery log with response times, "send test", and switching
//! off; a role without the settings permission does not get in.

use crate::webhook_kit::Receiver;
use khach_testkit::{TestApp, backends};

#[tokio::test]
async fn an_admin_creates_tests_and_reads_the_log_of_a_webhook_from_the_pages() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let rx = Receiver::start().await;
        let client = app.login(&app.admin.name, &app.admin.password).await;
        let (st, html) = app.page(&client, "/settings/webhooks").await;
        assert_eq!(st, 200);
        assert!(html.contains("webhook-form") && html.contains("no-webhooks"));

        // A loopback target is refused on the form while private targets are off.
        let url = format!("{}/hook", rx.base);
        let form = [
            ("name", "Kho dữ liệu"),
            ("url", url.as_str()),
            ("kind", "customer.created"),
        ];
        let r = app.post_form(&client, "/settings/webhooks", &form).await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("field-error") && html.contains("Kho dữ liệu"));

        let r = app
            .post_form(
                &client,
                "/settings/webhooks/settings",
                &[("allow_private", "1")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&client, "/settings/webhooks", &form).await;
        assert_eq!(r.status(), 201);
        let html = r.text().await.unwrap();
        assert!(html.contains("new-secret") && html.contains("whsec_"));
        // Shown once: the list does not show it again.
        let (_, html) = app.page(&client, "/settings/webhooks").await;
        assert!(!html.contains("whsec_"));

        let (_, list) = app
            .call(Some(&app.admin.key), "GET", "/api/v1/webhooks", None)
            .await;
        let id = list["items"][0]["id"].as_i64().unwrap();
        let r = app
            .post_form(&client, &format!("/settings/webhooks/{id}/test"), &[])
            .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("webhook-test-result"), "{b:?}");
        assert!(html.contains("HTTP 200"));
        assert_eq!(rx.got().len(), 1);
        assert!(html.contains("deliveries-table") && html.contains("webhook.test"));
        assert!(html.contains(" ms"));

        // Switched off from its page (the form without "active").
        let r = app
            .post_form(
                &client,
                &format!("/settings/webhooks/{id}"),
                &[
                    ("name", "Kho dữ liệu"),
                    ("url", url.as_str()),
                    ("kind", "customer.created"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = app.page(&client, &format!("/settings/webhooks/{id}")).await;
        assert!(html.contains("webhook-off"));

        let sales = app.make_principal("ban.hang", "sales", None).await;
        let other = app.login("ban.hang", &sales.password).await;
        let (st, _) = app.page(&other, "/settings/webhooks").await;
        assert_eq!(st, 403);
        let r = app.post_form(&other, "/settings/webhooks", &form).await;
        assert_eq!(r.status(), 403);
        app.stop().await;
    }
}
