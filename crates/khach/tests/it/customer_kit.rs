//! Helpers shared by the customer tests: calls that must succeed, and the pieces of
//! a customer list the assertions look at.

use khach_testkit::{Principal, TestApp};
use serde_json::{Value, json};

/// A call that must answer `want`; returns the body.
pub async fn expect(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (s, v) = app.call(Some(key), method, path, body).await;
    assert_eq!(s, want, "{:?} {method} {path}: {v}", app.backend);
    v
}

/// `POST /customers` that must succeed; the created customer.
pub async fn create(app: &TestApp, key: &str, body: Value) -> Value {
    expect(app, key, "POST", "/api/v1/customers", Some(body), 201).await
}

/// A customer with just a name; its id.
pub async fn named(app: &TestApp, key: &str, name: &str) -> i64 {
    create(app, key, json!({ "name": name })).await["id"]
        .as_i64()
        .unwrap()
}

/// `POST /customers/query` with a filter (and no quick search).
pub async fn query(app: &TestApp, key: &str, filter: Value) -> (u16, Value) {
    app.call(
        Some(key),
        "POST",
        "/api/v1/customers/query",
        Some(json!({ "filter": filter, "limit": 200 })),
    )
    .await
}

/// The names of a list's items, in order.
pub fn names(list: &Value) -> Vec<String> {
    field(list, "name")
}

/// One string field of each item of a list, in order.
pub fn field(list: &Value, f: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|c| c[f].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The ids of a list's items, in order.
pub fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// A person whose role (made through the roles API) has the given customer
/// permissions, scope and masking.
pub async fn with_role(
    app: &TestApp,
    username: &str,
    role_name: &str,
    permissions: Value,
    scope: &str,
    mask: bool,
) -> Principal {
    let admin = app.admin.key.as_str();
    let role = expect(
        app,
        admin,
        "POST",
        "/api/v1/roles",
        Some(json!({"name": role_name, "scope": scope, "permissions": permissions, "mask_contacts": mask})),
        201,
    )
    .await;
    let p = app.make_principal(username, "sales", None).await;
    expect(
        app,
        admin,
        "PATCH",
        &format!("/api/v1/accounts/{}", p.account_id),
        Some(json!({ "role_id": role["id"] })),
        200,
    )
    .await;
    p
}

/// The `kind`s of a customer's timeline, newest first (as an admin sees it).
pub async fn kinds(app: &TestApp, id: i64) -> Vec<String> {
    let path = format!("/api/v1/customers/{id}/events?limit=200");
    let v = expect(app, &app.admin.key, "GET", &path, None, 200).await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The item of a list with this name.
pub fn by_name<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list}"))
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
