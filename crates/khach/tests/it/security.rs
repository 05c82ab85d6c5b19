//! Regression tests for attacks found in review: privilege escalation through roles
//! and accounts, narrowed keys taking over their owner, races on one-time rules,
//! open redirects, NUL bytes, idempotency replays.

use khach_testkit::{TestApp, backends};
use serde_json::json;

/// A non-admin "HR" person allowed to manage accounts and roles, but not everything.
async fn hr(app: &TestApp) -> (khach_testkit::Principal, i64) {
    let perms = json!({"accounts": ["view", "create", "edit"], "roles": ["view", "create", "edit"], "departments": ["view"]});
    let (s, role) = app
        .call(
            Some(&app.admin.key),
            "POST",
            "/api/v1/roles",
            Some(json!({"name": "Nhân sự", "scope": "department", "permissions": perms})),
        )
        .await;
    assert_eq!(s, 201, "{role}");
    let p = app.make_principal("hr1", "care", None).await;
    let (s, _) = app
        .call(
            Some(&app.admin.key),
            "PATCH",
            &format!("/api/v1/accounts/{}", p.account_id),
            Some(json!({"role_id": role["id"]})),
        )
        .await;
    assert_eq!(s, 200);
    (p, role["id"].as_i64().unwrap())
}

#[tokio::test]
async fn nobody_grants_more_than_they_hold() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (hr, hr_role) = hr(&app).await;
        let k = Some(hr.key.as_str());
        let before = app.fingerprint().await;
        // Widening their own role, or making a stronger one.
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/roles/{hr_role}"),
                Some(json!({"scope": "all"})),
            )
            .await;
        assert_eq!(s, 403, "{b:?} own role");
        let (s, _) = app.call(k, "POST", "/api/v1/roles", Some(json!({"name": "Siêu", "scope": "all", "permissions": {"settings": ["view", "edit"]}}))).await;
        assert_eq!(s, 403, "stronger new role");
        let (s, _) = app
            .call(
                k,
                "POST",
                "/api/v1/roles",
                Some(
                    json!({"name": "Rộng", "scope": "all", "permissions": {"accounts": ["view"]}}),
                ),
            )
            .await;
        assert_eq!(s, 403, "wider scope");
        let (s, _) = app
            .call(
                k,
                "PATCH",
                "/api/v1/roles/1",
                Some(json!({"name": "Đổi tên Admin"})),
            )
            .await;
        assert_eq!(s, 403, "the Admin role is the admins' business");
        let (s, _) = app
            .call(
                k,
                "PATCH",
                "/api/v1/roles/2",
                Some(json!({"name": "Quản lý 2"})),
            )
            .await;
        assert_eq!(s, 403, "the Manager role holds more than HR");
        // Handing out a stronger role, to themselves or to a new account.
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/accounts/{}", hr.account_id),
                Some(json!({"role_id": 2})),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "tay.trong", "password": "mot-mat-khau", "full_name": "T", "role_id": 2}))).await;
        assert_eq!(s, 403);
        // Taking over someone stronger.
        let boss = app.make_principal("sep", "manager", None).await;
        let (s, _) = app
            .call(
                k,
                "POST",
                &format!("/api/v1/accounts/{}/password", boss.account_id),
                Some(json!({"new_password": "chiem-quyen-123"})),
            )
            .await;
        assert_eq!(s, 403);
        let before_boss = app.fingerprint().await;
        let (s, _) = app
            .call(
                k,
                "PATCH",
                &format!("/api/v1/accounts/{}", boss.account_id),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(s, 403);
        assert_eq!(app.fingerprint().await, before_boss);
        let _ = before;
        // Within their reach it works: a role no wider than theirs.
        let (s, r) = app.call(k, "POST", "/api/v1/roles", Some(json!({"name": "Thực tập", "scope": "own", "permissions": {"accounts": ["view"]}}))).await;
        assert_eq!(s, 201, "{r}");
        let (s, _) = app.call(k, "POST", "/api/v1/accounts", Some(json!({"username": "thuc.tap", "password": "mot-mat-khau", "full_name": "T", "role_id": r["id"]}))).await;
        assert_eq!(s, 201);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_narrowed_key_cannot_take_over_its_owner() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (_, created) = app
            .call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/api-keys",
                Some(json!({"name": "chỉ xem", "permissions": {"accounts": ["view"]}})),
            )
            .await;
        let narrow = created["secret"].as_str().unwrap().to_string();
        let before = app.fingerprint().await;
        let (s, _) = app
            .call(
                Some(&narrow),
                "PATCH",
                "/api/v1/me",
                Some(json!({"email": "ke.gian@evil.example"})),
            )
            .await;
        assert_eq!(s, 403, "{b:?}");
        let (s, _) = app.call(Some(&narrow), "POST", "/api/v1/me/password", Some(json!({"current_password": app.admin.password, "new_password": "bi-chiem-2026"}))).await;
        assert_eq!(s, 403);
        assert_eq!(app.fingerprint().await, before);
        // Even the owner's full key changes passwords only from a session, and cannot
        // go round that through the accounts resource.
        let (s, _) = app.call(Some(&app.admin.key), "POST", "/api/v1/me/password", Some(json!({"current_password": app.admin.password, "new_password": "bi-chiem-2026"}))).await;
        assert_eq!(s, 403);
        let me = format!("/api/v1/accounts/{}", app.admin.account_id);
        let (s, _) = app
            .call(
                Some(&app.admin.key),
                "POST",
                &format!("{me}/password"),
                Some(json!({"new_password": "bi-chiem-2026"})),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = app
            .call(
                Some(&app.admin.key),
                "PATCH",
                &me,
                Some(json!({"email": "ke.gian@evil.example"})),
            )
            .await;
        assert_eq!(s, 403);
        assert_eq!(app.fingerprint().await, before);
        // Sending back the unchanged e-mail (a GET body round trip) is fine.
        let (_, mine) = app
            .call(Some(&app.admin.key), "GET", "/api/v1/me", None)
            .await;
        let (s, body) = app
            .call(
                Some(&app.admin.key),
                "PATCH",
                "/api/v1/me",
                Some(json!({"email": mine["email"], "full_name": "Tên Mới"})),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let p = app.make_principal("doan.mo", "care", None).await;
        let c = app.login("doan.mo", &p.password).await;
        let mut statuses = Vec::new();
        for i in 0..7 {
            let r = c
                .post(app.url("/api/v1/me/password"))
                .header("origin", app.base.as_str())
                .json(&json!({"current_password": format!("doan-{i}-sai"), "new_password": "moi-moi-moi-1"}))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429], "{b:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn parallel_password_guesses_stay_within_the_limit() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let tries = (0..20).map(|i| {
            let c = app.client();
            let url = app.url("/login");
            async move {
                c.post(url)
                    .form(&[
                        ("username", "admin"),
                        ("password", format!("doan-{i}").as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        });
        let statuses: Vec<u16> = futures_join_all(tries).await;
        let judged = statuses.iter().filter(|s| **s == 401).count();
        assert!(
            judged <= 5,
            "{b:?}: {judged} guesses were checked: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 401 || *s == 429),
            "{statuses:?}"
        );
        app.stop().await;
    }
}

async fn futures_join_all<F: std::future::Future<Output = u16> + Send + 'static>(
    fs: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let second = app.make_principal("admin2", "admin", None).await;
        for _ in 0..3 {
            let (pa, pz) = (
                format!("/api/v1/accounts/{}", second.account_id),
                format!("/api/v1/accounts/{}", app.admin.account_id),
            );
            let a = app.call(
                Some(&app.admin.key),
                "PATCH",
                &pa,
                Some(json!({"active": false})),
            );
            let z = app.call(
                Some(&second.key),
                "PATCH",
                &pz,
                Some(json!({"active": false})),
            );
            let ((s1, _), (s2, _)) = tokio::join!(a, z);
            let admins = khach_db::accounts::count_active_admins(app.core.db.conn())
                .await
                .unwrap();
            assert!(admins >= 1, "{b:?}: {s1} {s2} left no admin");
            if admins == 1 {
                break;
            }
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn one_setup_link_makes_one_admin_even_when_clicked_twice() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let token = app.fresh_install_setup_token().await;
        let post = |name: &'static str| {
            let c = app.client();
            let url = app.url("/setup");
            let token = token.clone();
            async move {
                c.post(url)
                    .form(&[
                        ("token", token.as_str()),
                        ("username", name),
                        ("full_name", "X"),
                        ("email", ""),
                        ("password", "mat-khau-dai-1"),
                        ("password_confirm", "mat-khau-dai-1"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let (a, z) = tokio::join!(tokio::spawn(post("nguoi.a")), tokio::spawn(post("nguoi.b")));
        let mut statuses = [a.unwrap(), z.unwrap()];
        statuses.sort();
        assert_eq!(statuses, [303, 404], "{b:?}");
        assert_eq!(
            khach_db::accounts::count_active_admins(app.core.db.conn())
                .await
                .unwrap(),
            1
        );
        app.stop().await;
    }
}

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
        let r = c
            .post(app.url("/login"))
            .form(&[("username", long.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
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
            let r = c
                .post(app.url("/login"))
                .form(&[
                    ("username", "admin"),
                    ("password", app.admin.password.as_str()),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
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
        app.client()
            .post(app.url("/forgot-password"))
            .form(&[("who", "quen")])
            .send()
            .await
            .unwrap();
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
            app.client()
                .post(app.url("/forgot-password"))
                .form(&[("who", "quen")])
                .send()
                .await
                .unwrap();
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
