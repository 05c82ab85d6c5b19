//! The import wizard in a real headless Chromium, with a small Windows-1258 CSV as
//! Vietnamese Excel saves it: upload, automatic mapping, options, dry run, the real
//! run, the result with its problems, and undo.

use crate::browser::{log_in, submit, text_of, wait_id};
use khach_testkit::{Backend, Browser, TestApp};
use serde_json::json;
use thirtyfour::prelude::*;

async fn click(d: &WebDriver, css: &str) {
    d.find(By::Css(css)).await.unwrap().click().await.unwrap();
}

#[tokio::test]
async fn wizard_imports_a_windows_1258_file_and_undoes_it() {
    if !khach_testkit::browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.make_principal("quan.ly", "admin", None).await;
    let (s, _) = app
        .call(
            Some(&admin.key),
            "POST",
            "/api/v1/customers",
            Some(json!({"name": "Đỗ Hà", "phones": ["0903 000 111"], "notes": "cũ"})),
        )
        .await;
    assert_eq!(s, 201);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khach-hang.csv");
    let text = "Họ và tên;Số điện thoại;Ghi chú\nNguyễn Thị Hồng Đào;0912 345 678;khách mới\n;0903000111;cập nhật\nLỗi Số;123;\n";
    std::fs::write(&path, crate::imports::cp1258(text)).unwrap();

    let browser = Browser::start().await;
    let d = &browser.driver;
    d.goto(app.url("/login")).await.unwrap();
    log_in(d, "quan.ly", &admin.password).await;
    wait_id(d, "customers-table").await;
    wait_id(d, "import-link").await.click().await.unwrap();
    wait_id(d, "import-file")
        .await
        .send_keys(path.to_string_lossy())
        .await
        .unwrap();
    submit(d, "import-upload").await;
    wait_id(d, "import-setup").await;
    assert_eq!(text_of(d, "import-encoding").await, "windows-1258");
    let preview = text_of(d, "import-preview").await;
    assert!(preview.contains("Nguyễn Thị Hồng Đào"), "{preview}");
    click(d, "input[name=match_by][value=phone]").await;
    click(d, "input[name=on_match][value=overwrite]").await;
    submit(d, "import-setup").await;
    // The dry run ends on its own page (it refreshes itself while it runs).
    wait_id(d, "import-run-real").await;
    assert_eq!(text_of(d, "count-created").await, "1");
    assert_eq!(text_of(d, "count-updated").await, "1");
    assert_eq!(text_of(d, "count-failed").await, "1");
    let (_, l) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(l["total"], 1, "a dry run writes nothing");
    wait_id(d, "import-run-real").await.click().await.unwrap();
    wait_id(d, "import-undo").await;
    assert_eq!(text_of(d, "count-created").await, "1");
    let problems = text_of(d, "import-problems").await;
    assert!(problems.contains("phones.0"), "{problems}");
    let (_, l) = app
        .call(
            Some(&admin.key),
            "GET",
            "/api/v1/customers?q=0912345678",
            None,
        )
        .await;
    assert_eq!(l["items"][0]["name"], "Nguyễn Thị Hồng Đào");
    let (_, l) = app
        .call(
            Some(&admin.key),
            "GET",
            "/api/v1/customers?q=0903000111",
            None,
        )
        .await;
    assert_eq!(
        (
            l["items"][0]["name"].as_str(),
            l["items"][0]["notes"].as_str()
        ),
        (Some("Đỗ Hà"), Some("cập nhật"))
    );
    // Undo (the page asks for confirmation first).
    wait_id(d, "import-undo").await.click().await.unwrap();
    let _ = d.accept_alert().await;
    wait_id(d, "import-notice").await;
    let (_, l) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(l["total"], 1, "{l}");
    assert_eq!(l["items"][0]["notes"], "cũ");
    browser.quit().await;
    app.stop().await;
}
