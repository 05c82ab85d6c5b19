//! The interaction history in a real headless Chromium: the chart's series hide and
//! show with their checkboxes, the text filter, "only source X" and "all sources
//! except X".

use crate::browser::{fill, log_in, submit, wait_css, wait_id, wait_url};
use khach_testkit::{Backend, Browser, TestApp};
use serde_json::json;
use thirtyfour::prelude::*;

async fn sources_shown(d: &WebDriver) -> Vec<String> {
    let mut out = Vec::new();
    for li in d.find_all(By::Css("#history li.event")).await.unwrap() {
        out.push(li.attr("data-source").await.unwrap().unwrap_or_default());
    }
    out
}

async fn pick(d: &WebDriver, select: &str, value: &str) {
    wait_css(d, &format!("#{select} option[value='{value}']"))
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn timeline_filters_and_chart_toggles() {
    if !khach_testkit::browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.make_principal("quan.ly", "admin", None).await;
    let (_, c) = app
        .call(
            Some(&admin.key),
            "POST",
            "/api/v1/customers",
            Some(json!({"name": "Chị Mai"})),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    let ev = |kind: &str, source: &str, at: &str, p: serde_json::Value| json!({"customer": {"id": id}, "type": kind, "source": source, "occurred_at": at, "properties": p});
    let (st, _) = app
        .call(
            Some(&admin.key),
            "POST",
            "/api/v1/events/batch",
            Some(json!({"events": [
                ev("email.opened", "mail", "2026-10-01T08:00:00Z", json!({"subject": "Khuyến mãi"})),
                ev("order.placed", "pos", "2026-10-15T08:00:00Z", json!({"total": 350000})),
                ev("page.viewed", "web", "2026-11-01T08:00:00Z", json!({"url": "/ao-dai"})),
                ev("page.viewed", "web", "2026-11-02T08:00:00Z", json!({"url": "/non-la"})),
            ]})),
        )
        .await;
    assert_eq!(st, 200);
    let browser = Browser::start().await;
    let d = &browser.driver;
    d.goto(app.url("/login")).await.unwrap();
    log_in(d, "quan.ly", &admin.password).await;
    wait_id(d, "customers-table").await;
    d.goto(app.url(&format!("/customers/{id}?tab=history")))
        .await
        .unwrap();
    wait_id(d, "history-chart").await;
    let score = wait_id(d, "series-score").await;
    let bars = wait_id(d, "series-interactions").await;
    assert!(score.is_displayed().await.unwrap() && bars.is_displayed().await.unwrap());
    wait_id(d, "toggle-score").await.click().await.unwrap();
    assert!(!score.is_displayed().await.unwrap());
    assert!(bars.is_displayed().await.unwrap());
    wait_id(d, "toggle-interactions")
        .await
        .click()
        .await
        .unwrap();
    assert!(!bars.is_displayed().await.unwrap());
    wait_id(d, "toggle-score").await.click().await.unwrap();
    assert!(score.is_displayed().await.unwrap());
    assert_eq!(
        sources_shown(d).await.len(),
        5,
        "four events and the creation"
    );

    // Text filter.
    fill(d, "q", "non-la").await;
    submit(d, "history-filter").await;
    wait_url(d, "q=non-la").await;
    assert_eq!(sources_shown(d).await, ["web"]);
    // Only one source.
    fill(d, "q", "").await;
    pick(d, "history-source", "web").await;
    submit(d, "history-filter").await;
    wait_url(d, "source=web").await;
    assert_eq!(sources_shown(d).await, ["web", "web"]);
    // Every source except one.
    pick(d, "history-mode", "except").await;
    submit(d, "history-filter").await;
    wait_url(d, "mode=except").await;
    let rest = sources_shown(d).await;
    assert_eq!(rest.len(), 3, "{rest:?}");
    assert!(!rest.contains(&"web".to_string()));
    // Details expand.
    let first = wait_css(d, "#history li.event details").await;
    first
        .find(By::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        first
            .find(By::Css("pre"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );

    browser.quit().await;
    app.stop().await;
}
