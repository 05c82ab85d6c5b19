//! Outgoing webhooks through the API and the worker: Standard Webhooks signatures
//! checked by an independent verifier (the `standardwebhooks` crate), tampering
//! rejected, the retry schedule on the test clock, automatic disable, redirects not
//! followed, and private targets refused in every spelling, at creation and again at
//! connection time.

use crate::customer_kit::{create, expect};
use crate::webhook_kit::Receiver;
use chrono::Utc;
use khach_core::webhooks::{self, Worker, deliver::RETRY_AFTER_SECONDS};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};
use standardwebhooks::Webhook;

async fn allow_private(app: &TestApp, on: bool) {
    expect(
        app,
        &app.admin.key,
        "PUT",
        "/api/v1/webhook-settings",
        Some(json!({ "allow_private": on })),
        200,
    )
    .await;
}

async fn endpoint(app: &TestApp, url: &str, kinds: Value) -> (i64, String) {
    let w = expect(
        app,
        &app.admin.key,
        "POST",
        "/api/v1/webhooks",
        Some(json!({ "name": "CRM sync", "url": url, "kinds": kinds })),
        201,
    )
    .await;
    (
        w["endpoint"]["id"].as_i64().unwrap(),
        w["secret"].as_str().unwrap().to_string(),
    )
}

async fn tick(app: &TestApp, w: &mut Worker) -> webhooks::Tick {
    webhooks::tick(&app.core, w).await.unwrap()
}

async fn log(app: &TestApp, id: i64) -> Vec<Value> {
    let v = expect(
        app,
        &app.admin.key,
        "GET",
        &format!("/api/v1/webhooks/{id}/deliveries"),
        None,
        200,
    )
    .await;
    v["items"].as_array().unwrap().clone()
}

/// Moves the test clock to the wall clock: the reference verifier checks the
/// timestamp against the real time.
fn to_wall_clock(app: &TestApp) {
    let gap = Utc::now() - app.core.now();
    app.clock.advance(gap);
}

#[tokio::test]
async fn deliveries_are_signed_so_an_independent_verifier_accepts_them_and_nothing_tampered() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        to_wall_clock(&app);
        let rx = Receiver::start().await;
        allow_private(&app, true).await;
        let (id, secret) = endpoint(
            &app,
            &format!("{}/hook", rx.base),
            json!(["customer.created", "customer.updated"]),
        )
        .await;
        let mut w = Worker::default();
        let c = create(&app, &app.admin.key, json!({"name": "Trần Thị Bình"})).await;
        let cid = c["id"].as_i64().unwrap();
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            &format!("/api/v1/customers/{cid}"),
            Some(json!({"notes": "gọi lại sau"})),
            200,
        )
        .await;
        let t = tick(&app, &mut w).await;
        assert_eq!(t.attempts, 2, "{b:?}");
        let got = rx.got();
        assert_eq!(got.len(), 2);
        let verifier = Webhook::new(&secret).unwrap();
        let mut kinds = vec![];
        for r in &got {
            assert_eq!(r.path, "/hook");
            verifier.verify(&r.body, &r.headers).unwrap();
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(body["data"]["customer_id"], cid);
            kinds.push(body["type"].as_str().unwrap().to_string());
        }
        kinds.sort();
        assert_eq!(kinds, ["customer.created", "customer.updated"]);

        // Every mutation is refused: a flipped bit anywhere in the body, another
        // id, a shifted timestamp, a wrong secret.
        let r = &got[0];
        let mut refused = 0;
        for i in 0..r.body.len() * 8 {
            let mut body = r.body.to_vec();
            body[i / 8] ^= 1 << (i % 8);
            assert!(verifier.verify(&body, &r.headers).is_err(), "bit {i}");
            refused += 1;
        }
        let ts: i64 = r.headers["webhook-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        for shift in [-301i64, -1, 1, 301] {
            let mut h = r.headers.clone();
            h.insert(
                "webhook-timestamp",
                (ts + shift).to_string().parse().unwrap(),
            );
            assert!(verifier.verify(&r.body, &h).is_err(), "ts {shift}");
            refused += 1;
        }
        let mut h = r.headers.clone();
        h.insert("webhook-id", "msg_other".parse().unwrap());
        assert!(verifier.verify(&r.body, &h).is_err());
        let other = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(other.verify(&r.body, &r.headers).is_err());
        assert!(refused > 100);

        // The delivery log: delivered, one attempt, the receiver's status.
        let entries = log(&app, id).await;
        assert_eq!(entries.len(), 2);
        for d in &entries {
            assert_eq!(d["status"], "succeeded");
            assert_eq!(d["attempts"], 1);
            assert_eq!(d["tries"][0]["status"], 200);
        }
        // A second run sends nothing again.
        assert_eq!(tick(&app, &mut w).await.attempts, 0);
        assert_eq!(rx.got().len(), 2);

        // After a rotation both secrets verify for a day.
        let rotated = expect(
            &app,
            &app.admin.key,
            "POST",
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            None,
            200,
        )
        .await;
        let new_secret = rotated["secret"].as_str().unwrap();
        assert_ne!(new_secret, secret);
        let t = expect(
            &app,
            &app.admin.key,
            "POST",
            &format!("/api/v1/webhooks/{id}/test"),
            None,
            200,
        )
        .await;
        assert_eq!(t["status"], "succeeded", "{t}");
        let last = rx.got().pop().unwrap();
        Webhook::new(new_secret)
            .unwrap()
            .verify(&last.body, &last.headers)
            .unwrap();
        verifier.verify(&last.body, &last.headers).unwrap();
        app.stop().await;
    }
}

#[tokio::test]
async fn a_failing_receiver_is_retried_on_the_schedule_then_switched_off() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let rx = Receiver::start().await;
        rx.answer(500, None);
        allow_private(&app, true).await;
        let (id, _) = endpoint(&app, &rx.base, json!(["customer.created"])).await;
        let mut w = Worker::default();
        create(&app, &app.admin.key, json!({"name": "Lê Văn Cường"})).await;
        assert_eq!(tick(&app, &mut w).await.attempts, 1);
        let mut waited = 0i64;
        for (n, wait) in RETRY_AFTER_SECONDS.iter().enumerate() {
            // Not yet due at 85 % of the wait (jitter is at most 10 %).
            app.clock
                .advance(chrono::Duration::milliseconds(wait * 850));
            assert_eq!(
                tick(&app, &mut w).await.attempts,
                0,
                "{b:?} retry {n} early"
            );
            app.clock
                .advance(chrono::Duration::milliseconds(wait * 260));
            assert_eq!(tick(&app, &mut w).await.attempts, 1, "{b:?} retry {n} due");
            waited += wait * 111 / 100;
        }
        assert!(waited >= 72 * 3600, "about three days of retries");
        assert_eq!(rx.got().len(), 10);
        // All ten attempts carried the same webhook-id, for the receiver's dedupe.
        let ids: std::collections::BTreeSet<_> = rx
            .got()
            .iter()
            .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 1);
        let d = &log(&app, id).await[0];
        assert_eq!(d["status"], "failed");
        assert_eq!(d["attempts"], 10);
        assert_eq!(d["tries"].as_array().unwrap().len(), 10);
        // Three days of nothing but failures: switched off, and the admins can see why.
        let ep = expect(
            &app,
            &app.admin.key,
            "GET",
            &format!("/api/v1/webhooks/{id}"),
            None,
            200,
        )
        .await;
        assert_eq!(ep["active"], false, "{ep}");
        assert_eq!(ep["disabled_reason"], "webhook-disabled-failing");
        let audit = expect(
            &app,
            &app.admin.key,
            "GET",
            "/api/v1/audit-log?entity=webhook",
            None,
            200,
        )
        .await;
        assert!(audit.to_string().contains("auto_disable"), "{audit}");
        // Nothing is sent to a switched-off endpoint.
        create(&app, &app.admin.key, json!({"name": "Phạm Thị Dung"})).await;
        assert_eq!(tick(&app, &mut w).await.attempts, 0);
        // Switched on again, it gets what happens from then on.
        rx.answer(204, None);
        expect(
            &app,
            &app.admin.key,
            "PATCH",
            &format!("/api/v1/webhooks/{id}"),
            Some(json!({"active": true})),
            200,
        )
        .await;
        create(&app, &app.admin.key, json!({"name": "Võ Văn Em"})).await;
        assert_eq!(tick(&app, &mut w).await.attempts, 1);
        let body: Value = serde_json::from_slice(&rx.got().last().unwrap().body).unwrap();
        assert_eq!(body["type"], "customer.created");
        app.stop().await;
    }
}

#[tokio::test]
async fn gone_switches_off_at_once_telling_the_admins_and_redirects_are_never_followed() {
    for b in backends() {
        let (smtp, mut inbox) = crate::smtp_sink::start().await;
        let app = TestApp::spawn_with_smtp(b, Some(smtp)).await;
        let rx = Receiver::start().await;
        let canary = Receiver::start().await;
        allow_private(&app, true).await;
        rx.answer(302, Some(&format!("{}/stolen", canary.base)));
        let (id, _) = endpoint(&app, &rx.base, json!(["customer.created"])).await;
        let mut w = Worker::with_notice(khach_web::i18n::webhook_notice());
        create(&app, &app.admin.key, json!({"name": "Đỗ Thị Giang"})).await;
        assert_eq!(tick(&app, &mut w).await.attempts, 1);
        assert!(canary.got().is_empty(), "a redirect was followed");
        let d = &log(&app, id).await[0];
        assert_eq!(d["status"], "pending", "a redirect is a failed attempt");
        assert_eq!(d["tries"][0]["status"], 302);
        assert_eq!(d["tries"][0]["error"], "webhook-redirect-refused");

        rx.answer(410, None);
        app.clock.advance(chrono::Duration::seconds(10));
        assert_eq!(tick(&app, &mut w).await.attempts, 1);
        let ep = expect(
            &app,
            &app.admin.key,
            "GET",
            &format!("/api/v1/webhooks/{id}"),
            None,
            200,
        )
        .await;
        assert_eq!(ep["active"], false);
        assert_eq!(ep["disabled_reason"], "webhook-disabled-gone");
        let mail = tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv())
            .await
            .expect("a mail to the administrators")
            .unwrap();
        assert!(mail.contains("@khach.test"), "{mail}");
        app.stop().await;
    }
}

#[tokio::test]
async fn private_targets_are_refused_in_every_spelling_at_creation_and_at_connection() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let rx = Receiver::start().await;
        let port = rx.base.rsplit(':').next().unwrap().to_string();
        let before = app.fingerprint().await;
        for host in [
            "127.0.0.1",
            "127.1",
            "0177.0.0.1",
            "0x7f000001",
            "2130706433",
            "0x7f.0.0.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[0:0:0:0:0:ffff:7f00:1]",
            "[::ffff:a9fe:a9fe]",
            "[64:ff9b::7f00:1]",
            "169.254.169.254",
            "0xa9fea9fe",
            "0.0.0.0",
            "0",
            "10.0.0.5",
            "172.16.0.1",
            "192.168.0.1",
            "100.64.0.1",
            "[fd00::1]",
            "[fe80::1]",
            "localhost",
            "LOCALHOST.",
            "sub.localhost",
        ] {
            let url = format!("http://{host}:{port}/hook");
            let (s, v) = app
                .call(
                    Some(&app.admin.key),
                    "POST",
                    "/api/v1/webhooks",
                    Some(json!({"name": "x", "url": url, "kinds": ["customer.created"]})),
                )
                .await;
            assert_eq!(s, 422, "{b:?} {url}: {v}");
            assert!(v.to_string().contains("url"), "{v}");
        }
        assert_eq!(app.fingerprint().await, before, "nothing stored");
        // Not an http(s) URL at all.
        for url in [
            "file:///etc/passwd",
            "gopher://example.com/",
            "http://u:p@example.com/",
        ] {
            let (s, _) = app
                .call(
                    Some(&app.admin.key),
                    "POST",
                    "/api/v1/webhooks",
                    Some(json!({"name": "x", "url": url, "kinds": ["customer.created"]})),
                )
                .await;
            assert_eq!(s, 422, "{url}");
        }

        // Saved while private targets were allowed, then refused again: checked at
        // connection time too, for an IP literal and for a name.
        allow_private(&app, true).await;
        endpoint(&app, &format!("{}/a", rx.base), json!(["customer.created"])).await;
        endpoint(
            &app,
            &format!("http://localhost:{port}/b"),
            json!(["customer.created"]),
        )
        .await;
        allow_private(&app, false).await;
        let mut w = Worker::default();
        create(&app, &app.admin.key, json!({"name": "Hồ Văn Hải"})).await;
        assert_eq!(tick(&app, &mut w).await.attempts, 2);
        assert!(rx.got().is_empty(), "a private target was reached");
        app.stop().await;
    }
}

#[tokio::test]
async fn only_settings_editors_manage_webhooks_and_bad_input_names_the_field() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let sales = app.make_principal("sales1", "sales", None).await;
        let body = json!({"name": "x", "url": "https://hooks.example.com/", "kinds": ["customer.created"]});
        let (s, _) = app
            .call(Some(&sales.key), "POST", "/api/v1/webhooks", Some(body))
            .await;
        assert_eq!(s, 403);
        let (s, _) = app
            .call(
                Some(&sales.key),
                "PUT",
                "/api/v1/webhook-settings",
                Some(json!({"allow_private": true})),
            )
            .await;
        assert_eq!(s, 403);
        let (s, v) = app
            .call(
                Some(&app.admin.key),
                "POST",
                "/api/v1/webhooks",
                Some(json!({"name": "", "url": "nope", "kinds": ["customer.exploded"]})),
            )
            .await;
        assert_eq!(s, 422);
        let text = v.to_string();
        for f in ["name", "url", "kinds"] {
            assert!(text.contains(f), "{f} missing in {v}");
        }
        let (s, _) = app
            .call(Some(&app.admin.key), "GET", "/api/v1/webhooks/999", None)
            .await;
        assert_eq!(s, 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn ingested_events_and_score_level_crossings_reach_their_webhooks() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.clone();
        let events_rx = Receiver::start().await;
        let level_rx = Receiver::start().await;
        allow_private(&app, true).await;
        let (_, _) = endpoint(&app, &events_rx.base, json!(["event.ingested"])).await;
        // Not subscribed to crossings: the level's action names it.
        let (named, _) = endpoint(&app, &level_rx.base, json!(["customer.deleted"])).await;
        expect(
            &app,
            &k,
            "POST",
            "/api/v1/score-levels",
            Some(json!({"name": "Nóng", "threshold": 15, "up": {"webhook_ids": [named]}, "down": {}})),
            201,
        )
        .await;
        let id = create(&app, &k, json!({"name": "Hoa"})).await["id"]
            .as_i64()
            .unwrap();
        let order = |ext: &str| {
            json!({"customer": {"id": id}, "type": "order.placed", "source": "pos",
                   "external_id": ext, "occurred_at": "2026-11-20T10:00:00Z"})
        };
        crate::interactions::batch(&app, json!([order("o-1"), order("o-2"), order("o-1")])).await;
        let mut w = Worker::default();
        tick(&app, &mut w).await;
        let kinds = |rx: &Receiver| -> Vec<String> {
            rx.got()
                .iter()
                .map(|r| {
                    let v: Value = serde_json::from_slice(&r.body).unwrap();
                    format!(
                        "{} {}",
                        v["type"].as_str().unwrap(),
                        v["data"]["kind"].as_str().unwrap()
                    )
                })
                .collect()
        };
        assert_eq!(
            kinds(&events_rx),
            ["event.ingested order.placed", "event.ingested order.placed"],
            "{b:?}"
        );
        assert_eq!(
            kinds(&level_rx),
            ["score.level_crossed score.level_crossed"],
            "{b:?}"
        );
        app.stop().await;
    }
}
