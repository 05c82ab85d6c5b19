//! Every settings page renders for those who may see it, refuses those who may not,
//! escapes what people typed, and switches language per person.

use khach_testkit::{TestApp, backends};

const PAGES: [&str; 7] = [
    "/settings/accounts",
    "/settings/departments",
    "/settings/roles",
    "/settings/api-keys",
    "/settings/audit-log",
    "/settings/general",
    "/profile",
];

#[tokio::test]
async fn pages_follow_permissions_and_language() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let admin = app.login("admin", &app.admin.password).await;
        for p in PAGES.iter().chain(
            [
                "/settings/accounts/new",
                "/settings/roles/new",
                "/settings/roles/3",
                &format!("/settings/accounts/{}", app.admin.account_id),
            ]
            .iter(),
        ) {
            let r = admin.get(app.url(p)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{b:?} admin {p}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains("<html lang=\"vi\">") && html.contains("Đăng xuất"),
                "{p}"
            );
        }
        let sales = app.make_principal("ban.hang", "sales", None).await;
        let s = app.login("ban.hang", &sales.password).await;
        for (p, want) in [
            ("/settings/accounts", 200),
            ("/settings/departments", 200),
            ("/settings/roles", 403),
            ("/settings/api-keys", 403),
            ("/settings/audit-log", 403),
            ("/settings/general", 403),
            ("/settings/accounts/new", 403),
            ("/profile", 200),
        ] {
            let r = s.get(app.url(p)).send().await.unwrap();
            assert_eq!(r.status(), want, "{b:?} sales {p}");
        }
        let html = app.page(&s, "/settings/accounts").await.1;
        assert!(
            !html.contains("/settings/accounts/new"),
            "no 'add' button without the permission"
        );
        assert!(
            !html.contains("href=\"/settings/roles\""),
            "no navigation to what one may not open"
        );
        // A manager may look at a role but not save it: the form is read-only.
        let mgr = app.make_principal("quan.ly", "manager", None).await;
        let m = app.login("quan.ly", &mgr.password).await;
        let html = app.page(&m, "/settings/roles/3").await.1;
        assert!(
            html.contains("role-form") && !html.contains("class=\"primary\">Lưu"),
            "{b:?}"
        );
        // A NUL byte typed into a page form gets a page back, not JSON.
        let r = admin
            .post(app.url("/settings/departments"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=a%00b")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("<html"));
        // HR-like people cannot open the edit form of someone stronger.
        let r = m
            .get(app.url(&format!("/settings/accounts/{}", app.admin.account_id)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}");
        // A form post without permission changes nothing.
        let before = app.fingerprint().await;
        let r = app
            .post_form(&s, "/settings/departments", &[("name", "Không được")])
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(app.fingerprint().await, before);

        // What people type is shown as text, never run.
        let r = app
            .post_form(
                &admin,
                "/settings/departments",
                &[("name", "<script>alert(1)</script>")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let html = app.page(&admin, "/settings/departments").await.1;
        let escaped =
            html.contains("&lt;script&gt;alert(1)") || html.contains("&#60;script&#62;alert(1)");
        assert!(escaped && !html.contains("<script>alert(1)"), "{b:?}");

        // A bad form answers 422 with the field's message in place.
        let r = app
            .post_form(&admin, "/settings/departments", &[("name", "  ")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Cần từ 1 đến 200 ký tự"));

        // English is a per-person choice.
        let r = app
            .post_form(
                &s,
                "/profile/locale",
                &[("locale", "en"), ("next", "/profile")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/profile");
        let html = app.page(&s, "/profile").await.1;
        assert!(html.contains("<html lang=\"en\">") && html.contains("My profile"));
        let html = app.page(&admin, "/profile").await.1;
        assert!(html.contains("Hồ sơ của tôi"), "the admin keeps Vietnamese");
        // Redirects after login never leave the site.
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[
                ("username", "admin"),
                ("password", app.admin.password.as_str()),
                ("next", "//evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/");
        // Unknown pages: a 404 page in the business language.
        let r = admin.get(app.url("/no-such-page")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("Không tìm thấy"));
        app.stop().await;
    }
}

#[tokio::test]
async fn api_key_page_shows_the_secret_once_and_revokes() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let admin = app.login("admin", &app.admin.password).await;
        let r = app
            .post_form(
                &admin,
                "/settings/api-keys",
                &[
                    ("name", "Website"),
                    ("narrow", "on"),
                    ("perm", "accounts.view"),
                    ("perm", "departments.view"),
                ],
            )
            .await;
        assert_eq!(r.status(), 201, "{b:?}");
        let html = r.text().await.unwrap();
        let start = html.find("khk_").unwrap();
        let secret: String = html[start..].chars().take(68).collect();
        assert_eq!(
            app.call(Some(&secret), "GET", "/api/v1/departments", None)
                .await
                .0,
            200
        );
        assert_eq!(
            app.call(Some(&secret), "GET", "/api/v1/roles", None)
                .await
                .0,
            403
        );
        let list = app.page(&admin, "/settings/api-keys").await.1;
        assert!(!list.contains(&secret), "shown once");
        let (_, keys) = app
            .call(Some(&app.admin.key), "GET", "/api/v1/api-keys", None)
            .await;
        let id = keys["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "Website")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = admin
            .post(app.url(&format!("/settings/api-keys/{id}/revoke")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            app.call(Some(&secret), "GET", "/api/v1/departments", None)
                .await
                .0,
            401
        );
        app.stop().await;
    }
}
