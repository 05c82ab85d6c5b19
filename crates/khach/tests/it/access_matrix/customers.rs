//! The customer endpoints of the access matrix, and the fresh records their paths
//! and bodies name (`{customer}` is owned by the Sales person, who shares a
//! department with the Manager; Care sees neither, so it is told "not found").

use super::{ADMIN, ADMIN_MGR, Case, P, STAFF, World};
use serde_json::{Value, json};

/// Create customers and companies: everyone with customers.create.
const CREATE: &[P] = &[P::Admin, P::Manager, P::Sales];
/// Those who reach `{customer}` (Care has edit, but not this record).
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
        c("GET", "/api/v1/customers", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/customers",
            Some(|| json!({"name": "Khách mới"})),
            CREATE,
            201,
            &[],
        ),
        c(
            "POST",
            "/api/v1/customers/query",
            Some(|| json!({"q": "khach"})),
            STAFF,
            200,
            &[],
        ),
        c("GET", "/api/v1/customers/bin", None, ADMIN_MGR, 200, &[]),
        c(
            "POST",
            "/api/v1/customers/bulk",
            Some(|| json!({"ids": [1, 2], "action": {"type": "tag", "tags": ["Đợt 1"]}})),
            STAFF,
            200,
            &[],
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}",
            None,
            REACH,
            200,
            CARE,
        ),
        c(
            "PATCH",
            "/api/v1/customers/{customer}",
            Some(|| json!({"notes": "Gọi lại"})),
            REACH,
            200,
            CARE,
        ),
        c(
            "DELETE",
            "/api/v1/customers/{customer}",
            None,
            ADMIN_MGR,
            204,
            &[],
        ),
        c(
            "POST",
            "/api/v1/customers/{binned}/restore",
            None,
            ADMIN_MGR,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/customers/{binned}/purge",
            None,
            ADMIN,
            204,
            &[],
        ),
        c(
            "PUT",
            "/api/v1/customers/{customer}/do-not-contact",
            Some(|| json!({"reason": "Khách từ chối"})),
            REACH,
            200,
            CARE,
        ),
        c(
            "DELETE",
            "/api/v1/customers/{customer}/do-not-contact",
            None,
            REACH,
            200,
            CARE,
        ),
        c(
            "POST",
            "/api/v1/customers/{customer}/arrivals",
            Some(|| json!({"source_id": "{source}"})),
            REACH,
            200,
            CARE,
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/events",
            None,
            REACH,
            200,
            CARE,
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/contacts",
            None,
            REACH,
            200,
            CARE,
        ),
        c(
            "POST",
            "/api/v1/customers/{customer}/contacts",
            Some(|| json!({"name": "Chị Hoa"})),
            REACH,
            201,
            CARE,
        ),
        c(
            "PATCH",
            "/api/v1/customers/{customer}/contacts/{contact}",
            Some(|| json!({"relation": "kế toán"})),
            REACH,
            200,
            CARE,
        ),
        c(
            "DELETE",
            "/api/v1/customers/{customer}/contacts/{contact}",
            None,
            REACH,
            204,
            CARE,
        ),
        c("GET", "/api/v1/customer-settings", None, STAFF, 200, &[]),
        c(
            "PATCH",
            "/api/v1/customer-settings",
            Some(|| json!({"bin_retention_days": 30})),
            ADMIN,
            200,
            &[],
        ),
        c("GET", "/api/v1/me/customer-columns", None, STAFF, 200, &[]),
        c(
            "PUT",
            "/api/v1/me/customer-columns",
            Some(|| json!({"columns": ["code", "name"]})),
            STAFF,
            200,
            &[],
        ),
        c("GET", "/api/v1/me/customer-tabs", None, STAFF, 200, &[]),
        c(
            "PUT",
            "/api/v1/me/customer-tabs",
            Some(|| json!({"tabs": ["profile", "history"]})),
            STAFF,
            200,
            &[],
        ),
        c("GET", "/api/v1/companies", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/companies",
            Some(|| json!({"name": "Công ty TNHH Mới"})),
            CREATE,
            201,
            &[],
        ),
        c("GET", "/api/v1/companies/{company}", None, STAFF, 200, &[]),
        c(
            "PATCH",
            "/api/v1/companies/{company}",
            Some(|| json!({"website": "https://khach.vn"})),
            STAFF,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/companies/{company}",
            None,
            ADMIN_MGR,
            204,
            &[],
        ),
        c("GET", "/api/v1/custom-fields", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/custom-fields",
            Some(|| json!({"entity": "customer", "label": "Trường mới", "kind": "text"})),
            ADMIN,
            201,
            &[],
        ),
        c(
            "GET",
            "/api/v1/custom-fields/{field}",
            None,
            STAFF,
            200,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/custom-fields/{field}",
            Some(|| json!({"label": "Đổi nhãn"})),
            ADMIN,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/custom-fields/{field}",
            None,
            ADMIN,
            204,
            &[],
        ),
        c(
            "POST",
            "/api/v1/custom-fields/{field}/kind",
            Some(|| json!({"kind": "long_text"})),
            ADMIN,
            200,
            &[],
        ),
        c("GET", "/api/v1/tags", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/tags",
            Some(|| json!({"name": "Nhãn mới"})),
            ADMIN,
            201,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/tags/{tag}",
            Some(|| json!({"color": "#16a34a"})),
            ADMIN,
            200,
            &[],
        ),
        c("DELETE", "/api/v1/tags/{tag}", None, ADMIN, 204, &[]),
        c(
            "POST",
            "/api/v1/tags/{tag}/merge",
            Some(|| json!({"into": "{tag2}"})),
            ADMIN,
            200,
            &[],
        ),
        c("GET", "/api/v1/stages", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/stages",
            Some(|| json!({"name": "Giai đoạn mới"})),
            ADMIN,
            201,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/stages/{stage}",
            Some(|| json!({"position": 1})),
            ADMIN,
            200,
            &[],
        ),
        c("DELETE", "/api/v1/stages/{stage}", None, ADMIN, 204, &[]),
        c("GET", "/api/v1/sources", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/sources",
            Some(|| json!({"name": "Nguồn mới"})),
            ADMIN,
            201,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/sources/{source}",
            Some(|| json!({"priority": 5})),
            ADMIN,
            200,
            &[],
        ),
        c("DELETE", "/api/v1/sources/{source}", None, ADMIN, 204, &[]),
        c("GET", "/api/v1/saved-filters", None, STAFF, 200, &[]),
        c(
            "POST",
            "/api/v1/saved-filters",
            Some(|| json!({"name": "Của tôi", "definition": {"rules": []}})),
            STAFF,
            201,
            &[],
        ),
        c(
            "GET",
            "/api/v1/saved-filters/{filter}",
            None,
            STAFF,
            200,
            &[],
        ),
        c(
            "PATCH",
            "/api/v1/saved-filters/{filter}",
            Some(|| json!({"name": "Đổi tên"})),
            ADMIN,
            200,
            &[],
        ),
        c(
            "DELETE",
            "/api/v1/saved-filters/{filter}",
            None,
            ADMIN,
            204,
            &[],
        ),
    ]
}

/// The path template as the OpenAPI document writes it.
pub(super) fn as_documented(path: &str) -> String {
    let mut p = path.replace("{contact}", "{contact_id}");
    for ph in [
        "{customer}",
        "{binned}",
        "{company}",
        "{field}",
        "{tag}",
        "{stage}",
        "{source}",
        "{filter}",
    ] {
        p = p.replace(ph, "{id}");
    }
    p
}

async fn make(w: &World, who: P, path: &str, body: Value) -> i64 {
    let (s, v) = w.app.call(w.key(who), "POST", path, Some(body)).await;
    assert_eq!(s, 201, "fixture {path}: {v}");
    v["id"].as_i64().unwrap()
}

/// Fresh records for the customer placeholders in `path` and `body`, filled in (in
/// a body, `"{x}"` becomes the bare number).
pub(super) async fn fill(w: &World, path: &mut String, body: &mut Option<String>, n: usize) {
    let has = |ph: &str| path.contains(ph) || body.as_ref().is_some_and(|b| b.contains(ph));
    let mut ids: Vec<(&str, i64)> = Vec::new();
    if has("{customer}") || has("{binned}") {
        let id = make(
            w,
            P::Sales,
            "/api/v1/customers",
            json!({"name": format!("Khách {n}")}),
        )
        .await;
        if has("{binned}") {
            let (s, v) = w
                .app
                .call(
                    w.key(P::Admin),
                    "DELETE",
                    &format!("/api/v1/customers/{id}"),
                    None,
                )
                .await;
            assert_eq!(s, 204, "{v}");
            ids.push(("{binned}", id));
        }
        if has("{contact}") {
            let path = format!("/api/v1/customers/{id}/contacts");
            ids.push((
                "{contact}",
                make(w, P::Admin, &path, json!({"name": "Anh Nam"})).await,
            ));
        }
        ids.push(("{customer}", id));
    }
    let fixtures = [
        (
            "{company}",
            "/api/v1/companies",
            json!({"name": format!("Công ty {n}")}),
        ),
        (
            "{field}",
            "/api/v1/custom-fields",
            json!({"entity": "customer", "key": format!("f{n}"), "label": format!("Trường {n}"), "kind": "text"}),
        ),
        (
            "{tag}",
            "/api/v1/tags",
            json!({"name": format!("Nhãn {n}")}),
        ),
        (
            "{tag2}",
            "/api/v1/tags",
            json!({"name": format!("Nhãn {n} bis")}),
        ),
        (
            "{stage}",
            "/api/v1/stages",
            json!({"name": format!("Giai đoạn {n}")}),
        ),
        (
            "{source}",
            "/api/v1/sources",
            json!({"name": format!("Nguồn {n}")}),
        ),
        (
            "{filter}",
            "/api/v1/saved-filters",
            json!({"name": format!("Bộ lọc {n}"), "shared": true, "definition": {"rules": []}}),
        ),
    ];
    for (ph, at, b) in fixtures {
        if has(ph) {
            ids.push((ph, make(w, P::Admin, at, b).await));
        }
    }
    for (ph, id) in ids {
        *path = path.replace(ph, &id.to_string());
        if let Some(b) = body.as_mut() {
            *b = b
                .replace(&format!("\"{ph}\""), &id.to_string())
                .replace(ph, &id.to_string());
        }
    }
}
