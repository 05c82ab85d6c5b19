//! The ownership flows in a real headless Chromium: tick customers and split them in
//! turn between two people after a preview; change the owner and add a viewer on the
//! customer page; make a sharing rule and run it.

use crate::browser::{fill, log_in, submit, table_text, text_of, wait_css, wait_id, wait_url};
use khach_testkit::{Backend, Browser, TestApp};
use serde_json::json;
use thirtyfour::prelude::*;

async fn choose(d: &WebDriver, select_css: &str, option_text: &str) {
    let sel = wait_css(d, select_css).await;
    sel.find(By::XPath(format!(
        ".//option[contains(., '{option_text}')]"
    )))
    .await
    .unwrap_or_else(|e| panic!("{select_css} has no '{option_text}': {e}"))
    .click()
    .await
    .unwrap();
}

#[tokio::test]
async fn assign_in_turn_change_owner_add_viewer_share_by_rule() {
    if !khach_testkit::browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.make_principal("truong.phong", "admin", None).await;
    app.make_principal("nhan.vien.mot", "sales", None).await;
    app.make_principal("nhan.vien.hai", "sales", None).await;
    for name in ["Khách Một", "Khách Hai", "Khách Ba", "Khách Bốn"] {
        let (st, _) = app
            .call(
                Some(&admin.key),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": name, "tags": ["Hội chợ"]})),
            )
            .await;
        assert_eq!(st, 201);
    }
    let browser = Browser::start().await;
    let d = &browser.driver;
    d.goto(app.url("/login")).await.unwrap();
    log_in(d, "truong.phong", &admin.password).await;
    wait_id(d, "customers-table").await;

    // Tick every row, "assign…", in turn between two people, preview, then apply.
    wait_id(d, "select-all").await.click().await.unwrap();
    choose(d, "#bulk-action", "Phân công").await;
    submit(d, "bulk-form").await;
    wait_id(d, "assign-form").await;
    assert!(text_of(d, "assign-count").await.ends_with('4'));
    d.find(By::Css("input[name=mode][value=sequential]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    choose(d, "#assign-owners tr:nth-child(1) select", "nhan.vien.mot").await;
    choose(d, "#assign-owners tr:nth-child(2) select", "nhan.vien.hai").await;
    wait_id(d, "assign-preview").await.click().await.unwrap();
    let plan = text_of(d, "assign-plan").await;
    assert!(
        plan.contains("Nguyễn Văn nhan.vien.mot") && plan.contains('2'),
        "{plan}"
    );
    // The preview keeps the choices; nothing is assigned yet.
    let (_, l) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert!(
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["owner"]["username"] == "truong.phong")
    );
    wait_id(d, "assign-apply").await.click().await.unwrap();
    wait_url(d, "done=assigned").await;
    let text = table_text(d).await;
    assert_eq!(
        text.matches("Nguyễn Văn nhan.vien.mot").count(),
        2,
        "{text}"
    );
    assert_eq!(
        text.matches("Nguyễn Văn nhan.vien.hai").count(),
        2,
        "{text}"
    );

    // On the customer page: a new owner, and a viewer.
    d.find(By::LinkText("KH000001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_id(d, "ownership").await;
    choose(d, "#owner-form select[name=owner]", "truong.phong").await;
    submit(d, "owner-form").await;
    wait_url(d, "done=saved").await;
    assert_eq!(text_of(d, "owner-name").await, "Nguyễn Văn truong.phong");
    choose(d, "#member-form select[name=kind]", "Người được xem").await;
    choose(d, "#member-form select[name=account]", "nhan.vien.hai").await;
    submit(d, "member-form").await;
    wait_url(d, "done=saved").await;
    assert!(
        text_of(d, "viewers")
            .await
            .contains("Nguyễn Văn nhan.vien.hai")
    );

    // A sharing rule: every "Hội chợ" customer, shared with the first salesperson.
    d.goto(app.url("/settings/sharing")).await.unwrap();
    fill(d, "name", "Khách hội chợ").await;
    choose(d, "#sharing-form select[name=match]", "Hội chợ").await;
    let tick = d
        .find(By::XPath(
            "//form[@id='sharing-form']//label[contains(., 'nhan.vien.mot')]/input",
        ))
        .await
        .unwrap();
    tick.click().await.unwrap();
    submit(d, "sharing-form").await;
    wait_url(d, "done=saved").await;
    let rule = wait_css(d, ".sharing-rule h2").await.text().await.unwrap();
    assert!(rule.contains("Chờ chia sẻ: 4"), "{rule}");
    wait_id(d, "sharing-run").await.click().await.unwrap();
    wait_url(d, "done=saved").await;
    let rule = wait_css(d, ".sharing-rule h2").await.text().await.unwrap();
    assert!(rule.contains("Đã chia sẻ: 4"), "{rule}");

    browser.quit().await;
    app.stop().await;
}
