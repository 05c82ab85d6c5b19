//! The ownership endpoints of the access matrix: assignment and members need the
//! assign permission (Admin, Manager); sharing rules need the customer settings
//! permission (Admin). `{admin_id}` is the administrator's account, `{rule}` a
//! fresh sharing rule.

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
        c(
            "POST",
            "/api/v1/customers/assign",
            Some(|| json!({"ids": ["{customer}"], "mode": "single", "owners": ["{admin_id}"]})),
            ADMIN_MGR,
            200,
        ),
        c(
            "POST",
            "/api/v1/customers/members",
            Some(|| json!({"ids": ["{customer}"], "add_viewers": ["{admin_id}"]})),
            ADMIN_MGR,
            200,
        ),
        c("GET", "/api/v1/sharing-rules", None, ADMIN, 200),
        c(
            "POST",
            "/api/v1/sharing-rules",
            Some(
                || json!({"name": "Chia sẻ VIP", "match": {"type": "tag", "id": "{tag}"}, "account_ids": ["{admin_id}"]}),
            ),
            ADMIN,
            201,
        ),
        c("GET", "/api/v1/sharing-rules/{rule}", None, ADMIN, 200),
        c(
            "PATCH",
            "/api/v1/sharing-rules/{rule}",
            Some(|| json!({"active": false})),
            ADMIN,
            200,
        ),
        c("DELETE", "/api/v1/sharing-rules/{rule}", None, ADMIN, 204),
        c("POST", "/api/v1/sharing-rules/run", None, ADMIN, 200),
    ]
}

/// The path template as the OpenAPI document writes it.
pub(super) fn as_documented(path: &str) -> String {
    path.replace("{rule}", "{id}")
}

/// Fills `{admin_id}` and `{rule}` (after the customer placeholders are filled).
pub(super) async fn fill(w: &World, path: &mut String, body: &mut Option<String>, n: usize) {
    let admin = w.app.admin.account_id.to_string();
    if path.contains("{rule}") {
        let (s, tag) = w
            .app
            .call(
                w.key(P::Admin),
                "POST",
                "/api/v1/tags",
                Some(json!({"name": format!("Nhãn chia sẻ {n}")})),
            )
            .await;
        assert_eq!(s, 201, "{tag}");
        let (s, v): (u16, Value) = w
            .app
            .call(
                w.key(P::Admin),
                "POST",
                "/api/v1/sharing-rules",
                Some(json!({"name": format!("Quy tắc {n}"), "match": {"type": "tag", "id": tag["id"]}, "account_ids": [w.app.admin.account_id]})),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        *path = path.replace("{rule}", &v["id"].to_string());
    }
    if let Some(b) = body.as_mut() {
        *b = b.replace("\"{admin_id}\"", &admin);
    }
}
