//! Duplicate detection: the job over every customer, the review queue and its
//! decisions (remembered across scans), the customer page's same-phone tab, masking,
//! and precision / recall on the demo data's planted duplicates.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

/// Starts detection and waits for it (it runs in the server's background).
pub async fn scan(app: &TestApp, key: &str) -> Value {
    let s = expect(app, key, "POST", "/api/v1/duplicates/scan", None, 202).await;
    assert!(s["id"].is_i64(), "{s}");
    for _ in 0..400 {
        let v = expect(app, key, "GET", "/api/v1/duplicates/scan", None, 200).await;
        if v["scan"]["status"] != "running" {
            assert_eq!(v["scan"]["status"], "done", "{v}");
            return v["scan"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("detection did not finish");
}

/// Allows customers to share phones and e-mails (as imported data often does).
pub async fn allow_shared_contacts(app: &TestApp, key: &str) {
    expect(
        app,
        key,
        "PATCH",
        "/api/v1/customer-settings",
        Some(json!({"allow_duplicate_contacts": true})),
        200,
    )
    .await;
}

fn pair_of(list: &Value, a: i64, b: i64) -> Option<&Value> {
    list["items"].as_array().unwrap().iter().find(|p| {
        let ids = (
            p["a"]["id"].as_i64().unwrap(),
            p["b"]["id"].as_i64().unwrap(),
        );
        ids == (a.min(b), a.max(b))
    })
}

#[tokio::test]
async fn detection_finds_pairs_and_decisions_are_remembered() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        allow_shared_contacts(&app, &key).await;
        let an = create(
            &app,
            &key,
            json!({"name": "Nguyễn Văn An", "phones": ["0912345678"], "birthday": "1990-04-02"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        // The same phone typed another way, the name without diacritics.
        let an2 = create(
            &app,
            &key,
            json!({"name": "NGUYEN VAN AN", "phones": ["+84 912 345 678"]}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        // The phone only on a sub-contact, the name shorter.
        let an3 = create(&app, &key, json!({"name": "Nguyễn An"})).await["id"]
            .as_i64()
            .unwrap();
        expect(
            &app,
            &key,
            "POST",
            &format!("/api/v1/customers/{an3}/contacts"),
            Some(json!({"name": "Vợ anh An", "phone": "84912345678"})),
            201,
        )
        .await;
        // Another person entirely.
        let lan = create(
            &app,
            &key,
            json!({"name": "Trần Thị Lan", "phones": ["0987654321"], "emails": ["lan@x.vn"]}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let done = scan(&app, &key).await;
        assert_eq!(done["customers"], 4, "{done}");

        let list = expect(&app, &key, "GET", "/api/v1/duplicates", None, 200).await;
        let p = pair_of(&list, an, an2).expect("same phone, same name");
        assert_eq!(p["kind"], "exact");
        assert_eq!(p["level"], "likely");
        let texts: Vec<&str> = p["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"cùng SĐT 0912345678"), "{texts:?}");
        assert!(
            texts.contains(&"cùng tên Nguyễn Văn An = NGUYEN VAN AN"),
            "{texts:?}"
        );
        assert!(pair_of(&list, an, an3).is_some(), "through a sub-contact");
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["a"]["id"] != lan && p["b"]["id"] != lan)
        );
        // Best score first.
        let scores: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["score"].as_i64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

        // Not a duplicate: remembered through the next scan.
        let pid = pair_of(&list, an, an3).unwrap()["id"].as_i64().unwrap();
        let d = expect(
            &app,
            &key,
            "POST",
            &format!("/api/v1/duplicates/{pid}/decision"),
            Some(json!({"decision": "not_duplicate"})),
            200,
        )
        .await;
        assert_eq!(d["status"], "dismissed");
        scan(&app, &key).await;
        let open = expect(&app, &key, "GET", "/api/v1/duplicates", None, 200).await;
        assert!(pair_of(&open, an, an3).is_none());
        let dismissed = expect(
            &app,
            &key,
            "GET",
            "/api/v1/duplicates?status=dismissed",
            None,
            200,
        )
        .await;
        assert!(pair_of(&dismissed, an, an3).is_some());
        // Filters, and bad ones named.
        let exact = expect(
            &app,
            &key,
            "GET",
            "/api/v1/duplicates?kind=exact&level=likely&min_score=70",
            None,
            200,
        )
        .await;
        assert!(pair_of(&exact, an, an2).is_some());
        let (s, v) = app
            .call(Some(&key), "GET", "/api/v1/duplicates?level=sure", None)
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"]["fields"]["level"].is_string(), "{v}");
        let (s, v) = app
            .call(
                Some(&key),
                "POST",
                &format!("/api/v1/duplicates/{pid}/decision"),
                Some(json!({"decision": "maybe"})),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"]["fields"]["decision"].is_string(), "{v}");

        // The customer's same-phone list: customers and sub-contacts alike.
        let mine = expect(
            &app,
            &key,
            "GET",
            &format!("/api/v1/customers/{an}/duplicates"),
            None,
            200,
        )
        .await;
        let same: Vec<i64> = mine["same_phone"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(same, vec![an2, an3]);
        app.stop().await;
    }
}

#[tokio::test]
async fn queue_and_tab_respect_scope_and_masking() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        allow_shared_contacts(&app, &key).await;
        let sales = app.make_principal("sales1", "sales", None).await;
        let a = create(
            &app,
            &sales.key,
            json!({"name": "Lê Minh Tâm", "phones": ["0903111222"]}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let b2 = create(
            &app,
            &key,
            json!({"name": "Le Minh Tam", "phones": ["0903 111 222"]}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        scan(&app, &key).await;
        // Sales may not merge: no queue, no scan.
        for (m, p) in [
            ("GET", "/api/v1/duplicates"),
            ("POST", "/api/v1/duplicates/scan"),
            ("GET", "/api/v1/duplicates/scan"),
        ] {
            let (s, v) = app.call(Some(&sales.key), m, p, None).await;
            assert_eq!(s, 403, "{m} {p}: {v}");
        }
        // The same-phone tab shows only customers in the caller's scope.
        let v = expect(
            &app,
            &sales.key,
            "GET",
            &format!("/api/v1/customers/{a}/duplicates"),
            None,
            200,
        )
        .await;
        assert_eq!(v["same_phone"], json!([]), "{v}");
        assert_eq!(v["pairs"], json!([]));
        // A role that sees contacts masked sees masked reasons.
        let c = app.core.db.conn();
        use sea_orm::ConnectionTrait;
        c.execute_unprepared("UPDATE roles SET mask_contacts = true WHERE builtin = 'manager'")
            .await
            .unwrap();
        let mgr = app.make_principal("mgr1", "manager", None).await;
        expect(
            &app,
            &key,
            "PATCH",
            &format!("/api/v1/customers/{a}"),
            Some(json!({"owner_id": mgr.account_id})),
            200,
        )
        .await;
        expect(
            &app,
            &key,
            "PATCH",
            &format!("/api/v1/customers/{b2}"),
            Some(json!({"owner_id": mgr.account_id})),
            200,
        )
        .await;
        let list = expect(&app, &mgr.key, "GET", "/api/v1/duplicates", None, 200).await;
        let text = list.to_string();
        assert!(pair_of(&list, a, b2).is_some(), "{list}");
        assert!(
            !text.contains("0903111222") && !text.contains("84903111222"),
            "{text}"
        );
        assert!(text.contains("090****222"), "{text}");
        app.stop().await;
    }
}

#[tokio::test]
async fn pages_show_the_queue_and_the_same_phone_tab() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let key = app.admin.key.clone();
    allow_shared_contacts(&app, &key).await;
    let a = create(
        &app,
        &key,
        json!({"name": "Phạm Thu Hà", "phones": ["0911000111"]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    create(
        &app,
        &key,
        json!({"name": "Pham Thu Ha", "phones": ["0911 000 111"]}),
    )
    .await;
    let web = app.login("admin", &app.admin.password).await;
    let (s, html) = app.page(&web, "/duplicates").await;
    assert_eq!(s, 200);
    assert!(html.contains("Chưa quét lần nào."), "{html}");
    let r = app.post_form(&web, "/duplicates/scan", &[]).await;
    assert_eq!(r.status(), 303);
    scan(&app, &key).await;
    let (_, html) = app.page(&web, "/duplicates?level=likely").await;
    assert!(
        html.contains("Pham Thu Ha") && html.contains("cùng SĐT"),
        "{html}"
    );
    let (s, html) = app
        .page(&web, &format!("/customers/{a}?tab=duplicates"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Khách hàng trùng SĐT"), "{html}");
    assert!(html.contains("Pham Thu Ha"), "{html}");
    app.stop().await;
}

/// `khach bench duplicates` on demo data: the pairs shown as likely are the people
/// the demo entered twice (goal: precision ≥ 0.95, recall ≥ 0.90).
#[tokio::test]
async fn detection_quality_on_demo_data() {
    let dir = crate::cli::tempfile_dir();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_khach"))
        .args([
            "--database-url",
            &url,
            "bench",
            "duplicates",
            "--customers",
            "4000",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(last["truth"].as_u64().unwrap() > 50, "{last}");
    assert!(last["likely_precision"].as_f64().unwrap() >= 0.95, "{last}");
    assert!(last["likely_recall"].as_f64().unwrap() >= 0.90, "{last}");
}
