//! Duplicates in a real headless Chromium: scan for duplicates, find them in the
//! review queue, merge three records choosing fields (with a preview), and undo.

use crate::browser::{log_in, text_of, wait_id, wait_url};
use crate::duplicates::allow_shared_contacts;
use khach_testkit::{Backend, Browser, TestApp};
use serde_json::json;
use thirtyfour::prelude::*;

async fn click(d: &WebDriver, css: &str) {
    d.find(By::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn find_duplicates_merge_three_choosing_fields_and_undo() {
    if !khach_testkit::browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.make_principal("quan.ly", "admin", None).await;
    allow_shared_contacts(&app, &admin.key).await;
    let mut ids = Vec::new();
    for body in [
        json!({"name": "Nguyễn Thị Mai", "phones": ["0912000333"], "emails": ["mai@x.vn"]}),
        json!({"name": "NGUYEN THI MAI", "phones": ["+84 912 000 333"], "birthday": "1992-03-08"}),
        json!({"name": "Mai Nguyễn Thị", "phones": ["84912000333"], "notes": "Khách sỉ"}),
    ] {
        let (s, v) = app
            .call(Some(&admin.key), "POST", "/api/v1/customers", Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let browser = Browser::start().await;
    let d = &browser.driver;
    d.goto(app.url("/login")).await.unwrap();
    log_in(d, "quan.ly", &admin.password).await;
    wait_id(d, "customers-table").await;

    // Find: scan, then the queue lists the pairs with their reasons.
    d.goto(app.url("/duplicates")).await.unwrap();
    wait_id(d, "scan-now").await.click().await.unwrap();
    wait_url(d, "done=scan-started").await;
    let mut found = false;
    for _ in 0..50 {
        d.goto(app.url("/duplicates")).await.unwrap();
        if d.find(By::Css("#dup-table .dup-pair")).await.is_ok() {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "the scan found the pairs");
    let queue = wait_id(d, "dup-table").await.text().await.unwrap();
    assert!(queue.contains("cùng SĐT"), "{queue}");

    // From the queue to the first customer, tick the two others with its phone.
    d.find(By::LinkText("Nguyễn Thị Mai"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_id(d, "tab-duplicates").await.click().await.unwrap();
    wait_id(d, "same-phone-table").await;
    for id in &ids[1..] {
        click(d, &format!("#pick-{id}")).await;
    }
    wait_id(d, "merge-selected").await.click().await.unwrap();

    // Merge screen: keep the first record, take the name of the third and the
    // birthday (filled from the second by default); preview, then merge.
    wait_id(d, "merge-table").await;
    click(d, &format!("#pick-name-{}", ids[2])).await;
    wait_id(d, "merge-preview").await.click().await.unwrap();
    let name = text_of(d, "result-name").await;
    assert_eq!(name, "Mai Nguyễn Thị");
    assert_eq!(text_of(d, "result-birthday").await, "08/03/1992");
    assert!(text_of(d, "result-moved").await.contains('2'));
    wait_id(d, "merge-do").await.click().await.unwrap();
    wait_url(d, "done=merged").await;
    let (_, v) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["name"], "Mai Nguyễn Thị");
    assert_eq!(v["items"][0]["notes"], "Khách sỉ");

    // Undo from the survivor's page: all three are back as they were.
    wait_id(d, "merges").await;
    click(d, "#merges button.undo-merge").await;
    d.accept_alert().await.unwrap();
    wait_url(d, "done=unmerged").await;
    let (_, v) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(v["total"], 3, "{v}");
    let (_, first) = app
        .call(
            Some(&admin.key),
            "GET",
            &format!("/api/v1/customers/{}", ids[0]),
            None,
        )
        .await;
    assert_eq!(first["name"], "Nguyễn Thị Mai");
    assert_eq!(first["birthday"], serde_json::Value::Null);
    browser.quit().await;
    app.stop().await;
}
