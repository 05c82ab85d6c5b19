//! Sharing rules through the API: the care status ("to be shared" → "shared"), view
//! without edit, customers that come to match (or stop), rules by saved filter and
//! department, and removing a rule removing exactly the access it gave.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

async fn see(app: &TestApp, key: &str, id: i64) -> u16 {
    app.call(Some(key), "GET", &format!("/api/v1/customers/{id}"), None)
        .await
        .0
}

async fn status(app: &TestApp, id: i64) -> Value {
    let c = expect(
        app,
        &app.admin.key,
        "GET",
        &format!("/api/v1/customers/{id}"),
        None,
        200,
    )
    .await;
    c["share_status"].clone()
}

async fn run(app: &TestApp) -> Value {
    expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/sharing-rules/run",
        None,
        200,
    )
    .await
}

async fn rule(app: &TestApp, body: Value) -> Value {
    expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/sharing-rules",
        Some(body),
        201,
    )
    .await
}

#[tokio::test]
async fn a_tag_rule_shares_for_viewing_once_the_run_has_made_it_effective() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let sales = app.make_principal("sales", "sales", None).await;
        let care = app.make_principal("care", "care", None).await;
        let vip = create(
            &app,
            &sales.key,
            json!({"name": "Khách VIP", "tags": ["VIP"]}),
        )
        .await;
        let plain = create(&app, &sales.key, json!({"name": "Khách thường"})).await;
        let (vip, plain) = (vip["id"].as_i64().unwrap(), plain["id"].as_i64().unwrap());
        let tags = expect(&app, &app.admin.key, "GET", "/api/v1/tags", None, 200).await;
        let tag = tags["items"][0]["id"].as_i64().unwrap();

        let r = rule(&app, json!({"name": "VIP cho CSKH", "match": {"type": "tag", "id": tag}, "account_ids": [care.account_id]})).await;
        assert_eq!(
            (r["to_be_shared"].as_u64(), r["shared"].as_u64()),
            (Some(1), Some(0)),
            "{b:?} {r}"
        );
        assert_eq!(status(&app, vip).await, "to_be_shared", "{b:?}");
        assert_eq!(
            see(&app, &care.key, vip).await,
            404,
            "{b:?}: not effective before the run"
        );

        let done = run(&app).await;
        assert_eq!(done["shared"], 1, "{b:?} {done}");
        assert_eq!(status(&app, vip).await, "shared");
        assert_eq!(status(&app, plain).await, Value::Null);
        assert_eq!(see(&app, &care.key, vip).await, 200, "{b:?}");
        assert_eq!(see(&app, &care.key, plain).await, 404, "{b:?}");
        let l = expect(&app, &care.key, "GET", "/api/v1/customers", None, 200).await;
        assert_eq!(l["total"], 1, "{b:?}");
        // View only: care may edit customers, but not this one.
        let (st, e) = app
            .call(
                Some(&care.key),
                "PATCH",
                &format!("/api/v1/customers/{vip}"),
                Some(json!({"notes": "x"})),
            )
            .await;
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (403, Some("read_only")),
            "{e}"
        );

        // A customer that comes to match is shared right away; one that stops, unshared.
        expect(
            &app,
            &sales.key,
            "PATCH",
            &format!("/api/v1/customers/{plain}"),
            Some(json!({"tags": ["VIP"]})),
            200,
        )
        .await;
        assert_eq!(
            see(&app, &care.key, plain).await,
            200,
            "{b:?}: came to match"
        );
        expect(
            &app,
            &sales.key,
            "PATCH",
            &format!("/api/v1/customers/{vip}"),
            Some(json!({"tags": []})),
            200,
        )
        .await;
        assert_eq!(
            see(&app, &care.key, vip).await,
            404,
            "{b:?}: stopped matching"
        );
        assert_eq!(status(&app, vip).await, Value::Null);

        // Switched off, the rule stops sharing at once.
        let id = r["id"].as_i64().unwrap();
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            &format!("/api/v1/sharing-rules/{id}"),
            Some(json!({"active": false})),
            200,
        )
        .await;
        assert_eq!(see(&app, &care.key, plain).await, 404, "{b:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn deleting_a_rule_removes_only_what_it_gave() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let care = app.make_principal("care", "care", None).await;
        let both = create(
            &app,
            &app.admin.key,
            json!({"name": "Cả hai", "tags": ["Đợt 1"], "viewers": [care.account_id]}),
        )
        .await;
        let only_rule = create(
            &app,
            &app.admin.key,
            json!({"name": "Chỉ quy tắc", "tags": ["Đợt 1"]}),
        )
        .await;
        let other_rule = create(
            &app,
            &app.admin.key,
            json!({"name": "Quy tắc khác", "tags": ["Đợt 1", "Đợt 2"]}),
        )
        .await;
        let tags = expect(&app, &app.admin.key, "GET", "/api/v1/tags", None, 200).await;
        let tag = |n: &str| {
            tags["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == n)
                .unwrap()["id"]
                .clone()
        };
        let r1 = rule(&app, json!({"name": "Đợt 1", "match": {"type": "tag", "id": tag("Đợt 1")}, "account_ids": [care.account_id]})).await;
        rule(&app, json!({"name": "Đợt 2", "match": {"type": "tag", "id": tag("Đợt 2")}, "account_ids": [care.account_id]})).await;
        run(&app).await;
        let id = |c: &Value| c["id"].as_i64().unwrap();
        for c in [&both, &only_rule, &other_rule] {
            assert_eq!(see(&app, &care.key, id(c)).await, 200, "{b:?}");
        }
        expect(
            &app,
            &app.admin.key,
            "DELETE",
            &format!("/api/v1/sharing-rules/{}", r1["id"]),
            None,
            204,
        )
        .await;
        assert_eq!(
            see(&app, &care.key, id(&both)).await,
            200,
            "{b:?}: viewer by hand stays"
        );
        assert_eq!(
            see(&app, &care.key, id(&only_rule)).await,
            404,
            "{b:?}: the rule's access goes"
        );
        assert_eq!(
            see(&app, &care.key, id(&other_rule)).await,
            200,
            "{b:?}: another rule's stays"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn rules_by_saved_filter_and_department() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let dept = app.make_department("Chăm sóc").await;
        let member = app.make_principal("member", "care", Some(dept)).await;
        let outsider = app.make_principal("outsider", "care", None).await;
        let stage = expect(
            &app,
            &app.admin.key,
            "POST",
            "/api/v1/stages",
            Some(json!({"name": "Hẹn gặp"})),
            201,
        )
        .await;
        let c = create(
            &app,
            &app.admin.key,
            json!({"name": "Khách tiềm năng", "stage_id": stage["id"]}),
        )
        .await;
        let filter = expect(&app, &app.admin.key, "POST", "/api/v1/saved-filters", Some(json!({
            "name": "Hẹn gặp", "shared": true,
            "definition": {"op": "and", "rules": [{"field": "stage", "op": "eq", "value": stage["id"]}]}})), 201).await;
        rule(&app, json!({"name": "Theo bộ lọc", "match": {"type": "filter", "id": filter["id"]}, "department_id": dept})).await;
        run(&app).await;
        let id = c["id"].as_i64().unwrap();
        assert_eq!(see(&app, &member.key, id).await, 200, "{b:?}");
        assert_eq!(see(&app, &outsider.key, id).await, 404, "{b:?}");

        // Refusals name the field and store nothing.
        let before = app.fingerprint().await;
        for (body, field) in [
            (
                json!({"name": "x", "match": {"type": "tag", "id": 999999}, "account_ids": [member.account_id]}),
                "match",
            ),
            (
                json!({"name": "x", "match": {"type": "stage", "id": stage["id"]}}),
                "account_ids",
            ),
            (
                json!({"name": "", "match": {"type": "stage", "id": stage["id"]}, "account_ids": [member.account_id]}),
                "name",
            ),
            (
                json!({"name": "x", "match": {"type": "stage", "id": stage["id"]}, "account_ids": [999999]}),
                "account_ids",
            ),
        ] {
            let (st, e) = app
                .call(
                    Some(&app.admin.key),
                    "POST",
                    "/api/v1/sharing-rules",
                    Some(body.clone()),
                )
                .await;
            assert_eq!(st, 422, "{b:?} {body}: {e}");
            assert!(e["error"]["fields"][field].is_string(), "{b:?} {body}: {e}");
        }
        assert_eq!(app.fingerprint().await, before, "{b:?}");
        app.stop().await;
    }
}
