use crate::clock::TestClock;
use khach_core::{Core, CoreConfig, Ctx, SystemRandomness};
use khach_types::Origin;
use khach_types::api::{CreateAccount, CreateApiKey, CreateDepartment};
use reqwest::Client;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::oneshot;

/// The databases a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `KHACH_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if pg_base().is_some() {
        v.push(Backend::Postgres);
    }
    v
}

fn pg_base() -> Option<String> {
    std::env::var("KHACH_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// `postgres://…/name` with the database name replaced.
fn with_db(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    format!("{prefix}/{name}{query}")
}

/// A signed-in test person: API key and session-cookie client.
#[derive(Clone)]
pub struct Principal {
    pub name: String,
    pub account_id: i64,
    pub password: String,
    pub key: String,
}

/// A running Khách on its own database.
pub struct TestApp {
    pub base: String,
    pub core: Core,
    pub clock: Arc<TestClock>,
    pub backend: Backend,
    /// The database URL, to open a second [`Core`] on the same data (another server
    /// process, or the same one after a restart).
    pub db_url: String,
    /// The first administrator, made at spawn.
    pub admin: Principal,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with_smtp(backend, None).await
    }

    /// Like [`TestApp::spawn`], with e-mail sent to `smtp_url`.
    pub async fn spawn_with_smtp(backend: Backend, smtp_url: Option<String>) -> TestApp {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("khach.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let base = pg_base().expect("KHACH_TEST_POSTGRES_URL");
                let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let name = format!("khach_t_{}_{n}", std::process::id());
                let admin = khach_core::Db::connect(&base).await.unwrap();
                let c = admin.conn();
                c.execute_raw(Statement::from_string(
                    c.get_database_backend(),
                    format!("DROP DATABASE IF EXISTS {name}"),
                ))
                .await
                .unwrap();
                c.execute_raw(Statement::from_string(
                    c.get_database_backend(),
                    format!("CREATE DATABASE {name}"),
                ))
                .await
                .unwrap();
                admin.close().await.unwrap();
                (with_db(&base, &name), Some((base, name)))
            }
        };
        let db = khach_core::Db::connect(&url).await.unwrap();
        let db_url = url.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let clock = Arc::new(TestClock::default());
        let config = CoreConfig {
            public_url: base.clone(),
            // Cheap hashing keeps the suite fast; production uses the defaults.
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            smtp: smtp_url.map(|url| khach_core::mail::SmtpConfig {
                url,
                from: "Khách <khach@test.local>".into(),
            }),
            ..CoreConfig::default()
        };
        let core = Core::new(db, config, clock.clone(), Arc::new(SystemRandomness)).unwrap();
        core.bootstrap().await.unwrap();
        let state = khach_web::AppState::new(core.clone(), khach_web::WebConfig::default());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            khach_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let mut app = TestApp {
            base,
            core,
            clock,
            backend,
            db_url,
            admin: Principal {
                name: String::new(),
                account_id: 0,
                password: String::new(),
                key: String::new(),
            },
            shutdown: Some(tx),
            server: Some(server),
            pg,
            _dir: dir,
        };
        app.admin = app.make_principal("admin", "admin", None).await;
        app
    }

    /// A second core on the same database, as another server process would have.
    pub async fn second_core(&self) -> Core {
        let db = khach_core::Db::connect(&self.db_url).await.unwrap();
        Core::new(
            db,
            CoreConfig::default(),
            self.clock.clone(),
            Arc::new(SystemRandomness),
        )
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates an account with a built-in role (`admin`, `manager`, `sales`, `care`)
    /// and an API key for it, directly through the core as the CLI would.
    pub async fn make_principal(
        &self,
        username: &str,
        role: &str,
        department: Option<i64>,
    ) -> Principal {
        let ctx = Ctx::system(Origin::Cli, self.core.now());
        let role = khach_db::roles::by_builtin(self.core.db.conn(), role)
            .await
            .unwrap()
            .unwrap();
        let password = format!("{username}-pass-2026");
        let a = khach_core::accounts::create(
            &self.core,
            &ctx,
            CreateAccount {
                username: username.into(),
                password: password.clone(),
                full_name: format!("Nguyễn Văn {username}"),
                email: Some(format!("{username}@khach.test")),
                phone: None,
                department_id: department,
                role_id: role.id,
                active: true,
                auto_assign: false,
                locale: None,
            },
        )
        .await
        .unwrap();
        let key = khach_core::api_keys::create_for(
            &self.core,
            &ctx,
            a.id,
            CreateApiKey {
                name: format!("{username} key"),
                permissions: None,
            },
        )
        .await
        .unwrap()
        .secret;
        Principal {
            name: username.into(),
            account_id: a.id,
            password,
            key,
        }
    }

    /// Makes the install look new (no active account) and returns a first-run set-up
    /// token, as `khach serve` would print it.
    pub async fn fresh_install_setup_token(&self) -> String {
        let c = self.core.db.conn();
        c.execute_raw(Statement::from_string(
            c.get_database_backend(),
            "UPDATE accounts SET active = false",
        ))
        .await
        .unwrap();
        khach_core::auth::issue_setup_token(&self.core)
            .await
            .unwrap()
            .unwrap()
    }

    /// A department made through the core.
    pub async fn make_department(&self, name: &str) -> i64 {
        let ctx = Ctx::system(Origin::Cli, self.core.now());
        khach_core::departments::create(
            &self.core,
            &ctx,
            CreateDepartment {
                name: name.into(),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id
    }

    /// A plain client: no cookies, no redirects followed.
    pub fn client(&self) -> Client {
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// GETs a page with `client`: its status and HTML.
    pub async fn page(&self, client: &Client, path: &str) -> (u16, String) {
        let r = client.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// POSTs an HTML form with `client`.
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// A browser-like client holding a session cookie after logging in.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let c = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c
            .post(self.url("/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "login of {username} failed");
        c
    }

    /// `(status, json body)` of an API call with a bearer key.
    pub async fn call(
        &self,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let c = self.client();
        let mut req = c.request(method.parse().unwrap(), self.url(path));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(json!({"raw": text}))
        };
        (status, v)
    }

    /// Every stored row of the application tables as text, for "nothing changed"
    /// assertions. Leaves out what a read legitimately touches (key last-used times,
    /// failed-login counters).
    pub async fn fingerprint(&self) -> String {
        self.dump(None).await
    }

    /// [`TestApp::fingerprint`] of these tables only.
    pub async fn fingerprint_of(&self, tables: &[&str]) -> String {
        self.dump(Some(tables)).await
    }

    async fn dump(&self, only: Option<&[&str]>) -> String {
        let schema = khach_db::schema::describe(&self.core.db).await.unwrap();
        let c = self.core.db.conn();
        let be = c.get_database_backend();
        let mut out = String::new();
        let tables: Vec<&String> = schema
            .iter()
            .filter(|s| !s.contains('.') && !s.contains(':'))
            .collect();
        for t in tables {
            if t == "login_attempts" || only.is_some_and(|o| !o.contains(&t.as_str())) {
                continue;
            }
            let cols: Vec<String> = schema
                .iter()
                .filter_map(|s| s.strip_prefix(&format!("{t}.")))
                .filter(|c| !(t == "api_keys" && *c == "last_used_at"))
                .map(str::to_string)
                .collect();
            let select = cols
                .iter()
                .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {select} FROM {t} ORDER BY 1");
            let rows = c
                .query_all_raw(Statement::from_string(be, sql))
                .await
                .unwrap();
            for r in rows {
                out.push_str(t);
                for col in &cols {
                    let v: Option<String> = r.try_get("", col).unwrap();
                    out.push('|');
                    out.push_str(v.as_deref().unwrap_or("∅"));
                }
                out.push('\n');
            }
        }
        out
    }

    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
        let _ = self.core.db.clone().close().await;
        if let Some((base, name)) = self.pg.take()
            && let Ok(admin) = khach_core::Db::connect(&base).await
        {
            {
                let c = admin.conn();
                let _ = c
                    .execute_raw(Statement::from_string(
                        c.get_database_backend(),
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    ))
                    .await;
                let _ = admin.close().await;
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
