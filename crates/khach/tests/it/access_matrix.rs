//! Who may call what: every API operation × every kind of principal, from one policy
//! table. A denial must answer the expected status with the error envelope *and*
//! leave the database exactly as it was. Later issues add their endpoints here.

mod customers;
mod duplicates;
mod imports;
mod interactions;
mod ownership;
mod webhooks;

use khach_testkit::{Principal, TestApp, backends};
use khach_types::api::{CreateApiKey, CreateRole};
use khach_types::{Origin, PermissionSet, Scope};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum P {
    Admin,
    Manager,
    Sales,
    Care,
    Deactivated,
    NarrowKey,
    Anonymous,
}

const ALL: [P; 7] = [
    P::Admin,
    P::Manager,
    P::Sales,
    P::Care,
    P::Deactivated,
    P::NarrowKey,
    P::Anonymous,
];
const STAFF: &[P] = &[P::Admin, P::Manager, P::Sales, P::Care];
const ADMIN: &[P] = &[P::Admin];
const ADMIN_MGR: &[P] = &[P::Admin, P::Manager];

/// One operation: method, path (with `{acct}`, `{role}`, `{dept}`, `{key}`, and the
/// customer placeholders of `customers.rs`), body, who may, with which success
/// status, and who is told "not found" instead of "forbidden" (records outside
/// their scope).
struct Case {
    method: &'static str,
    path: &'static str,
    body: Option<fn() -> Value>,
    allowed: &'static [P],
    ok: u16,
    hidden: &'static [P],
}

fn policy() -> Vec<Case> {
    let c = |method, path, body, allowed, ok, hidden| Case {
        method,
        path,
        body,
        allowed,
        ok,
        hidden,
    };
    vec![
        c(
            "GET",
            "/api/v1/accounts",
            None,
            &[P::Admin, P::Manager, P::Sales, P::Care, P::NarrowKey],
            200,
            &[],
        ),
        c(
            "POST",
            "/api/v1/accounts",
            Some(
                || json!({"username": "new.person", "password": "long-password-1", "full_name": "Trần Thị Mới", "role_id": 3}),
            ),
            ADMIN,
            201,
            &[],
        ),
        c(
            "GET",
            "/api/v1/accounts/{acct}",
            None,
            &[P::Admin, P::Manager, P::Sales, P::Care, P::NarrowKey],
            200,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/accounts/{acct}",
            Some(|| json!({"full_name": "Đổi Tên"})),
            ADMIN,
            200,
            &[],
        ),
        c(
            "POST",
            "/api/v1/accounts/{acct}/password",
            Some(|| json!({"new_password": "brand-new-pass-9"})),
            ADMIN,
            204,
            &[],
        ),
        c(
            "GET",
            "/api/v1/me",
            None,
            &[P::Admin, P::Manager, P::Sales, P::Care, P::NarrowKey],
            200,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/me",
            Some(|| json!({"locale": "en"})),
            &[P::Admin, P::Manager, P::Sales, P::Care, P::NarrowKey],
            200,
            &[],
        ),
        c("GET", "/api/v1/roles", None, ADMIN_MGR, 200, &[]),
        c(
            "POST",
            "/api/v1/roles",
            Some(
                || json!({"name": "Thực tập", "scope": "own", "permissions": {"customers": ["view"]}}),
            ),
            ADMIN,
            201,
            &[],
        ),
        c("GET", "/api/v1/roles/{role}", None, ADMIN_MGR, 200, &[]),
        c(
            "PATCH",
            "/api/v1/roles/{role}",
            Some(|| json!({"scope": "all"})),
            ADMIN,
            200,
            &[],
        ),
        c("DELETE", "/api/v1/roles/{role}", None, ADMIN, 204, &[]),
        c("GET", "/api/v1/departments", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/departments",
            Some(|| json!({"name": "Kinh doanh miền Nam"})),
            ADMIN,
            201,
            &[],
        ),
        c("GET", "/api/v1/departments/{dept}", None, STAFF, 200, &[]),
        c(
            "PATCH",
            "/api/v1/departments/{dept}",
            Some(|| json!({"name": "Đổi tên phòng"})),
            ADMIN,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/departments/{dept}",
            None,
            ADMIN,
            204,
            &[],
        ),
        c("GET", "/api/v1/api-keys", None, ADMIN_MGR, 200, &[]),
        c(
            "POST",
            "/api/v1/api-keys",
            Some(|| json!({"name": "Tích hợp POS"})),
            ADMIN_MGR,
            201,
            &[],
        ),
        c(
            "GET",
            "/api/v1/api-keys/{key}",
            None,
            ADMIN,
            200,
            &[P::Manager],
        ),
        c(
            "DELETE",
            "/api/v1/api-keys/{key}",
            None,
            ADMIN,
            204,
            &[P::Manager],
        ),
        c("GET", "/api/v1/audit-log", None, ADMIN_MGR, 200, &[]),
        c("GET", "/api/v1/settings", None, ADMIN_MGR, 200, &[]),
        c(
            "PATCH",
            "/api/v1/settings",
            Some(|| json!({"company_name": "Công ty TNHH Khách"})),
            ADMIN,
            200,
            &[],
        ),
    ]
    .into_iter()
    .chain(customers::policy())
    .chain(ownership::policy())
    .chain(interactions::policy())
    .chain(webhooks::policy())
    .chain(imports::policy())
    .chain(duplicates::policy())
    .collect()
}

struct World {
    app: TestApp,
    keys: Vec<(P, Option<String>)>,
}

impl World {
    async fn new(app: TestApp) -> World {
        let dept = app.make_department("Phòng CSKH").await;
        let manager = app.make_principal("manager1", "manager", Some(dept)).await;
        let sales = app.make_principal("sales1", "sales", Some(dept)).await;
        let care = app.make_principal("care1", "care", None).await;
        let gone = app.make_principal("gone1", "sales", None).await;
        let ctx = khach_core::Ctx::system(Origin::Cli, app.core.now());
        let narrow = khach_core::api_keys::create_for(
            &app.core,
            &ctx,
            app.admin.account_id,
            CreateApiKey {
                name: "chỉ xem tài khoản".into(),
                permissions: Some(serde_json::from_value(json!({"accounts": ["view"]})).unwrap()),
            },
        )
        .await
        .unwrap()
        .secret;
        khach_core::accounts::update(
            &app.core,
            &ctx,
            gone.account_id,
            khach_types::api::UpdateAccount {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let k = |p: &Principal| Some(p.key.clone());
        let keys = vec![
            (P::Admin, k(&app.admin)),
            (P::Manager, k(&manager)),
            (P::Sales, k(&sales)),
            (P::Care, k(&care)),
            (P::Deactivated, k(&gone)),
            (P::NarrowKey, Some(narrow)),
            (P::Anonymous, None),
        ];
        World { app, keys }
    }

    fn key(&self, p: P) -> Option<&str> {
        self.keys
            .iter()
            .find(|(q, _)| *q == p)
            .and_then(|(_, k)| k.as_deref())
    }

    /// Fresh targets for one case (path and body), so a delete in one case cannot
    /// affect another.
    async fn path_for(&self, case: &Case, n: usize) -> (String, Option<Value>) {
        let template = case.path;
        let ctx = khach_core::Ctx::system(Origin::Cli, self.app.core.now());
        let mut path = template.to_string();
        if path.contains("{acct}") {
            let p = self
                .app
                .make_principal(&format!("target{n}"), "sales", None)
                .await;
            path = path.replace("{acct}", &p.account_id.to_string());
        }
        if path.contains("{role}") {
            let r = khach_core::roles::create(
                &self.app.core,
                &ctx,
                CreateRole {
                    name: format!("Vai trò {n}"),
                    permissions: PermissionSet::default(),
                    scope: Scope::Own,
                    mask_contacts: false,
                },
            )
            .await
            .unwrap();
            path = path.replace("{role}", &r.id.to_string());
        }
        if path.contains("{dept}") {
            let d = self.app.make_department(&format!("Phòng {n}")).await;
            path = path.replace("{dept}", &d.to_string());
        }
        if path.contains("{key}") {
            let k = khach_core::api_keys::create_for(
                &self.app.core,
                &ctx,
                self.app.admin.account_id,
                CreateApiKey {
                    name: format!("khoá {n}"),
                    permissions: None,
                },
            )
            .await
            .unwrap();
            path = path.replace("{key}", &k.key.id.to_string());
        }
        let mut body = case.body.map(|f| f().to_string());
        customers::fill(self, &mut path, &mut body, n).await;
        ownership::fill(self, &mut path, &mut body, n).await;
        interactions::fill(self, &mut path, n).await;
        webhooks::fill(self, &mut path, &mut body, n).await;
        imports::fill(self, &mut path, &mut body, n).await;
        duplicates::fill(self, &mut path, &mut body, n).await;
        let body = body.map(|b| serde_json::from_str(&b).unwrap());
        (path, body)
    }
}

fn denial_status(p: P, case: &Case) -> u16 {
    match p {
        P::Anonymous | P::Deactivated => 401,
        _ if case.hidden.contains(&p) => 404,
        _ => 403,
    }
}

#[tokio::test]
async fn every_principal_on_every_endpoint() {
    for b in backends() {
        let w = World::new(TestApp::spawn(b).await).await;
        for (n, case) in policy().iter().enumerate() {
            let (path, body) = w.path_for(case, n * 10).await;
            // Denied principals first, each checked against an unchanged database.
            for p in ALL.iter().filter(|p| !case.allowed.contains(p)) {
                let before = w.app.fingerprint().await;
                let (status, body) = w
                    .app
                    .call(w.key(*p), case.method, &path, body.clone())
                    .await;
                let want = denial_status(*p, case);
                assert_eq!(status, want, "{b:?} {p:?} {} {path}: {body}", case.method);
                assert!(
                    body["error"]["code"].is_string(),
                    "{b:?} {p:?} {} {path}: no error envelope: {body}",
                    case.method
                );
                assert_eq!(
                    w.app.fingerprint().await,
                    before,
                    "{b:?} {p:?} {} {path} changed the database",
                    case.method
                );
            }
            // Each allowed principal acts on records of its own (a second delete of
            // one record would find nothing).
            for (i, p) in case.allowed.iter().enumerate() {
                let (path, body) = w.path_for(case, n * 10 + i + 1).await;
                let (status, body) = w.app.call(w.key(*p), case.method, &path, body).await;
                // A create repeated by a second allowed principal may collide on a
                // unique name; that is a 409, never a permission problem.
                let ok = status == case.ok
                    || (case.method == "POST" && status == 409 && p != &case.allowed[0]);
                assert!(
                    ok,
                    "{b:?} {p:?} {} {path}: want {}, got {status}: {body}",
                    case.method, case.ok
                );
            }
        }
        w.app.stop().await;
    }
}

#[tokio::test]
async fn every_api_operation_is_in_the_policy_table() {
    let doc: Value = serde_json::from_str(&khach_web_openapi()).unwrap();
    let table: Vec<(String, String)> = policy()
        .iter()
        .map(|c| {
            let p = customers::as_documented(c.path);
            let p = ownership::as_documented(&p);
            let p = interactions::as_documented(&p);
            let p = webhooks::as_documented(&p);
            let p = imports::as_documented(&p);
            let p = duplicates::as_documented(&p);
            (
                c.method.to_lowercase(),
                p.replace("{acct}", "{id}")
                    .replace("{role}", "{id}")
                    .replace("{dept}", "{id}")
                    .replace("{key}", "{id}"),
            )
        })
        .collect();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "post", "patch", "put", "delete"] {
            if item.get(m).is_some() && !table.contains(&(m.to_string(), path.clone())) {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    // Changing one's own password needs the caller's own current password; it is
    // covered in auth.rs rather than in the table.
    missing.retain(|m| m != "post /api/v1/me/password");
    assert!(
        missing.is_empty(),
        "operations without a policy row: {missing:?}"
    );
}

fn khach_web_openapi() -> String {
    khach_web::openapi_json()
}
