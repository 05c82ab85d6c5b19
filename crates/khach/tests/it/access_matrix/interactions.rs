//! The interaction history endpoints of the access matrix: ingestion needs the
//! customer edit permission and reaches only customers in scope (Care, who may edit
//! but does not reach `{customer}`, is told "not found"; in a batch, per event);
//! counter rules and score levels change only with the customer settings permission.

use super::{ADMIN, Case, P, STAFF, World};
use serde_json::json;

const REACH: &[P] = &[P::Admin, P::Manager, P::Sales];
const CARE: &[P] = &[P::Care];

pub(super) fn policy() -> Vec<Case> {
    let c = |method, path, body, allowed, ok, hidden| Case {
        method,
        path,
        body,
        allowed,
        ok,
        hidden,
    };
    vec![
        c(
            "POST",
            "/api/v1/events",
            Some(
                || json!({"customer": {"id": "{customer}"}, "type": "page.viewed", "source": "web"}),
            ),
            REACH,
            201,
            CARE,
        ),
        c(
            "POST",
            "/api/v1/events/batch",
            Some(
                || json!({"events": [{"customer": {"id": "{customer}"}, "type": "email.opened", "source": "mail"}]}),
            ),
            STAFF,
            200,
            &[],
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/events/export",
            None,
            REACH,
            200,
            &[],
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/interactions",
            None,
            REACH,
            200,
            CARE,
        ),
        c("GET", "/api/v1/interaction-rules", None, STAFF, 200, &[]),
        c(
            "PUT",
            "/api/v1/interaction-rules",
            Some(|| json!({"rules": [{"type": "customer.created", "interaction": 1}]})),
            ADMIN,
            200,
            &[],
        ),
        c("GET", "/api/v1/score-levels", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/score-levels",
            Some(|| json!({"name": "Mức mới", "threshold": 10})),
            ADMIN,
            201,
            &[],
        ),
        c(
            "PUT",
            "/api/v1/score-levels/{level}",
            Some(|| json!({"name": "Mức sửa", "threshold": 20, "up": {"notify_owner": true}})),
            ADMIN,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/score-levels/{level}",
            None,
            ADMIN,
            204,
            &[],
        ),
        c("GET", "/api/v1/notifications", None, STAFF, 200, &[]),
        c("POST", "/api/v1/notifications/read", None, STAFF, 204, &[]),
    ]
}

pub(super) fn as_documented(path: &str) -> String {
    path.replace("{level}", "{id}")
}

/// A fresh score level for `{level}`.
pub(super) async fn fill(w: &World, path: &mut String, n: usize) {
    if path.contains("{level}") {
        let (s, v) = w
            .app
            .call(
                w.key(P::Admin),
                "POST",
                "/api/v1/score-levels",
                Some(json!({"name": format!("Mức {n}"), "threshold": n})),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        *path = path.replace("{level}", &v["id"].to_string());
    }
}
