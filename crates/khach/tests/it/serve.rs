//! `khach serve` as an operator runs it: the one-time set-up link on first start, no
//! secret in any log line, and a clean stop on SIGTERM.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn first_start_link_no_secrets_in_logs_and_graceful_stop() {
    khach_testkit::init();
    let dir = crate::cli::TempDir::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_khach"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env_remove("KHACH_DATABASE_URL")
        .env("KHACH_LOG", "debug,sqlx=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let started = Instant::now();
    while c.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Read the set-up link from standard output.
    let mut stdout = child.stdout.take().unwrap();
    let token = tokio::task::spawn_blocking(move || {
        let mut buf = [0u8; 4096];
        let mut text = String::new();
        while !text.contains("token=") || !text[text.find("token=").unwrap()..].contains('\n') {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "no set-up link printed: {text}");
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        let start = text.find("token=").unwrap() + 6;
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect::<String>()
    })
    .await
    .unwrap();
    assert_eq!(token.len(), 48);

    let canary_pw = "CanaryPass-7781-xyz";
    let wrong_pw = "WrongCanary-9917-xyz";
    let setup = [
        ("token", token.as_str()),
        ("username", "owner"),
        ("full_name", "Chủ"),
        ("email", ""),
        ("password", canary_pw),
        ("password_confirm", canary_pw),
    ];
    let r = c
        .post(format!("{base}/setup"))
        .form(&setup)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", "owner"), ("password", wrong_pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", "owner"), ("password", canary_pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_string();
    let created: serde_json::Value = c
        .post(format!("{base}/api/v1/api-keys"))
        .header("origin", &base)
        .json(&serde_json::json!({"name": "log test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let me = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    // SIGTERM: finishes and exits cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("stopped"), "{logs}");
    assert!(logs.contains("listening"), "{logs}");
    for secret_text in [
        canary_pw,
        wrong_pw,
        secret.as_str(),
        token.as_str(),
        cookie.as_str(),
    ] {
        assert!(
            !logs.contains(secret_text),
            "a secret reached the log: {secret_text}"
        );
    }
    assert!(
        !logs.contains('\u{1b}'),
        "no colour codes when not on a terminal"
    );
}
