//! `khach demo-data` and `khach bench search`, run as a user would run them.

use crate::cli::tempfile_dir;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::Path;
use std::process::Command;

fn khach(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_khach"))
        .args(args)
        .current_dir(dir)
        .env_remove("KHACH_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every customer as `code|name|phones|emails|created_at`, in id order.
async fn customers(url: &str) -> Vec<String> {
    let db = khach_db::Db::connect(url).await.unwrap();
    let sql = "SELECT c.code, c.name, c.created_at, \
        (SELECT group_concat(e164, ',') FROM customer_phones p WHERE p.customer_id = c.id) AS phones, \
        (SELECT group_concat(email, ',') FROM customer_emails e WHERE e.customer_id = c.id) AS emails \
        FROM customers c ORDER BY c.id";
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap();
    let out = rows
        .iter()
        .map(|r| {
            let s = |i: usize| {
                r.try_get_by_index::<Option<String>>(i)
                    .unwrap()
                    .unwrap_or_default()
            };
            format!("{}|{}|{}|{}|{}", s(0), s(1), s(3), s(4), s(2))
        })
        .collect();
    db.close().await.unwrap();
    out
}

#[tokio::test]
async fn demo_data_is_the_same_for_the_same_seed() {
    let dir = tempfile_dir();
    let mut runs = Vec::new();
    for name in ["a.db", "b.db"] {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join(name).display());
        let (ok, out, err) = khach(
            dir.path(),
            &[
                "--database-url",
                &url,
                "demo-data",
                "--customers",
                "300",
                "--seed",
                "7",
            ],
        );
        assert!(ok, "{out}{err}");
        assert!(out.contains("inserted 300 demo customers"), "{out}");
        runs.push(customers(&url).await);
    }
    assert_eq!(runs[0].len(), 300);
    assert_eq!(runs[0], runs[1], "same seed, same customers");
    assert!(runs[0][0].starts_with("KH000001|"), "{}", runs[0][0]);
    assert!(
        runs[0]
            .iter()
            .all(|c| c.split('|').nth(2).is_some_and(|p| p.starts_with('+')))
    );
    // Vietnamese names with diacritics, family name first.
    assert!(
        runs[0].iter().any(|c| c.contains("Nguyễn ")),
        "{:?}",
        &runs[0][..5]
    );

    let url = format!("sqlite://{}?mode=rwc", dir.path().join("c.db").display());
    let (ok, out, err) = khach(
        dir.path(),
        &[
            "--database-url",
            &url,
            "demo-data",
            "--customers",
            "300",
            "--seed",
            "8",
        ],
    );
    assert!(ok, "{out}{err}");
    assert_ne!(
        customers(&url).await,
        runs[0],
        "another seed, other customers"
    );
}

#[test]
fn bench_search_prints_percentiles() {
    let dir = tempfile_dir();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let (ok, out, err) = khach(
        dir.path(),
        &[
            "--database-url",
            &url,
            "bench",
            "search",
            "--customers",
            "300",
            "--iterations",
            "3",
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("p50 ms") && out.contains("p95 ms") && out.contains("p99 ms"),
        "{out}"
    );
    for line in ["name search", "phone fragment", "e-mail", "filtered page"] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "no {line} line: {out}"
        );
    }
    assert!(
        out.contains("SQLite") && out.contains("300 customers"),
        "{out}"
    );
}
