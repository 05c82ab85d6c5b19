//! Migrations give SQLite and PostgreSQL the same tables, columns and indexes.

use khach_testkit::{Backend, TestApp, backends};

#[tokio::test]
async fn migrations_agree_across_backends() {
    let mut shapes = Vec::new();
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let shape = khach_db::schema::describe(&app.core.db).await.unwrap();
        for t in [
            "accounts",
            "roles",
            "departments",
            "sessions",
            "api_keys",
            "audit_log",
            "settings",
        ] {
            assert!(shape.contains(t), "{b:?} lacks table {t}");
        }
        assert!(
            shape.contains("index:ux_accounts_username"),
            "{b:?}: {shape:?}"
        );
        // Applying migrations again is a no-op.
        app.core.db.migrate().await.unwrap();
        shapes.push((b, shape));
        app.stop().await;
    }
    if let [(Backend::Sqlite, lite), (Backend::Postgres, pg)] = shapes.as_slice() {
        let only_lite: Vec<_> = lite.difference(pg).collect();
        let only_pg: Vec<_> = pg.difference(lite).collect();
        assert!(
            only_lite.is_empty() && only_pg.is_empty(),
            "schemas differ: sqlite-only {only_lite:?}, postgres-only {only_pg:?}"
        );
    }
}
