//! The interaction history through the REST API: Getfly's counter rules one by one,
//! idempotent and out-of-order delivery, batch errors by index, customers found by
//! code, phone or e-mail (and created when asked), and `khach recompute` agreeing
//! with the counters kept incrementally.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

/// `POST /events/batch` that must answer 200.
pub async fn batch(app: &TestApp, events: Value) -> Value {
    expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/events/batch",
        Some(json!({ "events": events })),
        200,
    )
    .await
}

/// The counters of a customer.
pub async fn summary(app: &TestApp, id: i64) -> Value {
    let path = format!("/api/v1/customers/{id}/interactions");
    expect(app, &app.admin.key, "GET", &path, None, 200).await
}

fn ev(id: i64, kind: &str, at: &str, ext: Option<&str>, props: Value) -> Value {
    json!({"customer": {"id": id}, "type": kind, "source": "test", "occurred_at": at,
           "external_id": ext, "properties": props})
}

/// A rule's case: name, events (type, time, properties), interaction count after,
/// whether a last contact is set.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str, Value)>, i64, bool);

/// One Getfly rule per row: the events sent (type, time, properties) after the
/// customer is created (which counts one), the interaction count and whether the
/// last contact is set.
#[tokio::test]
async fn each_getfly_counter_rule() {
    const T: &str = "2026-11-20T10:05:00Z";
    let rows: Vec<Case> = vec![
        ("created", vec![], 1, false),
        (
            "email delivered",
            vec![("email.delivered", T, json!({}))],
            2,
            false,
        ),
        ("email read", vec![("email.opened", T, json!({}))], 2, true),
        (
            "each click",
            vec![
                ("email.clicked", T, json!({})),
                ("email.clicked", T, json!({})),
            ],
            3,
            true,
        ),
        (
            "email sent only",
            vec![("email.sent", T, json!({}))],
            1,
            false,
        ),
        (
            "task not cancelled",
            vec![
                ("task.done", T, json!({})),
                ("task.cancelled", T, json!({})),
            ],
            2,
            false,
        ),
        (
            "sms delivered",
            vec![("sms.delivered", T, json!({}))],
            2,
            false,
        ),
        (
            "sms sent: contact only",
            vec![("sms.sent", T, json!({}))],
            1,
            true,
        ),
        (
            "zns delivered then deleted",
            vec![
                ("zns.delivered", T, json!({})),
                ("zns.deleted", T, json!({})),
            ],
            1,
            false,
        ),
        (
            "outgoing call answered",
            vec![("call.out.answered", T, json!({"duration_s": 30}))],
            2,
            true,
        ),
        (
            "outgoing call missed",
            vec![("call.out.missed", T, json!({}))],
            1,
            true,
        ),
        (
            "incoming call answered",
            vec![("call.in.answered", T, json!({}))],
            1,
            true,
        ),
        (
            "comments once an hour",
            vec![
                ("comment.added", "2026-11-20T10:01:00Z", json!({})),
                ("comment.added", "2026-11-20T10:59:00Z", json!({})),
                ("comment.added", "2026-11-20T11:00:00Z", json!({})),
            ],
            3,
            false,
        ),
        (
            "system comment",
            vec![("comment.added", T, json!({"system": true}))],
            1,
            false,
        ),
        (
            "deleting a comment",
            vec![
                ("comment.added", T, json!({})),
                ("comment.deleted", T, json!({})),
            ],
            2,
            false,
        ),
        (
            "manual last contact",
            vec![("contact.updated", T, json!({"comment": "gọi lại"}))],
            1,
            true,
        ),
        (
            "order placed",
            vec![("order.placed", T, json!({"total": 500000}))],
            1,
            true,
        ),
        (
            "meeting done",
            vec![("meeting.done", T, json!({}))],
            1,
            true,
        ),
        ("page view", vec![("page.viewed", T, json!({}))], 1, false),
    ];
    for b in backends() {
        let app = TestApp::spawn(b).await;
        // One batch for every case (each on its own customer), one list to read them.
        let mut all = Vec::new();
        for (name, events, _, _) in &rows {
            let id = create(&app, &app.admin.key, json!({"name": name})).await["id"]
                .as_i64()
                .unwrap();
            all.extend(
                events
                    .iter()
                    .map(|(k, at, p)| ev(id, k, at, None, p.clone())),
            );
        }
        let r = batch(&app, json!(all)).await;
        assert_eq!(r["stored"], all.len(), "{b:?}: {r}");
        let list = expect(
            &app,
            &app.admin.key,
            "GET",
            "/api/v1/customers?limit=200",
            None,
            200,
        )
        .await;
        for (name, _, want, contact) in &rows {
            let c = crate::customer_kit::by_name(&list, name);
            assert_eq!(c["interaction_count"], *want, "{b:?} {name}: {c}");
            assert_eq!(c["last_contact_at"].is_string(), *contact, "{b:?} {name}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn duplicates_out_of_order_and_errors_by_index() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let c = create(
            &app,
            &k,
            json!({"name": "Lan", "phones": ["0912 000 111"],
                                        "emails": ["lan@shop.vn"], "code": "LAN-1"}),
        )
        .await;
        let id = c["id"].as_i64().unwrap();
        // Newer event first, then an older one: the last contact is the newest.
        let r = batch(
            &app,
            json!([
                {"customer": {"phone": "+84912000111"}, "type": "email.opened", "source": "mail",
                 "external_id": "m-2", "occurred_at": "2026-11-20T09:00:00Z"},
                {"customer": {"email": "LAN@shop.vn"}, "type": "email.opened", "source": "mail",
                 "external_id": "m-1", "occurred_at": "2026-11-01T09:00:00Z"},
                {"customer": {"code": "lan-1"}, "type": "no.such", "source": "mail"},
                {"customer": {"id": 999999}, "type": "email.opened", "source": "mail"},
                {"customer": {"code": "LAN-1"}, "type": "email.opened", "source": "mail",
                 "external_id": "m-2", "occurred_at": "2026-11-20T09:00:00Z"},
                {"customer": {}, "type": "email.opened", "source": "mail"},
                {"customer": {"phone": "0987 000 999", "name": "Mới"}, "type": "form.submitted",
                 "source": "web", "external_id": "f-1", "create_if_missing": true},
            ]),
        )
        .await;
        let st: Vec<&str> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            st,
            [
                "stored",
                "stored",
                "rejected",
                "rejected",
                "duplicate",
                "rejected",
                "stored"
            ],
            "{r}"
        );
        assert_eq!(r["results"][2]["error"], "validation_failed");
        assert!(r["results"][2]["fields"]["type"].is_string(), "{r}");
        assert_eq!(r["results"][3]["error"], "not_found");
        assert_eq!(r["results"][4]["event_id"], r["results"][0]["event_id"]);
        assert_eq!(r["created_customers"], 1);
        let s = summary(&app, id).await;
        assert_eq!(s["interaction_count"], 3, "{s}");
        assert_eq!(s["last_contact_at"], "2026-11-20T09:00:00Z");
        assert_eq!(s["score"], 2);
        // Redelivery of the whole batch changes nothing.
        let before = summary(&app, id).await;
        let again = batch(&app, json!([
            {"customer": {"id": id}, "type": "email.opened", "source": "mail", "external_id": "m-1",
             "occurred_at": "2026-11-01T09:00:00Z"},
            {"customer": {"id": id}, "type": "email.opened", "source": "mail", "external_id": "m-2",
             "occurred_at": "2026-11-20T09:00:00Z"},
        ])).await;
        assert_eq!(again["duplicates"], 2, "{again}");
        assert_eq!(summary(&app, id).await, before);
        // The created customer got its event (and one interaction for its creation).
        let newcomer = r["results"][6]["customer_id"].as_i64().unwrap();
        let got = expect(
            &app,
            &k,
            "GET",
            &format!("/api/v1/customers/{newcomer}"),
            None,
            200,
        )
        .await;
        assert_eq!(got["name"], "Mới");
        assert_eq!(summary(&app, newcomer).await["interaction_count"], 1);
        // One event: 201, then 200 for the repeat; unknown customer 404; bad 422.
        let one = json!({"customer": {"id": id}, "type": "custom.webinar", "source": "zoom",
                         "external_id": "w-1", "properties": {"title": "Ra mắt"}});
        let first = expect(&app, &k, "POST", "/api/v1/events", Some(one.clone()), 201).await;
        let second = expect(&app, &k, "POST", "/api/v1/events", Some(one), 200).await;
        assert_eq!(first["event_id"], second["event_id"]);
        assert_eq!(second["status"], "duplicate");
        expect(
            &app,
            &k,
            "POST",
            "/api/v1/events",
            Some(json!({"customer": {"id": 424242}, "type": "page.viewed", "source": "web"})),
            404,
        )
        .await;
        let bad = expect(
            &app,
            &k,
            "POST",
            "/api/v1/events",
            Some(json!({"customer": {"id": id}, "type": "contact.updated", "source": "web"})),
            422,
        )
        .await;
        assert!(
            bad["error"]["fields"]["properties.comment"].is_string(),
            "{bad}"
        );
        // More than 1,000 is refused whole.
        let many: Vec<Value> = (0..1001)
            .map(|_| ev(id, "page.viewed", "2026-11-20T10:00:00Z", None, json!({})))
            .collect();
        expect(
            &app,
            &k,
            "POST",
            "/api/v1/events/batch",
            Some(json!({"events": many})),
            422,
        )
        .await;
        // The timeline with filters.
        let tl = |q: &str| format!("/api/v1/customers/{id}/events?{q}");
        let only = expect(&app, &k, "GET", &tl("source=zoom"), None, 200).await;
        assert_eq!(only["items"].as_array().unwrap().len(), 1);
        assert_eq!(only["items"][0]["payload"]["title"], "Ra mắt");
        let except = expect(
            &app,
            &k,
            "GET",
            &tl("except_source=zoom&limit=200"),
            None,
            200,
        )
        .await;
        assert!(
            except["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["source"] != "zoom")
        );
        let text = expect(&app, &k, "GET", &tl("q=ra%20m"), None, 200).await;
        assert_eq!(text["items"].as_array().unwrap().len(), 1, "{text}");
        let csv = app
            .client()
            .get(app.url(&format!("/api/v1/customers/{id}/events/export?source=mail")))
            .bearer_auth(&k)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        // The same as an Excel file: a header and the two rows, every cell a string.
        let r = app
            .client()
            .get(app.url(&format!(
                "/api/v1/customers/{id}/events/export?source=mail&format=xlsx"
            )))
            .bearer_auth(&k)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = r.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[0][2], "type");
        assert!(rows[1..].iter().all(|r| r[3] == "mail"), "{rows:?}");
        let bad = app
            .client()
            .get(app.url(&format!("/api/v1/customers/{id}/events/export?format=pdf")))
            .bearer_auth(&k)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        app.stop().await;
    }
}

#[tokio::test]
async fn recompute_agrees_with_incremental_counters() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let mut ids = Vec::new();
        for n in 0..3 {
            ids.push(
                create(&app, &k, json!({"name": format!("K{n}")})).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let kinds = [
            "email.opened",
            "comment.added",
            "zns.delivered",
            "zns.deleted",
            "order.placed",
            "call.out.answered",
            "page.viewed",
            "email.clicked",
        ];
        let mut events = Vec::new();
        for i in 0..60 {
            let at = format!(
                "2026-11-{:02}T{:02}:{:02}:00Z",
                1 + i % 20,
                (i * 7) % 24,
                (i * 13) % 60
            );
            events.push(ev(
                ids[i % 3],
                kinds[i % kinds.len()],
                &at,
                Some(&format!("e{}", i % 50)),
                json!({}),
            ));
        }
        batch(&app, json!(events[..30])).await;
        batch(&app, json!(events[30..])).await;
        // Changing the rules then recomputing moves the counters; recomputing again
        // finds nothing to fix.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_khach"))
            .args(["--database-url", &app.db_url, "recompute", "--check"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let before = summary(&app, ids[0]).await;
        let mut rules = expect(&app, &k, "GET", "/api/v1/interaction-rules", None, 200).await;
        for r in rules["rules"].as_array_mut().unwrap() {
            if r["type"] == "page.viewed" {
                r["score"] = json!(100);
            }
        }
        expect(
            &app,
            &k,
            "PUT",
            "/api/v1/interaction-rules",
            Some(rules),
            200,
        )
        .await;
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_khach"))
                .args(["--database-url", &app.db_url])
                .args(args)
                .output()
                .unwrap()
        };
        assert!(!run(&["recompute", "--check"]).status.success());
        assert!(run(&["recompute"]).status.success());
        let o = run(&["recompute", "--check"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let after = summary(&app, ids[0]).await;
        assert!(
            after["score"].as_i64().unwrap() > before["score"].as_i64().unwrap(),
            "{before} {after}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn list_sorts_and_filters_by_counters() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let mut ids = Vec::new();
        for (n, orders) in [("Ít", 1), ("Nhiều", 3), ("Vừa", 2), ("Chưa", 0)] {
            let id = create(&app, &k, json!({"name": n})).await["id"]
                .as_i64()
                .unwrap();
            let list: Vec<Value> = (0..orders)
                .map(|i| {
                    ev(
                        id,
                        "order.placed",
                        &format!("2026-11-2{i}T08:00:00Z"),
                        None,
                        json!({}),
                    )
                })
                .collect();
            if !list.is_empty() {
                batch(&app, json!(list)).await;
            }
            ids.push(id);
        }
        let names = |v: &Value| crate::customer_kit::names(v);
        let by_score = expect(&app, &k, "GET", "/api/v1/customers?sort=-score", None, 200).await;
        assert_eq!(names(&by_score), ["Nhiều", "Vừa", "Ít", "Chưa"], "{b:?}");
        assert_eq!(by_score["items"][0]["score"], 30);
        assert_eq!(
            by_score["items"][0]["last_contact_at"],
            "2026-11-22T08:00:00Z"
        );
        // The test clock says 2026-11-25 02:00.
        assert_eq!(by_score["items"][0]["days_since_last_contact"], 2);
        assert!(by_score["items"][3]["days_since_last_contact"].is_null());
        let by_contact = expect(
            &app,
            &k,
            "GET",
            "/api/v1/customers?sort=last_contact&limit=2",
            None,
            200,
        )
        .await;
        assert_eq!(names(&by_contact), ["Chưa", "Ít"], "{b:?}");
        let next = by_contact["next_cursor"].as_str().unwrap().to_string();
        let rest = expect(
            &app,
            &k,
            "GET",
            &format!(
                "/api/v1/customers?sort=last_contact&limit=2&cursor={}",
                crate::customer_kit::enc(&next)
            ),
            None,
            200,
        )
        .await;
        assert_eq!(names(&rest), ["Vừa", "Nhiều"], "{b:?}");
        let (st, f) = crate::customer_kit::query(
            &app,
            &k,
            json!({"rules": [
            {"field": "interaction_count", "op": "gte", "value": 1},
            {"field": "score", "op": "between", "value": [15, 25]},
            {"field": "last_contact_at", "op": "is_not_empty"}]}),
        )
        .await;
        assert_eq!(st, 200, "{f}");
        assert_eq!(names(&f), ["Vừa"], "{b:?}");
        let (_, never) = crate::customer_kit::query(
            &app,
            &k,
            json!({"rules": [{"field": "last_contact_at", "op": "is_empty"}]}),
        )
        .await;
        assert_eq!(names(&never), ["Chưa"]);
        app.stop().await;
    }
}
