//! `Idempotency-Key` on POST: a retried request does the work once.

use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

async fn post(app: &TestApp, key: &str, idem: Option<&str>, body: Value) -> (u16, Value, bool) {
    let mut req = app
        .client()
        .post(app.url("/api/v1/departments"))
        .bearer_auth(key)
        .json(&body);
    if let Some(k) = idem {
        req = req.header("Idempotency-Key", k);
    }
    let r = req.send().await.unwrap();
    let replayed = r.headers().get("idempotent-replayed").is_some();
    (r.status().as_u16(), r.json().await.unwrap(), replayed)
}

#[tokio::test]
async fn a_retried_post_creates_one_record() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let (s1, first, r1) = post(
            &app,
            &k,
            Some("order-2026-0001"),
            json!({"name": "Chi nhánh Hà Nội"}),
        )
        .await;
        let (s2, second, r2) = post(
            &app,
            &k,
            Some("order-2026-0001"),
            json!({"name": "Chi nhánh Hà Nội"}),
        )
        .await;
        assert_eq!((s1, s2), (201, 201), "{b:?} {first} {second}");
        assert!(!r1 && r2, "the retry is marked as replayed");
        assert_eq!(first["id"], second["id"]);
        let (_, list) = app.call(Some(&k), "GET", "/api/v1/departments", None).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let (_, log) = app
            .call(Some(&k), "GET", "/api/v1/audit-log?entity=department", None)
            .await;
        assert_eq!(log["items"].as_array().unwrap().len(), 1, "audited once");

        // Same key, different request: refused, nothing created.
        let (s, body, _) = post(&app, &k, Some("order-2026-0001"), json!({"name": "Khác"})).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["error"]["code"], "idempotency_key_reused");
        // A validation error is an answer too, and is replayed as such.
        let (s, _, _) = post(&app, &k, Some("bad-1"), json!({"name": ""})).await;
        let (s2, _, replayed) = post(&app, &k, Some("bad-1"), json!({"name": ""})).await;
        assert_eq!((s, s2, replayed), (422, 422, true));
        // Keys belong to the caller: another principal's same key is a new request.
        let other = app.make_principal("admin.khac", "admin", None).await;
        let (s, third, replayed) = post(
            &app,
            &other.key,
            Some("order-2026-0001"),
            json!({"name": "Chi nhánh Hà Nội 2"}),
        )
        .await;
        assert_eq!((s, replayed), (201, false), "{third}");
        // Without a key, no deduplication; with a malformed key, a clear 422.
        let (s, _, _) = post(&app, &k, None, json!({"name": "Không khoá"})).await;
        assert_eq!(s, 201);
        let (s, body, _) = post(&app, &k, Some(&"x".repeat(300)), json!({"name": "Quá dài"})).await;
        assert_eq!(s, 422);
        assert!(
            body["error"]["fields"]["Idempotency-Key"].is_string(),
            "{body}"
        );
        // After 24 hours the key may be used again.
        app.clock.advance(chrono::Duration::hours(25));
        let (s, fourth, replayed) = post(
            &app,
            &k,
            Some("order-2026-0001"),
            json!({"name": "Chi nhánh Đà Nẵng"}),
        )
        .await;
        assert_eq!((s, replayed), (201, false), "{fourth}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_reservation_whose_request_died_is_released() {
    use khach_core::idempotency::{Begin, begin, finish};
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let core = &app.core;
        let first = begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap();
        let Begin::Run { key_hash } = first else {
            panic!("{b:?}: first use runs")
        };
        // The first request is still running (or died without an answer).
        assert!(matches!(
            begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap(),
            Begin::InProgress
        ));
        // A minute later it is still taken; after two it counts as abandoned.
        app.clock.advance(chrono::Duration::minutes(1));
        assert!(matches!(
            begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap(),
            Begin::InProgress
        ));
        app.clock.advance(chrono::Duration::minutes(2));
        let again = begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap();
        let Begin::Run { key_hash: second } = again else {
            panic!("{b:?}: an abandoned key runs again")
        };
        assert_eq!(key_hash, second);
        finish(core, &second, 201, "{}".into()).await.unwrap();
        assert!(matches!(
            begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap(),
            Begin::Replay { status: 201, .. }
        ));
        // A finished answer is not "abandoned", however old, until the 24 hours pass.
        app.clock.advance(chrono::Duration::hours(1));
        assert!(matches!(
            begin(core, "caller-1", "k-1", b"POST /x {}").await.unwrap(),
            Begin::Replay { .. }
        ));
        app.stop().await;
    }
}
