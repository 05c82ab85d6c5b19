//! Bad requests get a 4xx with the error envelope, never a 500, and change nothing.

use khach_testkit::{TestApp, backends};
use serde_json::Value;

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    ctype: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let c = app.client();
    let mut req = c
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(&app.admin.key)
        .body(body);
    if let Some(t) = ctype {
        req = req.header("content-type", t);
    }
    let r = req.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Method, path, content type, body, expected status, expected error code.
type BadCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<u8>,
    u16,
    &'static str,
);

#[tokio::test]
async fn malformed_bodies_and_queries_are_4xx_with_the_envelope() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let before = app.fingerprint().await;
        let json = Some("application/json");
        let cases: Vec<BadCase> = vec![
            ("POST", "/api/v1/departments", json, b"{\"name\": ".to_vec(), 400, "malformed_json"),
            ("POST", "/api/v1/departments", json, b"{\"name\": 12}".to_vec(), 422, "validation_failed"),
            ("POST", "/api/v1/departments", json, b"{\"name\": \"A\", \"owner_id\": 1}".to_vec(), 422, "validation_failed"),
            ("POST", "/api/v1/accounts", json, b"{\"username\":\"abc\",\"password\":\"12345678\",\"full_name\":\"A\",\"role_id\":1,\"is_admin\":true}".to_vec(), 422, "validation_failed"),
            ("POST", "/api/v1/departments", Some("text/plain"), b"{\"name\": \"A\"}".to_vec(), 415, "unsupported_media_type"),
            ("POST", "/api/v1/departments", json, vec![b' '; 2 * 1024 * 1024], 413, "payload_too_large"),
            ("GET", "/api/v1/accounts?limit=0", None, vec![], 422, "validation_failed"),
            ("GET", "/api/v1/accounts?limit=abc", None, vec![], 400, "invalid_query"),
            ("GET", "/api/v1/accounts?cursor=-5", None, vec![], 422, "validation_failed"),
            ("GET", "/api/v1/accounts?colour=red", None, vec![], 400, "invalid_query"),
            ("GET", "/api/v1/audit-log?from=yesterday", None, vec![], 400, "invalid_query"),
            ("GET", "/api/v1/accounts/not-a-number", None, vec![], 404, "not_found"),
            ("GET", "/api/v1/accounts/99999999", None, vec![], 404, "not_found"),
            ("GET", "/api/v1/nothing-here", None, vec![], 404, "not_found"),
            ("PUT", "/api/v1/accounts", json, b"{}".to_vec(), 405, "method_not_allowed"),
            ("PATCH", "/api/v1/accounts/1", json, b"[]".to_vec(), 422, "validation_failed"),
        ];
        for (method, path, ctype, body, want, code) in cases {
            let (s, v) = raw(&app, method, path, ctype, body).await;
            assert_eq!(s, want, "{b:?} {method} {path}: {v}");
            assert_eq!(v["error"]["code"], code, "{method} {path}: {v}");
            assert!(!v["error"]["message"].as_str().unwrap_or("").is_empty());
            let text = v.to_string();
            for leak in ["panicked", "SELECT", "/src/", "sqlx", "sea_orm"] {
                assert!(!text.contains(leak), "{method} {path} leaks {leak}: {text}");
            }
        }
        assert_eq!(app.fingerprint().await, before, "{b:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn health_readiness_and_the_openapi_document() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        assert_eq!(app.page(&c, "/healthz").await.1, "ok");
        assert_eq!(
            c.get(app.url("/readyz")).send().await.unwrap().status(),
            200
        );
        let doc: Value = c
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{b:?}");
        assert!(doc["paths"]["/api/v1/accounts"]["post"]["responses"]["422"].is_object());
        let docs = c.get(app.url("/api/docs")).send().await.unwrap();
        assert_eq!(docs.status(), 200);
        let html = docs.text().await.unwrap();
        assert!(html.contains("/api/v1/api-keys") && html.contains("CreateAccount"));
        // Security headers on every answer.
        let r = c.get(app.url("/login")).send().await.unwrap();
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        app.stop().await;
    }
}
