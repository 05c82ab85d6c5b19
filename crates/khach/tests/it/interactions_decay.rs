//! Score decay: points lose value per full period since their event's day, rounded
//! per event; the daily run brings stored scores to that value once a day, fires
//! the levels crossed downward, and agrees with a recompute on the same day.

use crate::customer_kit::{create, expect};
use crate::interactions::{batch, summary};
use chrono::Duration;
use khach_core::interactions::{decay, recompute};
use khach_testkit::{TestApp, backends};
use khach_types::Origin;
use serde_json::{Value, json};

fn ev(id: i64, kind: &str, ext: &str, at: &str) -> Value {
    json!({"customer": {"id": id}, "type": kind, "source": "web",
           "external_id": ext, "occurred_at": at})
}

async fn run_decay(app: &TestApp) -> u64 {
    let ctx = khach_core::Ctx::system(Origin::Automation, app.core.now());
    decay::run(&app.core, &ctx).await.unwrap()
}

async fn tags(app: &TestApp, id: i64) -> Vec<String> {
    let c = expect(
        app,
        &app.admin.key,
        "GET",
        &format!("/api/v1/customers/{id}"),
        None,
        200,
    )
    .await;
    c["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn decay_lowers_scores_daily_and_fires_levels_down() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let id = create(&app, &k, json!({"name": "Lan"})).await["id"]
            .as_i64()
            .unwrap();
        // Without a decay configured the run does nothing.
        batch(
            &app,
            json!([ev(id, "order.placed", "o-1", "2026-11-24T09:00:00Z")]),
        )
        .await;
        assert_eq!(run_decay(&app).await, 0);
        assert_eq!(summary(&app, id).await["score"], 10);

        let mut rules = expect(&app, &k, "GET", "/api/v1/interaction-rules", None, 200).await;
        // Out of range: refused by field.
        rules["decay"] = json!({"percent": 0, "every_days": 30});
        let e = expect(
            &app,
            &k,
            "PUT",
            "/api/v1/interaction-rules",
            Some(rules.clone()),
            422,
        )
        .await;
        assert!(e.to_string().contains("decay.percent"), "{e}");
        rules["decay"] = json!({"percent": 50, "every_days": 30});
        expect(
            &app,
            &k,
            "PUT",
            "/api/v1/interaction-rules",
            Some(rules),
            200,
        )
        .await;
        expect(
            &app,
            &k,
            "POST",
            "/api/v1/score-levels",
            Some(json!({"name": "VIP", "threshold": 12,
                        "up": {"add_tags": ["VIP"]}, "down": {"remove_tags": ["VIP"]}})),
            201,
        )
        .await;
        // A backfilled form 31 days old is worth half its 5 points (2.5 → 3) at once.
        batch(
            &app,
            json!([
                ev(id, "form.submitted", "f-1", "2026-10-25T09:00:00Z"),
                ev(id, "order.placed", "o-2", "2026-11-25T01:00:00Z")
            ]),
        )
        .await;
        assert_eq!(summary(&app, id).await["score"], 23);
        assert!(tags(&app, id).await.contains(&"VIP".to_string()));

        // 30 days later: the orders are worth 5 each, the form (61 days) 1.25 → 1,
        // under the level: its "down" actions run once.
        app.clock.advance(Duration::days(30));
        assert_eq!(run_decay(&app).await, 1);
        assert_eq!(summary(&app, id).await["score"], 11);
        assert!(!tags(&app, id).await.contains(&"VIP".to_string()));
        // Once a day, and the same sum as a recompute.
        assert_eq!(run_decay(&app).await, 0);
        assert_eq!(
            recompute(&app.core, true).await.unwrap().counters_changed,
            0
        );

        // 60 days: 2.5 → 3 per order, the form 0.625 → 1; no second crossing.
        app.clock.advance(Duration::days(30));
        assert_eq!(run_decay(&app).await, 1);
        assert_eq!(summary(&app, id).await["score"], 7);
        let tl = expect(
            &app,
            &k,
            "GET",
            &format!("/api/v1/customers/{id}/events?q=level_crossed"),
            None,
            200,
        )
        .await;
        let dirs: Vec<&str> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "score.level_crossed")
            .map(|e| e["payload"]["direction"].as_str().unwrap())
            .collect();
        assert_eq!(dirs, ["down", "up"], "{tl}");

        // 100 % expires points after the period.
        let mut rules = expect(&app, &k, "GET", "/api/v1/interaction-rules", None, 200).await;
        rules["decay"] = json!({"percent": 100, "every_days": 365});
        expect(
            &app,
            &k,
            "PUT",
            "/api/v1/interaction-rules",
            Some(rules),
            200,
        )
        .await;
        app.clock.advance(Duration::days(400));
        assert_eq!(run_decay(&app).await, 1);
        assert_eq!(summary(&app, id).await["score"], 0);
        app.stop().await;
    }
}
