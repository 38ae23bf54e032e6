//! The outliers page and the exceptions page of the demo at level 2: a slow report is caught
//! while it runs, in the helper it waits in, with its secrets redacted; a panic and a reported
//! error are exception groups whose detail names the helper they happened in.

use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo};
use dashboard_shared::dom::*;
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_outlier_card_and_the_exception_groups_show_what_happened() -> anyhow::Result<()> {
    let demo = Demo::start_with(&[
        ("DASHBOARD_MONITOR_LEVEL", "2"),
        ("DASHBOARD_OUTLIER_DETECTION_CONSTANT", "10"),
        ("DASHBOARD_OUTLIER_MIN_SAMPLES", "5"),
    ])?;
    let api = ApiClient::login(&demo).await?;
    let http = reqwest::Client::new();
    let report = |delay: u64| format!("{}/reports/slow?delay_ms={delay}", demo.base);
    // A history of fast reports (the last one stored after the others' mean is known).
    for _ in 0..6 {
        http.get(report(10)).send().await?;
    }
    api.wait_for_total_hits(6).await?;
    http.get(report(10)).send().await?;
    api.wait_for_total_hits(7).await?;
    let slow = http
        .get(format!("{}&access_token=e2e-secret", report(1500)))
        .header("authorization", "Bearer e2e-secret")
        .header("x-request-source", "e2e")
        .send()
        .await?;
    assert!(slow.status().is_success());
    for sku in ["crash", "offline", "offline"] {
        let status = http
            .get(format!("{}/inventory/{sku}", demo.base))
            .send()
            .await?
            .status();
        assert!(status.is_server_error(), "{sku}: {status}");
    }
    api.wait_for_total_hits(11).await?;

    let browser = Browser::start().await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    browser
        .wait_for("tr[data-endpoint='GET /reports/slow'] td.name a")
        .await?
        .click()
        .await?;
    browser
        .wait_for(&format!("#{OUTLIERS_LINK}"))
        .await?
        .click()
        .await?;
    let card = browser.wait_for("section.outlier").await?;
    assert_eq!(
        browser
            .attribute(&format!("#{OUTLIER_COUNT}"), "data-total")
            .await?,
        "1"
    );
    let duration: f64 = browser
        .attribute("section.outlier", "data-duration")
        .await?
        .parse()?;
    assert!(duration >= 1500.0, "{duration}");
    let stack = card
        .find(Locator::Css("li[data-function='fetch_report_rows']"))
        .await?;
    assert!(stack.text().await?.contains("fetch_report_rows"));
    let cell =
        |part: &str, name: &str| format!("table[data-part='{part}'] tr[data-name='{name}'] td");
    assert_eq!(
        card.find(Locator::Css(&cell("headers", "authorization")))
            .await?
            .text()
            .await?,
        "[redacted]"
    );
    assert_eq!(
        card.find(Locator::Css(&cell("headers", "x-request-source")))
            .await?
            .text()
            .await?,
        "e2e"
    );
    assert_eq!(
        card.find(Locator::Css(&cell("query", "access_token")))
            .await?
            .text()
            .await?,
        "[redacted]"
    );
    assert_eq!(
        card.find(Locator::Css(&cell("query", "delay_ms")))
            .await?
            .text()
            .await?,
        "1500"
    );
    browser.wait_for("#outlier-cpu-chart svg").await?;
    assert_eq!(
        browser
            .attribute(
                "#outlier-memory-table tr[data-label='this process']",
                "data-count"
            )
            .await?,
        "1"
    );
    assert!(!browser.client.source().await?.contains("e2e-secret"));
    let older = browser.wait_for("#outliers-older").await?;
    assert_eq!(older.text().await?, "Older ›");
    assert_eq!(
        older.attr("disabled").await?.as_deref(),
        Some("true"),
        "one page only"
    );
    assert_eq!(
        browser.wait_for("#outliers-page").await?.text().await?,
        "1–1 of 1"
    );
    browser.screenshot("outliers").await?;

    browser
        .client
        .find(Locator::LinkText("Exceptions"))
        .await?
        .click()
        .await?;
    browser.wait_for(&format!("#{EXCEPTIONS_TABLE}")).await?;
    assert_eq!(
        browser
            .attribute(&format!("#{EXCEPTION_COUNT}"), "data-total")
            .await?,
        "2"
    );
    assert_eq!(
        browser
            .attribute(
                &format!("#{EXCEPTIONS_TABLE} tr[data-type='std::io::error::Error']"),
                "data-count"
            )
            .await?,
        "2"
    );
    browser
        .wait_for(&format!("#{EXCEPTIONS_TABLE} tr[data-type='panic']"))
        .await?
        .click()
        .await?;
    let detail = browser
        .wait_for(&format!(
            "#{EXCEPTION_DETAIL} li[data-function='reserve_stock']"
        ))
        .await?;
    assert!(detail.text().await?.contains("reserve_stock"));
    let location = browser
        .wait_for(&format!("#{EXCEPTION_DETAIL} [data-part='location']"))
        .await?;
    assert!(location.text().await?.contains("demo.rs"));
    let heading = browser
        .wait_for(&format!("#{EXCEPTION_DETAIL} h2"))
        .await?
        .text()
        .await?;
    assert!(
        heading.contains("the stock ledger of crash is corrupt"),
        "{heading}"
    );
    browser.screenshot("exceptions").await?;

    browser
        .wait_for(&format!("#{EXCEPTION_DELETE}"))
        .await?
        .click()
        .await?;
    browser
        .wait_for(&format!("#{EXCEPTION_COUNT}[data-total='1']"))
        .await?;
    browser.close().await
}
