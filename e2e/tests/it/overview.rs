//! The whole path: requests to the demo, stored by the writer, shown on the overview page in
//! headless Chromium.

use dashboard_shared::Figure;
use dashboard_shared::dom::*;
use std::collections::BTreeMap;

use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn requests_sent_equal_hits_shown_for_every_route() -> anyhow::Result<()> {
    let demo = Demo::start()?;
    let http = reqwest::Client::new();
    let base = &demo.base;
    let mut sent: BTreeMap<&str, u64> = BTreeMap::new();
    for id in 0..5 {
        http.get(format!("{base}/users/{id}"))
            .send()
            .await?
            .error_for_status()?;
        *sent.entry("GET /users/{id}").or_default() += 1;
    }
    for _ in 0..3 {
        http.get(format!("{base}/"))
            .send()
            .await?
            .error_for_status()?;
        *sent.entry("GET /").or_default() += 1;
    }
    for id in 0..2 {
        http.get(format!("{base}/users/{id}/posts"))
            .send()
            .await?
            .error_for_status()?;
        *sent.entry("GET /users/{id}/posts").or_default() += 1;
    }
    for quantity in 1..=4 {
        // Quantity 4 is refused with 422: an error, and still a hit.
        http.post(format!("{base}/orders"))
            .json(&json!({ "quantity": quantity }))
            .send()
            .await?;
        *sent.entry("POST /orders").or_default() += 1;
    }
    http.get(format!("{base}/reports/slow?delay_ms=1"))
        .send()
        .await?
        .error_for_status()?;
    *sent.entry("GET /reports/slow").or_default() += 1;
    // Unknown paths are not endpoints and must not show up.
    assert_eq!(
        http.get(format!("{base}/no/such/page"))
            .send()
            .await?
            .status(),
        404
    );

    let api = ApiClient::login(&demo).await?;
    let rows = api.wait_for_total_hits(sent.values().sum()).await?;
    assert_eq!(rows.len(), sent.len(), "one row per route: {rows:?}");
    let orders = rows
        .iter()
        .find(|row| row["name"] == "POST /orders")
        .expect("orders row");
    assert_eq!(orders["errors_overall"], 1);

    let browser = Browser::start().await?;
    let client = &browser.client;
    client.goto(&demo.dashboard()).await?;
    // Without a session the overview sends us to the login page.
    browser.wait_for(&format!("#{USERNAME}")).await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    browser.wait_for(&format!("#{OVERVIEW} tbody tr")).await?;

    let mut shown = BTreeMap::new();
    for row in client
        .find_all(Locator::Css(&format!("#{OVERVIEW} tbody tr")))
        .await?
    {
        let name = row.find(Locator::Css("td.name")).await?.text().await?;
        let hits: u64 = row
            .find(Locator::Css("td.hits-overall"))
            .await?
            .text()
            .await?
            .parse()?;
        let today: u64 = row
            .find(Locator::Css("td.hits-today"))
            .await?
            .text()
            .await?
            .parse()?;
        assert_eq!(today, hits, "every request was sent today");
        shown.insert(name, hits);
    }
    let expected: BTreeMap<String, u64> = sent
        .iter()
        .map(|(route, count)| ((*route).to_owned(), *count))
        .collect();
    let screenshot = browser.screenshot("overview").await?;
    assert_eq!(
        shown,
        expected,
        "hits shown per route (screenshot: {})",
        screenshot.display()
    );
    let errors = client
        .find(Locator::Css(
            "tr[data-endpoint='POST /orders'] td.errors-overall",
        ))
        .await?
        .text()
        .await?;
    assert_eq!(errors, "1");
    // The header: every request of the last 7 days, one error among them.
    let total: u64 = sent.values().sum();
    let mut values = std::collections::HashMap::new();
    for figure in Figure::ALL {
        let css = format!("#{SUMMARY} .tile[data-figure='{}']", figure.key());
        values.insert(figure, browser.attribute(&css, "data-value").await?);
    }
    assert_eq!(values[&Figure::Requests], format!("{:.3}", total as f64));
    assert_eq!(
        values[&Figure::ErrorRatio],
        format!("{:.3}", 100.0 / total as f64)
    );
    let median: f64 = values[&Figure::Median].parse()?;
    let p99: f64 = values[&Figure::P99].parse()?;
    assert!(median > 0.0 && p99 >= median, "median {median}, p99 {p99}");

    // Searching narrows the table; an admin's level button changes the level for real.
    client
        .find(Locator::Id(SEARCH))
        .await?
        .send_keys("users")
        .await?;
    browser
        .wait_for(&format!("#{OVERVIEW} tbody tr:nth-child(2):last-child"))
        .await?;
    assert_eq!(
        client
            .find_all(Locator::Css(&format!("#{OVERVIEW} tbody tr")))
            .await?
            .len(),
        2
    );
    client
        .find(Locator::Css(
            "tr[data-endpoint='GET /users/{id}'] button[data-level='0']",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait_for("tr[data-endpoint='GET /users/{id}'] button.active[data-level='0']")
        .await?;
    let rows = api.overview().await?;
    let users = rows
        .iter()
        .find(|row| row["name"] == "GET /users/{id}")
        .expect("users row");
    assert_eq!(users["monitor_level"], 0, "the level is stored");
    browser.close().await
}
