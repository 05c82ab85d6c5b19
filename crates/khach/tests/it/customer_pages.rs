//! Customer pages and rules seen through the pages: masking in HTML, the recycle
//! bin's retention, and the settings screens for stages, tags and custom fields.

use khach_testkit::{TestApp, backends};
use khach_types::api::UpdateRole;
use serde_json::json;

const PHONE_DIGITS: [&str; 3] = ["0912345678", "912345678", "84912345678"];

async fn mask_role(app: &TestApp, builtin: &str) {
    let ctx = khach_core::Ctx::system(khach_types::Origin::Cli, app.core.now());
    let role = khach_db::roles::by_builtin(app.core.db.conn(), builtin)
        .await
        .unwrap()
        .unwrap();
    let upd = UpdateRole {
        mask_contacts: Some(true),
        ..Default::default()
    };
    khach_core::roles::update(&app.core, &ctx, role.id, upd)
        .await
        .unwrap();
}

#[tokio::test]
async fn masked_role_sees_no_phone_or_email_in_any_page() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let admin = app.make_principal("admin1", "admin", None).await;
        let care = app.make_principal("cskh", "manager", None).await;
        mask_role(&app, "manager").await;
        // The masked person owns the customer (data scope), and still never sees it whole.
        let (st, c) = app
            .call(
                Some(&care.key),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Nguyễn Văn An", "phones": ["0912 345 678"], "emails": ["an.nguyen@example.vn"]})),
            )
            .await;
        assert_eq!(st, 201, "{c}");
        assert!(!c.to_string().contains("0912345678"), "{c}");
        let id = c["id"].as_i64().unwrap();
        let (st, _) = app
            .call(
                Some(&care.key),
                "POST",
                &format!("/api/v1/customers/{id}/contacts"),
                Some(json!({"name": "Vợ", "phone": "0987 654 321", "email": "vo.an@example.vn"})),
            )
            .await;
        assert_eq!(st, 201);

        let client = app.login("cskh", &care.password).await;
        for path in [
            "/customers".to_string(),
            format!("/customers/{id}"),
            format!("/customers/{id}?tab=contacts"),
            format!("/customers/{id}?tab=history"),
            format!("/customers/{id}?tab=audit"),
            format!("/customers/{id}?edit=phones"),
            "/customers?q=nguyen".to_string(),
        ] {
            let (st, html) = app.page(&client, &path).await;
            assert_eq!(st, 200, "{path}");
            for secret in PHONE_DIGITS
                .iter()
                .chain(&["987654321", "an.nguyen@", "vo.an@"])
            {
                assert!(!html.contains(secret), "{b:?} {path} shows {secret}");
            }
            if path == format!("/customers/{id}") {
                assert!(html.contains("091****678"), "{html}");
            }
        }
        // A fragment finds nothing; the whole number finds the customer, on record.
        let (_, html) = app.page(&client, "/customers?q=345678").await;
        assert!(html.contains("<strong>0</strong>"), "{html}");
        let (_, html) = app.page(&client, "/customers?q=0912%20345%20678").await;
        assert!(html.contains("<strong>1</strong>") && html.contains("Nguyễn Văn An"));
        let (_, log) = app
            .call(
                Some(&admin.key),
                "GET",
                "/api/v1/audit-log?entity=customer",
                None,
            )
            .await;
        assert!(log.to_string().contains("contact_lookup"), "{log}");

        // The unmasked admin sees the full number.
        let aclient = app.login("admin1", &admin.password).await;
        let (_, html) = app.page(&aclient, &format!("/customers/{id}")).await;
        assert!(html.contains("0912345678"));
        app.stop().await;
    }
}

#[tokio::test]
async fn recycle_bin_keeps_customers_for_the_retention_period() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let admin = app.make_principal("admin2", "admin", None).await;
        let mut ids = Vec::new();
        for name in ["Lê Thị Hoa", "Phạm Văn Minh"] {
            let (_, c) = app
                .call(
                    Some(&admin.key),
                    "POST",
                    "/api/v1/customers",
                    Some(json!({"name": name})),
                )
                .await;
            ids.push(c["id"].as_i64().unwrap());
        }
        let (st, _) = app
            .call(
                Some(&admin.key),
                "DELETE",
                &format!("/api/v1/customers/{}", ids[0]),
                None,
            )
            .await;
        assert_eq!(st, 204);
        app.clock.advance(chrono::Duration::days(30));
        let (st, _) = app
            .call(
                Some(&admin.key),
                "DELETE",
                &format!("/api/v1/customers/{}", ids[1]),
                None,
            )
            .await;
        assert_eq!(st, 204);
        // 91 days after the first delete, 61 after the second: only the first goes.
        app.clock.advance(chrono::Duration::days(61));
        let ctx = khach_core::Ctx::system(khach_types::Origin::Automation, app.core.now());
        let n = khach_core::customers::purge_expired(&app.core, &ctx)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let (_, bin) = app
            .call(Some(&admin.key), "GET", "/api/v1/customers/bin", None)
            .await;
        let names: Vec<&str> = bin["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Phạm Văn Minh"]);
        let (st, _) = app
            .call(
                Some(&admin.key),
                "GET",
                &format!("/api/v1/customers/{}", ids[0]),
                None,
            )
            .await;
        assert_eq!(st, 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn settings_pages_manage_stages_tags_and_custom_fields() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let admin = app.make_principal("admin3", "admin", None).await;
    let client = app.login("admin3", &admin.password).await;
    let (st, html) = app.page(&client, "/settings/customers").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("Tiềm năng") && html.contains("Rời bỏ"),
        "default stages"
    );

    let r = app
        .post_form(
            &client,
            "/settings/customers/stages",
            &[("name", "Đã mua lần 2"), ("color", "#16a34a")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            &client,
            "/settings/customers/tags",
            &[("name", "VIP"), ("color", "#dc2626")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // The same tag in other case/accents is a conflict, explained on the page.
    let r = app
        .post_form(&client, "/settings/customers/tags", &[("name", "vip")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("error-box"), "{body}");

    let r = app
        .post_form(
            &client,
            "/settings/custom-fields",
            &[
                ("entity", "customer"),
                ("label", "Hạng thành viên"),
                ("kind", "select"),
                ("options", "vang=Vàng\nbac=Bạc"),
                ("filterable", "1"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, fields) = app
        .call(Some(&admin.key), "GET", "/api/v1/custom-fields", None)
        .await;
    assert_eq!(fields["items"][0]["key"], "hang_thanh_vien");
    assert_eq!(fields["items"][0]["options"][1]["label"], "Bạc");

    // The create form offers it, and a value saved through the form is validated.
    let (_, html) = app.page(&client, "/customers/new").await;
    assert!(html.contains("cf.hang_thanh_vien") && html.contains("Vàng"));
    let r = app
        .post_form(
            &client,
            "/customers",
            &[("name", "Võ Thị Sáu"), ("cf.hang_thanh_vien", "bac")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            &client,
            "/customers",
            &[
                ("name", "Võ Thị Bảy"),
                ("cf.hang_thanh_vien", "kim_cuong"),
                ("phones", "12"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("field-error") && html.contains("Võ Thị Bảy"),
        "kept what was typed"
    );
    app.stop().await;
}

#[tokio::test]
async fn bulk_actions_from_the_list_page() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let admin = app.make_principal("admin4", "admin", None).await;
    let client = app.login("admin4", &admin.password).await;
    let mut ids = Vec::new();
    for name in ["Đỗ Văn Hùng", "Ngô Thị Lan", "Bùi Văn Tú"] {
        let (_, c) = app
            .call(
                Some(&admin.key),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": name})),
            )
            .await;
        ids.push(c["id"].as_i64().unwrap().to_string());
    }
    let r = app
        .post_form(
            &client,
            "/customers/bulk",
            &[
                ("ids", &ids[0]),
                ("ids", &ids[1]),
                ("action", "tag"),
                ("value", "Khách sỉ, Hà Nội"),
                ("back", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // Stages by name, accents optional.
    let r = app
        .post_form(
            &client,
            "/customers/bulk",
            &[
                ("ids", &ids[1]),
                ("ids", &ids[2]),
                ("action", "stage"),
                ("value", "khach hang"),
                ("back", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            &client,
            "/customers/bulk",
            &[
                ("ids", &ids[0]),
                ("action", "untag"),
                ("value", "ha noi"),
                ("back", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .post_form(
            &client,
            "/customers/bulk",
            &[
                ("ids", &ids[2]),
                ("action", "stage"),
                ("value", "không có"),
                ("back", ""),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);

    let get = |i: usize| {
        let path = format!("/api/v1/customers/{}", ids[i]);
        let app = &app;
        let key = admin.key.clone();
        async move { app.call(Some(&key), "GET", &path, None).await.1 }
    };
    let a = get(0).await;
    let tags: Vec<&str> = a["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["Khách sỉ"]);
    assert_eq!(get(1).await["stage_name"], "Khách hàng");
    assert_eq!(get(2).await["stage_name"], "Khách hàng");
    assert!(get(2).await["tags"].as_array().unwrap().is_empty());
    app.stop().await;
}
