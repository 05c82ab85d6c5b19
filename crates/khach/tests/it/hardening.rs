//! Odd input, replayed requests and mailbox abuse: none of it reaches the database
//! as a 500, leaks a secret, or outlives the change that should end it.

use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn odd_input_never_reaches_the_database_as_a_500() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        let k = Some(app.admin.key.as_str());
        let r = c
            .post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("username=a%00b&password=x")
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error(),
            "{b:?} login NUL: {}",
            r.status()
        );
        let admin_page = app.login("admin", &app.admin.password).await;
        let r = admin_page
            .post(app.url("/settings/departments"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"name=a\x00b".to_vec())
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_client_error(),
            "{b:?} raw NUL in a form: {}",
            r.status()
        );
        let long = "u".repeat(500);
        let r = app
            .post_form(
                &c,
                "/login",
                &[("username", long.as_str()), ("password", "x")],
            )
            .await;
        assert_eq!(r.status(), 401);
        let (s, body) = app
            .call(
                k,
                "POST",
                "/api/v1/departments",
                Some(json!({"name": "a\u{0}b"})),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        let (s, _) = app
            .call(k, "GET", "/api/v1/audit-log?entity=a%00b", None)
            .await;
        assert_eq!(s, 400);
        let (s, _) = app
            .call(
                k,
                "GET",
                "/api/v1/audit-log?from=%2B20000-01-01T00:00:00Z",
                None,
            )
            .await;
        assert_eq!(s, 422);
        let (s, body) = app
            .call(
                k,
                "PATCH",
                "/api/v1/me",
                Some(json!({"phone": "0 - 9 - 1 - 2 - 3 - 4 - 5 - 6 - 7 - 8"})),
            )
            .await;
        assert_eq!(s, 422, "{body}");
        let admin = app.login("admin", &app.admin.password).await;
        for q in [
            "to=%2B262142-12-31",
            "from=-262144-01-01",
            "from=2026-13-45",
        ] {
            let r = admin
                .get(app.url(&format!("/settings/audit-log?{q}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{q}");
        }
        // Redirect targets a browser would turn into another site.
        for next in [
            "/\t/evil.example",
            "/\\evil.example",
            "//evil.example",
            "https://evil.example",
            "/\n/x",
        ] {
            let r = app
                .post_form(
                    &c,
                    "/login",
                    &[
                        ("username", "admin"),
                        ("password", app.admin.password.as_str()),
                        ("next", next),
                    ],
                )
                .await;
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            assert!(
                loc == "/"
                    || (loc.starts_with('/') && !loc.starts_with("//") && !loc.contains('\t')),
                "{next:?} → {loc:?}"
            );
            assert_ne!(loc, next, "{next:?}");
        }
        // Answers are not kept by caches.
        let r = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&app.admin.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store");
        app.stop().await;
    }
}

#[tokio::test]
async fn idempotent_answers_are_for_their_caller_and_never_hold_secrets() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let post_key = |key: String| {
            let c = app.client();
            let url = app.url("/api/v1/api-keys");
            async move {
                let r = c
                    .post(url)
                    .bearer_auth(key)
                    .header("Idempotency-Key", "same-key")
                    .json(&json!({"name": "k"}))
                    .send()
                    .await
                    .unwrap();
                let replayed = r.headers().get("idempotent-replayed").is_some();
                let v: serde_json::Value = r.json().await.unwrap();
                (v["secret"].as_str().unwrap_or("").to_string(), replayed)
            }
        };
        let (s1, r1) = post_key(app.admin.key.clone()).await;
        let (s2, r2) = post_key(app.admin.key.clone()).await;
        assert!(
            !r1 && !r2 && s1 != s2,
            "{b:?}: key creation is never replayed"
        );
        // A stored answer is not handed to a revoked key.
        let (_, made) = app
            .call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/api-keys",
                Some(json!({"name": "tạm"})),
            )
            .await;
        let temp = made["secret"].as_str().unwrap().to_string();
        let c = app.client();
        let r = c
            .post(app.url("/api/v1/departments"))
            .bearer_auth(&temp)
            .header("Idempotency-Key", "dep-1")
            .json(&json!({"name": "P"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        app.call(
            Some(&app.admin.key),
            "DELETE",
            &format!("/api/v1/api-keys/{}", made["key"]["id"]),
            None,
        )
        .await;
        let r = c
            .post(app.url("/api/v1/departments"))
            .bearer_auth(&temp)
            .header("Idempotency-Key", "dep-1")
            .json(&json!({"name": "P"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        app.stop().await;
    }
}

#[tokio::test]
async fn reset_links_die_when_the_password_changes() {
    for b in backends() {
        // A sink per backend: a late mail must not reach the next iteration.
        let (smtp, mut inbox) = crate::smtp_sink::start().await;
        let app = TestApp::spawn_with_smtp(b, Some(smtp.clone())).await;
        let p = app.make_principal("quen", "sales", None).await;
        let r = app
            .client()
            .post(app.url("/forgot-password"))
            .form(&[("who", "quen")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let token = crate::smtp_sink::next_reset_token(&mut inbox).await;
        let (s, _) = app
            .call(
                Some(&app.admin.key),
                "POST",
                &format!("/api/v1/accounts/{}/password", p.account_id),
                Some(json!({"new_password": "admin-dat-lai-1"})),
            )
            .await;
        assert_eq!(s, 204);
        let r = app
            .client()
            .get(app.url(&format!("/reset-password?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{b:?}");
        // An admin changing someone's e-mail also kills links sent to the old one.
        app.post_form(&app.client(), "/forgot-password", &[("who", "quen")])
            .await;
        let token = crate::smtp_sink::next_reset_token(&mut inbox).await;
        let (s, _) = app
            .call(
                Some(&app.admin.key),
                "PATCH",
                &format!("/api/v1/accounts/{}", p.account_id),
                Some(json!({"email": "quen.moi@khach.test"})),
            )
            .await;
        assert_eq!(s, 200);
        let r = app
            .client()
            .get(app.url(&format!("/reset-password?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{b:?} after an e-mail change");
        // Flooding someone's mailbox stops after a few requests an hour (two were
        // already made above).
        for _ in 0..6 {
            app.post_form(&app.client(), "/forgot-password", &[("who", "quen")])
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let mut n = 0;
        while inbox.try_recv().is_ok() {
            n += 1;
        }
        assert!(n <= 1, "{n} mails");
        app.stop().await;
    }
}

#[tokio::test]
async fn changing_ones_email_needs_the_current_password() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let p = app.make_principal("thu", "care", None).await;
        let s = app.login("thu", &p.password).await;
        let patch = |body: serde_json::Value| {
            s.patch(app.url("/api/v1/me"))
                .header("origin", app.base.as_str())
                .json(&body)
                .send()
        };
        let r = patch(json!({"email": "thu.moi@khach.test"})).await.unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let r = patch(json!({"email": "thu.moi@khach.test", "current_password": "sai-roi-nhe"}))
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let r = patch(json!({"full_name": "Thu Đổi Tên"})).await.unwrap();
        assert_eq!(r.status(), 200, "other fields need no password");
        let r = patch(json!({"email": "thu.moi@khach.test", "current_password": p.password}))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let me: serde_json::Value = r.json().await.unwrap();
        assert_eq!(me["email"], "thu.moi@khach.test");
        app.stop().await;
    }
}
