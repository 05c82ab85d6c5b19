//! An import killed at random points (`kill -9` of `khach import`) and run again
//! until it finishes ends exactly as a clean run: the same customers, the same
//! codes, the same counts; no half-written row, no duplicate.

use khach_testkit::{TestApp, backends};
use sea_orm::{ConnectionTrait, Statement};
use std::process::{Command, Stdio};
use std::time::Duration;

/// 4,100 rows (three batches) with repeated phones and bad rows.
fn file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut s = String::from("Họ và tên,Số điện thoại,Email,Thẻ\n");
    for i in 0..4100u32 {
        let phone = if i % 97 == 5 {
            "123".to_string()
        } else if i % 50 == 49 {
            format!("09{:08}", i - 20)
        } else {
            format!("09{i:08}")
        };
        s.push_str(&format!(
            "Khách Hàng {i},{phone},k{i}@vi.du,\"Lô {}, Nhập\"\n",
            i % 7
        ));
    }
    let p = dir.join("lon.csv");
    std::fs::write(&p, s).unwrap();
    p
}

fn cmd(url: &str, path: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_khach"));
    c.args(["--database-url", url, "import"])
        .arg(path)
        .args(["--match-by", "phone", "--take-over"])
        .env_remove("KHACH_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

async fn state(app: &TestApp) -> String {
    let c = app.core.db.conn();
    let rows = c
        .query_all_raw(Statement::from_string(
            c.get_database_backend(),
            "SELECT code, name, phone, email, CAST(owner_id AS TEXT) AS o FROM customers ORDER BY code",
        ))
        .await
        .unwrap();
    let mut out = String::new();
    for r in rows {
        for col in ["code", "name", "phone", "email", "o"] {
            let v: Option<String> = r.try_get("", col).unwrap();
            out.push_str(v.as_deref().unwrap_or("-"));
            out.push('|');
        }
        out.push('\n');
    }
    out
}

fn counts(stdout: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stdout);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    serde_json::json!([
        v["total"],
        v["created"],
        v["updated"],
        v["skipped"],
        v["failed"]
    ])
}

#[tokio::test]
async fn killed_import_resumes_to_the_clean_result() {
    for b in backends() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path());
        let clean = TestApp::spawn(b).await;
        let out = cmd(&clean.db_url, &path).output().unwrap();
        assert!(out.status.success());
        let want = counts(&out.stdout);
        let killed = TestApp::spawn(b).await;
        // Deterministic "random" points in time.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut kills = 0;
        let got = loop {
            let mut child = cmd(&killed.db_url, &path).spawn().unwrap();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let wait_ms = 150 + (seed >> 33) % 900;
            std::thread::sleep(Duration::from_millis(wait_ms));
            if kills < 3 && child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                continue;
            }
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{b:?}");
            break counts(&out.stdout);
        };
        assert!(kills > 0, "{b:?}: the import ended before any kill");
        assert_eq!(got, want, "{b:?} after {kills} kills");
        assert_eq!(state(&killed).await, state(&clean).await, "{b:?}");
        killed.stop().await;
        clean.stop().await;
    }
}
