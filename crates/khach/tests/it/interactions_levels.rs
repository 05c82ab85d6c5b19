//! Score levels: a crossing up or down runs the level's actions once and appends one
//! `score.level_crossed` event (the webhook contract), whatever the batching,
//! repetition or order of the events.

use crate::customer_kit::{create, expect};
use crate::interactions::{batch, summary};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

fn order(id: i64, ext: &str, at: &str) -> Value {
    json!({"customer": {"id": id}, "type": "order.placed", "source": "pos",
           "external_id": ext, "occurred_at": at})
}

fn refund(id: i64, ext: &str) -> Value {
    json!({"customer": {"id": id}, "type": "custom.refund", "source": "pos",
           "external_id": ext, "occurred_at": "2026-11-21T08:00:00Z"})
}

#[tokio::test]
async fn level_crossings_fire_once() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        // A refund takes 15 points back.
        let mut rules = expect(&app, &k, "GET", "/api/v1/interaction-rules", None, 200).await;
        rules["rules"]
            .as_array_mut()
            .unwrap()
            .push(json!({"type": "custom.refund", "interaction": 0, "score": -15}));
        expect(
            &app,
            &k,
            "PUT",
            "/api/v1/interaction-rules",
            Some(rules),
            200,
        )
        .await;
        let level = expect(
            &app,
            &k,
            "POST",
            "/api/v1/score-levels",
            Some(json!({
                "name": "Nóng", "threshold": 15,
                "up": {"add_tags": ["Khách nóng"], "notify_owner": true, "webhook_ids": [7, 9]},
                "down": {"remove_tags": ["Khách nóng"]}
            })),
            201,
        )
        .await;
        let id = create(&app, &k, json!({"name": "Hoa"})).await["id"]
            .as_i64()
            .unwrap();
        // Two orders out of order in one batch, one of them twice: 20 points, one crossing.
        batch(
            &app,
            json!([
                order(id, "o-2", "2026-11-20T10:00:00Z"),
                order(id, "o-1", "2026-11-10T10:00:00Z"),
                order(id, "o-2", "2026-11-20T10:00:00Z")
            ]),
        )
        .await;
        // Redelivered and a third order: no new crossing.
        batch(
            &app,
            json!([
                order(id, "o-1", "2026-11-10T10:00:00Z"),
                order(id, "o-3", "2026-11-22T10:00:00Z")
            ]),
        )
        .await;
        assert_eq!(summary(&app, id).await["score"], 30);
        let c = expect(
            &app,
            &k,
            "GET",
            &format!("/api/v1/customers/{id}"),
            None,
            200,
        )
        .await;
        assert_eq!(c["tags"][0]["name"], "Khách nóng", "{c}");
        // Down below 15: crossing down, tag removed.
        batch(&app, json!([refund(id, "r-1")])).await;
        batch(&app, json!([refund(id, "r-1")])).await;
        assert_eq!(summary(&app, id).await["score"], 15);
        batch(&app, json!([refund(id, "r-2")])).await;
        assert_eq!(summary(&app, id).await["score"], 0);
        let c = expect(
            &app,
            &k,
            "GET",
            &format!("/api/v1/customers/{id}"),
            None,
            200,
        )
        .await;
        assert!(c["tags"].as_array().unwrap().is_empty(), "{c}");
        let tl = expect(
            &app,
            &k,
            "GET",
            &format!("/api/v1/customers/{id}/events?source=khach&limit=200"),
            None,
            200,
        )
        .await;
        let crossed: Vec<&Value> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "score.level_crossed")
            .collect();
        assert_eq!(crossed.len(), 2, "{tl}");
        assert_eq!(
            crossed[1]["payload"],
            json!({"level_id": level["id"], "level_name": "Nóng",
            "direction": "up", "score": 20, "webhook_ids": [7, 9]})
        );
        assert_eq!(crossed[0]["payload"]["direction"], "down");
        assert_eq!(crossed[0]["payload"]["score"], 0);
        assert_eq!(crossed[0]["payload"]["webhook_ids"], json!([]));
        // The owner was told once, in the app.
        let n = expect(&app, &k, "GET", "/api/v1/notifications", None, 200).await;
        assert_eq!(n["unread"], 1, "{n}");
        assert_eq!(n["items"][0]["customer_id"], id);
        let (st, page) = app
            .page(
                &app.login(&app.admin.name, &app.admin.password).await,
                "/notifications",
            )
            .await;
        assert_eq!(st, 200);
        assert!(page.contains("Hoa") && page.contains("Nóng"), "{page}");
        expect(&app, &k, "POST", "/api/v1/notifications/read", None, 204).await;
        let n = expect(&app, &k, "GET", "/api/v1/notifications", None, 200).await;
        assert_eq!(n["unread"], 0);
        app.stop().await;
    }
}

#[tokio::test]
async fn history_tab_settings_page_and_export() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let k = app.admin.key.clone();
    let id = create(&app, &k, json!({"name": "Bà Tư"})).await["id"]
        .as_i64()
        .unwrap();
    batch(
        &app,
        json!([
            {"customer": {"id": id}, "type": "email.opened", "source": "mail",
             "occurred_at": "2026-11-01T08:00:00Z", "properties": {"subject": "Ưu đãi"}},
            {"customer": {"id": id}, "type": "custom.webinar", "source": "zoom",
             "occurred_at": "2026-11-10T08:00:00Z", "actor": "Hệ thống Zoom"},
        ]),
    )
    .await;
    let web = app.login(&app.admin.name, &app.admin.password).await;
    let (st, page) = app
        .page(&web, &format!("/customers/{id}?tab=history"))
        .await;
    assert_eq!(st, 200);
    for want in [
        "history-chart",
        "series-score",
        "Đã mở e-mail",
        "custom.webinar",
        "Hệ thống Zoom",
        "Ưu đãi",
    ] {
        assert!(page.contains(want), "{want} missing");
    }
    let (_, only) = app
        .page(
            &web,
            &format!("/customers/{id}?tab=history&source=zoom&mode=only"),
        )
        .await;
    assert!(only.contains("custom.webinar") && !only.contains("Đã mở e-mail"));
    let (_, except) = app
        .page(
            &web,
            &format!("/customers/{id}?tab=history&source=zoom&mode=except"),
        )
        .await;
    assert!(!except.contains("data-kind=\"custom.webinar\"") && except.contains("Đã mở e-mail"));
    let (_, text) = app
        .page(
            &web,
            &format!("/customers/{id}?tab=history&q=%C6%B0u+%C4%91%C3%A3i"),
        )
        .await;
    assert!(
        text.contains("data-kind=\"email.opened\"")
            && !text.contains("data-kind=\"custom.webinar\"")
    );
    let (st, csv) = app
        .page(&web, &format!("/customers/{id}/events.csv?source=zoom"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // The settings page: rules, a new level from the form, bad JSON explained.
    let (st, s) = app.page(&web, "/settings/interactions").await;
    assert_eq!(st, 200);
    assert!(s.contains("rules-table") && s.contains("email.clicked"));
    let r = app
        .post_form(
            &web,
            "/settings/interactions/levels",
            &[
                ("name", "Vàng"),
                ("threshold", "50"),
                ("actions", r#"{"up": {"notify_owner": true}}"#),
            ],
        )
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let (_, s) = app.page(&web, "/settings/interactions").await;
    assert!(s.contains("Vàng"));
    let r = app
        .post_form(
            &web,
            "/settings/interactions/rules",
            &[("rules", "{not json")],
        )
        .await;
    let body = r.text().await.unwrap();
    assert!(body.contains("settings-error"), "{body}");
    app.stop().await;
}
