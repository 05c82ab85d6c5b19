//! The main UI flows in a real headless Chromium: first-run set-up, log in, create an
//! account, log out; and the customer list and page.

use khach_testkit::{Backend, Browser, TestApp};
use std::time::Duration;
use thirtyfour::prelude::*;

/// Waits (up to 10 s) for an element, or fails showing where the browser is.
pub(crate) async fn wait_id(d: &WebDriver, id: &str) -> WebElement {
    match d
        .query(By::Id(id))
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .first()
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let url = d
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let body = d.source().await.unwrap_or_default();
            panic!("#{id} not found at {url}: {e}\n{body}");
        }
    }
}

/// Waits (up to 10 s) for the first element matching a CSS selector.
pub(crate) async fn wait_css(d: &WebDriver, css: &str) -> WebElement {
    d.query(By::Css(css))
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|e| panic!("{css} not found: {e}"))
}

/// Clicks the submit button of the form with this id.
pub(crate) async fn submit(d: &WebDriver, form_id: &str) {
    let css = format!("#{form_id} button[type=submit]");
    d.find(By::Css(&css)).await.unwrap().click().await.unwrap();
}

/// Fills the login form on the current page and submits it.
pub(crate) async fn log_in(d: &WebDriver, username: &str, password: &str) {
    fill(d, "username", username).await;
    fill(d, "password", password).await;
    submit(d, "login-form").await;
}

pub(crate) async fn fill(d: &WebDriver, name: &str, value: &str) {
    let el = d.find(By::Name(name)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

#[tokio::test]
async fn first_run_login_create_account_logout() {
    if !khach_testkit::browser_available() {
        return;
    }
    // The UI is the same on both backends; the API suite covers PostgreSQL.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.fresh_install_setup_token().await;
    let browser = Browser::start().await;
    let d = &browser.driver;

    d.goto(app.url(&format!("/setup?token={token}")))
        .await
        .unwrap();
    fill(d, "username", "chu.cua.hang").await;
    fill(d, "full_name", "Trần Thị Mai").await;
    fill(d, "email", "mai@cuahang.vn").await;
    fill(d, "password", "mat-khau-rat-dai").await;
    fill(d, "password_confirm", "mat-khau-rat-dai").await;
    submit(d, "setup-form").await;

    // Lands on the login page with a notice, in Vietnamese.
    wait_id(d, "login-form").await;
    let html = d.source().await.unwrap();
    assert!(html.contains("Đã tạo tài khoản quản trị"), "{html}");
    log_in(d, "chu.cua.hang", "mat-khau-rat-dai").await;

    // Home sends an admin to the customer list; accounts are under settings.
    wait_id(d, "customers-table").await;
    assert!(
        d.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/customers")
    );
    d.goto(app.url("/settings/accounts")).await.unwrap();
    wait_id(d, "new-account").await.click().await.unwrap();
    fill(d, "username", "le.van.nam").await;
    fill(d, "password", "nam-mat-khau-1").await;
    fill(d, "full_name", "Lê Văn Nam").await;
    fill(d, "email", "nam@cuahang.vn").await;
    fill(d, "phone", "0912 345 678").await;
    let role = d.find(By::Css("select[name=role_id]")).await.unwrap();
    role.find(By::XPath("./option[contains(., 'Kinh doanh')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(d, "account-form").await;

    let table = wait_id(d, "accounts-table").await;
    let text = table.text().await.unwrap();
    assert!(
        text.contains("le.van.nam") && text.contains("Lê Văn Nam") && text.contains("Kinh doanh"),
        "{text}"
    );

    // A bad form shows field errors and keeps what was typed.
    wait_id(d, "new-account").await.click().await.unwrap();
    fill(d, "username", "le.van.nam").await;
    fill(d, "password", "nam-mat-khau-1").await;
    fill(d, "full_name", "Trùng Tên").await;
    submit(d, "account-form").await;
    let err = wait_css(d, ".field-error").await.text().await.unwrap();
    assert!(err.contains("Tên đăng nhập đã tồn tại"), "{err}");
    assert_eq!(
        d.find(By::Name("full_name"))
            .await
            .unwrap()
            .value()
            .await
            .unwrap()
            .as_deref(),
        Some("Trùng Tên")
    );

    // Log out: back to the login page, and protected pages redirect there.
    wait_id(d, "logout").await.click().await.unwrap();
    wait_id(d, "login-form").await;
    d.goto(app.url("/settings/accounts")).await.unwrap();
    wait_id(d, "login-form").await;

    // The new person can log in.
    log_in(d, "le.van.nam", "nam-mat-khau-1").await;
    wait_id(d, "logout").await;
    browser.quit().await;
    app.stop().await;
}

/// The text of an element, retried while the page is still being replaced.
pub(crate) async fn text_of(d: &WebDriver, id: &str) -> String {
    for _ in 0..100 {
        if let Ok(e) = d.find(By::Id(id)).await
            && let Ok(t) = e.text().await
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("#{id} never became readable")
}

/// The text of the customer table.
pub(crate) async fn table_text(d: &WebDriver) -> String {
    text_of(d, "customers-table").await
}

/// Waits until the address contains `part` (a form submit has landed).
pub(crate) async fn wait_url(d: &WebDriver, part: &str) {
    for _ in 0..100 {
        if d.current_url()
            .await
            .is_ok_and(|u| u.as_str().contains(part))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached a URL with {part}");
}

#[tokio::test]
async fn customer_create_search_edit_columns_filter_delete_restore() {
    if !khach_testkit::browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.make_principal("quan.ly", "admin", None).await;
    let browser = Browser::start().await;
    let d = &browser.driver;
    d.goto(app.url("/login")).await.unwrap();
    log_in(d, "quan.ly", &admin.password).await;
    wait_id(d, "customers-table").await;

    // Create: the ward list follows the chosen province.
    wait_id(d, "new-customer").await.click().await.unwrap();
    fill(d, "name", "Nguyễn Văn An").await;
    fill(d, "phones", "0912 345 678").await;
    fill(d, "emails", "An.Nguyen@Example.vn").await;
    fill(d, "tags", "vip, khách sỉ").await;
    let province = wait_id(d, "province").await;
    province
        .find(By::Css("option[value='01']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let ward = wait_css(d, "#ward option[value='00004']").await;
    ward.click().await.unwrap();
    submit(d, "customer-form").await;
    wait_url(d, "done=created").await;
    let profile = text_of(d, "profile").await;
    assert!(
        profile.contains("KH000001") && profile.contains("0912345678"),
        "{profile}"
    );
    assert!(
        profile.contains("an.nguyen@example.vn") && profile.contains("Phường Ba Đình"),
        "{profile}"
    );

    // A second customer, through the API.
    let (st, _) = app
        .call(
            Some(&admin.key),
            "POST",
            "/api/v1/customers",
            Some(serde_json::json!({"name": "Trần Thị Bích", "phones": ["+84 987 654 321"]})),
        )
        .await;
    assert_eq!(st, 201);

    // Quick search without diacritics.
    d.goto(app.url("/customers")).await.unwrap();
    fill(d, "q", "nguyen van an").await;
    submit(d, "quick-search").await;
    wait_url(d, "q=nguyen").await;
    let text = table_text(d).await;
    assert!(
        text.contains("Nguyễn Văn An") && !text.contains("Trần Thị Bích"),
        "{text}"
    );

    // Inline edit of the name on the customer page.
    d.find(By::LinkText("KH000001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(d, "[data-edit=name]").await.click().await.unwrap();
    let input = wait_css(d, ".pf[data-field=name] input[name=value]").await;
    assert!(input.is_displayed().await.unwrap());
    input.clear().await.unwrap();
    input.send_keys("Nguyễn Văn An Bình").await.unwrap();
    d.find(By::Css(".pf[data-field=name] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_url(d, "done=saved").await;
    let profile = text_of(d, "profile").await;
    assert!(profile.contains("Nguyễn Văn An Bình"), "{profile}");

    // Display settings: drop the e-mail column, add the province.
    d.goto(app.url("/customers")).await.unwrap();
    wait_id(d, "columns-link").await.click().await.unwrap();
    wait_id(d, "col-email").await.click().await.unwrap();
    wait_id(d, "col-province").await.click().await.unwrap();
    submit(d, "columns-form").await;
    wait_url(d, "done=saved").await;
    assert!(d.find(By::Css("th[data-col=email]")).await.is_err());
    assert!(d.find(By::Css("th[data-col=province]")).await.is_ok());
    assert!(table_text(d).await.contains("Thành phố Hà Nội"));

    // Filter builder: name contains "bich".
    d.find(By::Css(".filter-builder summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field = wait_css(d, "#new-filter-row select[name=rf]").await;
    field
        .find(By::Css("option[value=name]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let op = d
        .find(By::Css("#new-filter-row select[name=ro]"))
        .await
        .unwrap();
    assert_eq!(op.value().await.unwrap().as_deref(), Some("contains"));
    let v = d
        .find(By::Css("#new-filter-row input[name=rv]"))
        .await
        .unwrap();
    v.send_keys("bich").await.unwrap();
    wait_id(d, "apply-filter").await.click().await.unwrap();
    wait_url(d, "rf=name").await;
    let count = text_of(d, "customer-count").await;
    assert!(count.ends_with(" 1"), "{count}");
    let text = table_text(d).await;
    assert!(
        text.contains("Trần Thị Bích") && !text.contains("Nguyễn Văn An"),
        "{text}"
    );

    // Delete to the bin, then restore.
    d.goto(app.url("/customers")).await.unwrap();
    d.find(By::LinkText("KH000001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_id(d, "delete-customer").await.click().await.unwrap();
    d.accept_alert().await.unwrap();
    wait_url(d, "done=deleted").await;
    assert!(!table_text(d).await.contains("Nguyễn Văn An"));
    d.goto(app.url("/customers/bin")).await.unwrap();
    let bin = wait_id(d, "bin-table").await.text().await.unwrap();
    assert!(bin.contains("Nguyễn Văn An Bình"), "{bin}");
    d.find(By::Css("#bin-table button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let profile = wait_id(d, "profile").await.text().await.unwrap();
    assert!(profile.contains("Nguyễn Văn An Bình"), "{profile}");
    assert!(d.find(By::Id("in-bin")).await.is_err());
    d.goto(app.url("/customers")).await.unwrap();
    assert!(table_text(d).await.contains("Nguyễn Văn An Bình"));

    browser.quit().await;
    app.stop().await;
}
