//! The `khach` command line, run as a user would run it.

use std::io::Write;
use std::process::{Command, Stdio};

fn khach(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khach"))
        .args(args)
        .current_dir(dir)
        .env_remove("KHACH_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_command_and_option() {
    let dir = tempfile_dir();
    let (ok, out, _) = khach(dir.path(), &["--help"], None);
    assert!(ok);
    for word in [
        "serve",
        "migrate",
        "admin",
        "api-key",
        "--data-dir",
        "--database-url",
        "--config",
    ] {
        assert!(out.contains(word), "--help lacks {word}: {out}");
    }
    let (ok, out, _) = khach(dir.path(), &["serve", "--help"], None);
    assert!(ok && out.contains("--listen") && out.contains("--public-url"));
    let (ok, out, _) = khach(dir.path(), &["admin", "create", "--help"], None);
    assert!(ok && out.contains("--password-stdin") && out.contains("--username"));
}

#[test]
fn scripted_setup_creates_an_admin_and_a_key_in_the_data_dir() {
    let dir = tempfile_dir();
    let (ok, out, err) = khach(
        dir.path(),
        &[
            "admin",
            "create",
            "--username",
            "boss",
            "--email",
            "boss@shop.vn",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert!(ok, "{out}{err}");
    assert!(
        dir.path().join("data/khach.db").exists(),
        "SQLite under ./data"
    );
    let (ok, _, err) = khach(
        dir.path(),
        &["admin", "create", "--username", "boss", "--password-stdin"],
        Some("a-long-password\n"),
    );
    assert!(
        !ok && err.contains("username"),
        "duplicate is refused clearly: {err}"
    );
    let (ok, _, err) = khach(
        dir.path(),
        &["admin", "create", "--username", "weak", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok && err.contains("password"), "{err}");
    let (ok, secret, err) = khach(
        dir.path(),
        &["api-key", "create", "--user", "boss", "--name", "CI"],
        None,
    );
    assert!(ok, "{err}");
    let secret = secret.trim();
    assert!(secret.starts_with("khk_") && secret.len() == 68, "{secret}");
    assert!(!err.contains(secret), "the secret goes to stdout only");
    let (ok, _, err) = khach(
        dir.path(),
        &["api-key", "create", "--user", "ghost", "--name", "x"],
        None,
    );
    assert!(!ok && err.contains("ghost"));
    let (ok, out, err) = khach(
        dir.path(),
        &[
            "admin",
            "reset-password",
            "--username",
            "boss",
            "--password-stdin",
        ],
        Some("another-long-one\n"),
    );
    assert!(ok, "{out}{err}");
    let (ok, out, _) = khach(dir.path(), &["migrate"], None);
    assert!(ok && out.contains("migrations applied"));
}

#[test]
fn config_file_and_environment_are_layered() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.path().join("khach.toml"),
        "data_dir = \"./from-file\"\n",
    )
    .unwrap();
    let (ok, _, err) = khach(dir.path(), &["migrate"], None);
    assert!(ok, "{err}");
    assert!(dir.path().join("from-file/khach.db").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_khach"))
        .args(["migrate"])
        .current_dir(dir.path())
        .env("KHACH_DATA_DIR", "./from-env")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        dir.path().join("from-env/khach.db").exists(),
        "env beats the file"
    );
    let (ok, _, _) = khach(dir.path(), &["--data-dir", "./from-flag", "migrate"], None);
    assert!(
        ok && dir.path().join("from-flag/khach.db").exists(),
        "flags beat both"
    );
    let (ok, _, err) = khach(dir.path(), &["--config", "missing.toml", "migrate"], None);
    assert!(!ok && err.contains("missing.toml"));
}

pub fn tempfile_dir() -> TempDir {
    TempDir::new()
}

/// A temporary directory removed on drop (no extra crate for this).
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("khach-cli-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
