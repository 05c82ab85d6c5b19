//! The webhook endpoints of the access matrix: reading needs the settings view
//! permission (Admin, Manager), changing them the settings edit permission (Admin).
//! `{hook}` is a fresh endpoint on a closed loopback port (private targets allowed
//! first), `{delivery}` a finished test delivery of it.

use super::{ADMIN, ADMIN_MGR, Case, P, World};
use serde_json::{Value, json};

pub(super) fn policy() -> Vec<Case> {
    let c = |method, path, body, allowed, ok| Case {
        method,
        path,
        body,
        allowed,
        ok,
        hidden: &[],
    };
    vec![
        c("GET", "/api/v1/webhooks", None, ADMIN_MGR, 200),
        c(
            "POST",
            "/api/v1/webhooks",
            Some(
                || json!({"name": "Đồng bộ kho", "url": "https://93.184.215.14/hook", "kinds": ["customer.created"]}),
            ),
            ADMIN,
            201,
        ),
        c("GET", "/api/v1/webhooks/{hook}", None, ADMIN_MGR, 200),
        c(
            "PATCH",
            "/api/v1/webhooks/{hook}",
            Some(|| json!({"name": "Đồng bộ kho 2"})),
            ADMIN,
            200,
        ),
        c("DELETE", "/api/v1/webhooks/{hook}", None, ADMIN, 204),
        c(
            "POST",
            "/api/v1/webhooks/{hook}/rotate-secret",
            None,
            ADMIN,
            200,
        ),
        c("POST", "/api/v1/webhooks/{hook}/test", None, ADMIN, 200),
        c(
            "GET",
            "/api/v1/webhooks/{hook}/deliveries",
            None,
            ADMIN_MGR,
            200,
        ),
        c(
            "POST",
            "/api/v1/webhooks/{hook}/deliveries/{delivery}/redeliver",
            None,
            ADMIN,
            202,
        ),
        c("GET", "/api/v1/webhook-settings", None, ADMIN_MGR, 200),
        c(
            "PUT",
            "/api/v1/webhook-settings",
            Some(|| json!({"allow_private": false})),
            ADMIN,
            200,
        ),
    ]
}

/// The path template as the OpenAPI document writes it.
pub(super) fn as_documented(path: &str) -> String {
    path.replace("{hook}", "{id}")
        .replace("{delivery}", "{delivery_id}")
}

/// Fills `{hook}` and `{delivery}`.
pub(super) async fn fill(w: &World, path: &mut String, _body: &mut Option<String>, n: usize) {
    if !path.contains("{hook}") {
        return;
    }
    let admin = w.key(P::Admin);
    let (s, v) = w
        .app
        .call(
            admin,
            "PUT",
            "/api/v1/webhook-settings",
            Some(json!({"allow_private": true})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v): (u16, Value) = w
        .app
        .call(
            admin,
            "POST",
            "/api/v1/webhooks",
            Some(json!({"name": format!("Webhook {n}"), "url": "http://127.0.0.1:9/hook", "kinds": ["customer.created"]})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["endpoint"]["id"].as_i64().unwrap();
    *path = path.replace("{hook}", &id.to_string());
    if path.contains("{delivery}") {
        let (s, d) = w
            .app
            .call(admin, "POST", &format!("/api/v1/webhooks/{id}/test"), None)
            .await;
        assert_eq!(s, 200, "{d}");
        *path = path.replace("{delivery}", &d["id"].to_string());
    }
}
