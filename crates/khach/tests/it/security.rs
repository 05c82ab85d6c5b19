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
