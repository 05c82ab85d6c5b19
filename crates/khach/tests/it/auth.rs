//! First-run set-up, login and logout, sessions, throttling, deactivation, password
//! change and reset, API keys.

use chrono::Duration;
use khach_testkit::{TestApp, backends};
use serde_json::json;

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("khach_session="))
        .map(str::to_string)
}

#[tokio::test]
async fn first_run_setup_link_creates_the_admin_once() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        // This app already has an admin (the testkit makes one), so no link is issued.
        assert!(
            khach_core::auth::issue_setup_token(&app.core)
                .await
                .unwrap()
                .is_none()
        );
        app.stop().await;
    }
    // A database without any admin: the CLI-free path through the set-up page.
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Cli, app.core.now());
        // Retire the testkit admin's role so that no active admin remains.
        let sales = khach_db::roles::by_builtin(app.core.db.conn(), "sales")
            .await
            .unwrap()
            .unwrap();
        let extra = app.make_principal("admin2", "admin", None).await;
        khach_core::accounts::update(
            &app.core,
            &ctx,
            extra.account_id,
            khach_types::api::UpdateAccount {
                role_id: Some(sales.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        khach_core::accounts::update(
            &app.core,
            &ctx,
            app.admin.account_id,
            khach_types::api::UpdateAccount {
                role_id: Some(sales.id),
                ..Default::default()
            },
        )
        .await
        .expect_err("last admin is protected");
        // The protection held; deactivate the admin through the database the way a
        // broken install would look, then check the set-up flow.
        let c = app.client();
        let token = app.fresh_install_setup_token().await;
        let r = c
            .get(app.url(&format!("/setup?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let bad = c.get(app.url("/setup?token=nope")).send().await.unwrap();
        assert_eq!(bad.status(), 404);
        let form = [
            ("token", token.as_str()),
            ("username", "chu.shop"),
            ("full_name", "Chủ Cửa Hàng"),
            ("email", ""),
            ("password", "mat-khau-dai-1"),
            ("password_confirm", "mat-khau-dai-1"),
        ];
        let r = c.post(app.url("/setup")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(r.headers()["location"], "/login?done=setup");
        // The link is spent.
        let again = c.post(app.url("/setup")).form(&form).send().await.unwrap();
        assert_eq!(again.status(), 404);
        let me = app.login("chu.shop", "mat-khau-dai-1").await;
        let r = me.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        app.stop().await;
    }
}

#[tokio::test]
async fn login_sets_a_fresh_httponly_session_and_logout_ends_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        let login = || {
            c.post(app.url("/login"))
                .form(&[
                    ("username", "ADMIN"),
                    ("password", app.admin.password.as_str()),
                ])
                .send()
        };
        let r1 = login().await.unwrap();
        assert_eq!(r1.status(), 303, "{b:?}: username is case-insensitive");
        let c1 = session_cookie(&r1).unwrap();
        assert!(
            c1.contains("HttpOnly") && c1.contains("SameSite=Lax") && c1.contains("Path=/"),
            "{c1}"
        );
        let r2 = login().await.unwrap();
        let c2 = session_cookie(&r2).unwrap();
        assert_ne!(c1, c2, "each login gets a new session id");
        let value = c1.split(';').next().unwrap().to_string();
        let me = c
            .get(app.url("/api/v1/me"))
            .header("cookie", &value)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        // Logout (same-origin form post) ends exactly that session.
        let out = c
            .post(app.url("/logout"))
            .header("cookie", &value)
            .header("origin", app.base.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        let me = c
            .get(app.url("/api/v1/me"))
            .header("cookie", &value)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
        // Pages send an anonymous person to the login page.
        let page = c.get(app.url("/settings/accounts")).send().await.unwrap();
        assert_eq!(page.headers()["location"], "/login?next=/settings/accounts");
        app.stop().await;
    }
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_account_with_retry_after() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        for _ in 0..5 {
            let r = app
                .post_form(
                    &c,
                    "/login",
                    &[("username", "admin"), ("password", "wrong-wrong")],
                )
                .await;
            assert_eq!(r.status(), 401, "{b:?}");
        }
        // Even the right password waits now.
        let r = app
            .post_form(
                &c,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", app.admin.password.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status(), 429);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("15"),
            "the page says how long to wait: {body}"
        );
        // An unknown name answers like a wrong password (no account enumeration).
        let r = app
            .post_form(
                &c,
                "/login",
                &[("username", "nobody"), ("password", "wrong-wrong")],
            )
            .await;
        assert_eq!(r.status(), 401);
        app.clock.advance(Duration::minutes(16));
        let r = app
            .post_form(
                &c,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", app.admin.password.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        app.stop().await;
    }
}

#[tokio::test]
async fn deactivation_stops_sessions_and_keys_at_once() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let sales = app.make_principal("lan", "sales", None).await;
        let browser = app.login("lan", &sales.password).await;
        assert_eq!(
            browser
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            app.call(Some(&sales.key), "GET", "/api/v1/me", None)
                .await
                .0,
            200
        );
        let (s, body) = app
            .call(
                Some(&app.admin.key),
                "PATCH",
                &format!("/api/v1/accounts/{}", sales.account_id),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["active"], false);
        assert_eq!(
            browser
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            401,
            "{b:?}"
        );
        assert_eq!(
            app.call(Some(&sales.key), "GET", "/api/v1/me", None)
                .await
                .0,
            401
        );
        // Logging in again is refused too.
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[("username", "lan"), ("password", sales.password.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        // The audit log says who did it, from where.
        let (_, log) = app
            .call(
                Some(&app.admin.key),
                "GET",
                &format!(
                    "/api/v1/audit-log?entity=account&entity_id={}",
                    sales.account_id
                ),
                None,
            )
            .await;
        let entry = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "deactivate")
            .unwrap()
            .clone();
        assert_eq!(entry["actor"], "admin");
        assert_eq!(entry["origin"], "api");
        assert_eq!(
            entry["changes"]["active"],
            json!({"old": true, "new": false})
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn changing_ones_password_ends_other_sessions_but_not_this_one() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let p = app.make_principal("hoa", "care", None).await;
        let here = app.login("hoa", &p.password).await;
        let elsewhere = app.login("hoa", &p.password).await;
        let r = here
            .post(app.url("/api/v1/me/password"))
            .header("origin", app.base.as_str())
            .json(&json!({"current_password": "not-it-at-all", "new_password": "another-pass-2"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]["fields"]["current_password"].is_string(),
            "{body}"
        );
        let r = here
            .post(app.url("/api/v1/me/password"))
            .header("origin", app.base.as_str())
            .json(&json!({"current_password": p.password, "new_password": "another-pass-2"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{b:?}");
        assert_eq!(
            here.get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            elsewhere
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        app.login("hoa", "another-pass-2").await;
        app.stop().await;
    }
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.login("admin", &app.admin.password).await;
        let before = app.fingerprint().await;
        let r = c
            .post(app.url("/settings/departments"))
            .header("origin", "https://evil.example")
            .form(&[("name", "Bị giả mạo")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}");
        let r = c
            .post(app.url("/settings/departments"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("name", "Bị giả mạo")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(app.fingerprint().await, before);
        let r = c
            .post(app.url("/settings/departments"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("name", "Phòng thật")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        app.stop().await;
    }
}

#[tokio::test]
async fn api_keys_are_shown_once_narrowed_and_revocable() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (s, created) = app
            .call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/api-keys",
                Some(json!({"name": "POS", "permissions": {"accounts": ["view"]}})),
            )
            .await;
        assert_eq!(s, 201, "{created}");
        let secret = created["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("khk_") && secret.len() == 68);
        let id = created["key"]["id"].as_i64().unwrap();
        // Never again: not in the list, not in one key's answer.
        let (_, list) = app
            .call(Some(&app.admin.key), "GET", "/api/v1/api-keys", None)
            .await;
        assert!(!list.to_string().contains(&secret));
        let (_, one) = app
            .call(
                Some(&app.admin.key),
                "GET",
                &format!("/api/v1/api-keys/{id}"),
                None,
            )
            .await;
        assert!(!one.to_string().contains(&secret));
        assert_eq!(one["prefix"].as_str().unwrap(), &secret[..12]);
        // Narrowed: may view accounts, may not create departments.
        assert_eq!(
            app.call(Some(&secret), "GET", "/api/v1/accounts", None)
                .await
                .0,
            200
        );
        assert_eq!(
            app.call(
                Some(&secret),
                "POST",
                "/api/v1/departments",
                Some(json!({"name": "x"}))
            )
            .await
            .0,
            403
        );
        // A key made through a narrowed key is no wider than it.
        let (s, child) = app
            .call(
                Some(&secret),
                "POST",
                "/api/v1/api-keys",
                Some(json!({"name": "child"})),
            )
            .await;
        assert_eq!(
            s, 403,
            "api_keys.create was not granted to the narrow key: {child}"
        );
        // last_used_at is recorded.
        let (_, one) = app
            .call(
                Some(&app.admin.key),
                "GET",
                &format!("/api/v1/api-keys/{id}"),
                None,
            )
            .await;
        assert!(one["last_used_at"].is_string(), "{one}");
        assert_eq!(
            app.call(
                Some(&app.admin.key),
                "DELETE",
                &format!("/api/v1/api-keys/{id}"),
                None
            )
            .await
            .0,
            204
        );
        assert_eq!(
            app.call(Some(&secret), "GET", "/api/v1/accounts", None)
                .await
                .0,
            401,
            "{b:?}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn forgotten_password_link_by_email_works_once() {
    for b in backends() {
        // A sink per backend: a late mail must not reach the next iteration.
        let (smtp, mut inbox) = crate::smtp_sink::start().await;
        let app = TestApp::spawn_with_smtp(b, Some(smtp.clone())).await;
        let p = app.make_principal("minh", "sales", None).await;
        let c = app.client();
        let r = app
            .post_form(&c, "/forgot-password", &[("who", "minh@khach.test")])
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        // Unknown people get the same answer and no mail.
        let r = app
            .post_form(&c, "/forgot-password", &[("who", "ai-do@khach.test")])
            .await;
        assert_eq!(r.status(), 200);
        let token = crate::smtp_sink::next_reset_token(&mut inbox).await;
        assert_eq!(token.len(), 48);
        let old_session = app.login("minh", &p.password).await;
        let form = [
            ("token", token.as_str()),
            ("password", "moi-hoan-toan-9"),
            ("password_confirm", "moi-hoan-toan-9"),
        ];
        let r = c
            .post(app.url("/reset-password"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            old_session
                .get(app.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        app.login("minh", "moi-hoan-toan-9").await;
        let r = c
            .post(app.url("/reset-password"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "a link works once");
        assert!(inbox.try_recv().is_err(), "no mail for an unknown address");
        app.stop().await;
    }
}
