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
    assert!(page.contains("history-export-xlsx"));
    let r = web
        .get(app.url(&format!("/customers/{id}/events.xlsx?source=zoom")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // The settings page: rules edited in the table, a level from the form, bad
    // input explained by the row it is in.
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
                ("up_add_tags", "Khách vàng, VIP"),
                ("up_notify", "on"),
                ("down_remove_tags", "VIP"),
            ],
        )
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, s) = app.page(&web, "/settings/interactions").await;
    assert!(s.contains("Vàng") && s.contains("Khách vàng, VIP"), "{s}");
    let levels = expect(
        &app,
        &app.admin.key,
        "GET",
        "/api/v1/score-levels",
        None,
        200,
    )
    .await;
    let gold = levels["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Vàng")
        .unwrap();
    assert_eq!(gold["up"]["add_tags"], json!(["Khách vàng", "VIP"]));
    assert_eq!(gold["up"]["notify_owner"], true);
    assert_eq!(gold["down"]["remove_tags"], json!(["VIP"]));
    // Rows as the page numbers them: edit one, drop one, add one, set a decay.
    let rules = expect(
        &app,
        &app.admin.key,
        "GET",
        "/api/v1/interaction-rules",
        None,
        200,
    )
    .await;
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, r) in rules["rules"].as_array().unwrap().iter().enumerate() {
        let kind = r["type"].as_str().unwrap().to_string();
        let score = if kind == "email.opened" {
            "4".to_string()
        } else {
            r["score"].to_string()
        };
        form.push((format!("type.{i}"), kind.clone()));
        form.push((format!("interaction.{i}"), r["interaction"].to_string()));
        form.push((format!("score.{i}"), score));
        if r["contact"] == true {
            form.push((format!("contact.{i}"), "on".into()));
        }
        if r["hourly"] == true {
            form.push((format!("hourly.{i}"), "on".into()));
        }
        if kind == "zns.deleted" {
            form.push((format!("remove.{i}"), "on".into()));
        }
    }
    form.extend([
        ("type.new".to_string(), "custom.webinar".to_string()),
        ("interaction.new".into(), "1".into()),
        ("score.new".into(), "7".into()),
        ("by_source.new".into(), "zoom=9".into()),
        ("decay_percent".into(), "10".into()),
        ("decay_days".into(), "30".into()),
    ]);
    let r = web
        .post(app.url("/settings/interactions/rules"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let after = expect(
        &app,
        &app.admin.key,
        "GET",
        "/api/v1/interaction-rules",
        None,
        200,
    )
    .await;
    let find = |k: &str| {
        after["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == k)
            .cloned()
    };
    assert_eq!(find("email.opened").unwrap()["score"], 4);
    assert_eq!(find("email.opened").unwrap()["contact"], true);
    assert!(find("zns.deleted").is_none());
    let w = find("custom.webinar").unwrap();
    assert_eq!(
        (w["score"].clone(), w["score_by_source"]["zoom"].clone()),
        (json!(7), json!(9))
    );
    assert_eq!(after["decay"], json!({"percent": 10, "every_days": 30}));
    assert_eq!(
        after["rules"].as_array().unwrap().len(),
        rules["rules"].as_array().unwrap().len()
    );
    // A bad number names its row and keeps what was typed; nothing is saved.
    let mut bad = form.clone();
    for (k, v) in bad.iter_mut() {
        if k == "score.0" {
            *v = "nhiều".into();
        }
    }
    bad.retain(|(k, _)| !k.ends_with(".new"));
    let r = web
        .post(app.url("/settings/interactions/rules"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    let first = rules["rules"][0]["type"].as_str().unwrap();
    assert!(
        body.contains("settings-error") && body.contains(first) && body.contains("nhiều"),
        "{body}"
    );
    // An out-of-range decay is refused by the core with the decay named.
    let mut bad = form.clone();
    bad.retain(|(k, _)| !k.ends_with(".new") && k != "decay_percent");
    bad.push(("decay_percent".into(), "0".into()));
    let r = web
        .post(app.url("/settings/interactions/rules"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("settings-error"));
    let still = expect(
        &app,
        &app.admin.key,
        "GET",
        "/api/v1/interaction-rules",
        None,
        200,
    )
    .await;
    assert_eq!(still, after);
    app.stop().await;
}
