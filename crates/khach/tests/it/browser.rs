//! The main UI flow in a real headless Chromium: first-run set-up, log in, create an
//! account, log out.

use khach_testkit::{Backend, Browser, TestApp};
use std::time::Duration;
use thirtyfour::prelude::*;

/// Waits (up to 10 s) for an element, or fails showing where the browser is.
async fn wait_id(d: &WebDriver, id: &str) -> WebElement {
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
async fn wait_css(d: &WebDriver, css: &str) -> WebElement {
    d.query(By::Css(css))
        .wait(Duration::from_secs(10), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|e| panic!("{css} not found: {e}"))
}

/// Clicks the submit button of the form with this id.
async fn submit(d: &WebDriver, form_id: &str) {
    let css = format!("#{form_id} button[type=submit]");
    d.find(By::Css(&css)).await.unwrap().click().await.unwrap();
}

/// Fills the login form on the current page and submits it.
async fn log_in(d: &WebDriver, username: &str, password: &str) {
    fill(d, "username", username).await;
    fill(d, "password", password).await;
    submit(d, "login-form").await;
}

async fn fill(d: &WebDriver, name: &str, value: &str) {
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

    // Home sends an admin to the accounts page.
    wait_id(d, "accounts-table").await;
    assert!(
        d.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/settings/accounts")
    );
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
