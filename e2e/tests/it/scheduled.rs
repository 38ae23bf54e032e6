//! The pages of scheduled work: custom graphs, the database with its prune button, reports,
//! and the overview's mark on endpoints a new version made slower.

use dashboard_shared::dom::*;
use std::time::Duration;

use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo, history_requests};
use fantoccini::Locator;
use serde_json::{Value, json};

/// Logs `browser` in as the admin.
async fn admin(demo: &Demo) -> anyhow::Result<Browser> {
    let browser = Browser::start().await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    Ok(browser)
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_custom_graphs_page_charts_the_orders_placed_every_second() -> anyhow::Result<()> {
    let demo = Demo::start_with_args(&["--graph-every", "1"], &[])?;
    let http = reqwest::Client::new();
    for _ in 0..3 {
        http.post(format!("{}/orders", demo.base))
            .json(&json!({ "quantity": 1 }))
            .send()
            .await?
            .error_for_status()?;
    }
    let api = ApiClient::login(&demo).await?;
    let graphs = api.get("/custom-graphs").await?;
    assert_eq!(graphs[0]["title"], "Orders placed", "{graphs}");
    assert_eq!(graphs[0]["schedule"], "every 1 s");
    let id = graphs[0]["id"].as_i64().unwrap_or_default();
    let latest = |data: &Value| {
        data["points"]
            .as_array()
            .and_then(|points| points.last())
            .cloned()
    };
    let data = api
        .wait_for(
            &format!("/custom-graphs/{id}"),
            Duration::from_secs(20),
            |data| latest(data).is_some_and(|point| point["value"] == 3.0),
        )
        .await?;
    let stored = data["points"].as_array().map_or(0, Vec::len);

    let browser = admin(&demo).await?;
    browser.open("Custom graphs").await?;
    let card = format!("#custom-graph-{id}");
    browser.wait_for(&format!("{card}-chart svg")).await?;
    let title = browser
        .wait_for(&format!("{card}-card h2"))
        .await?
        .text()
        .await?;
    assert_eq!(title, "Orders placed");
    // Values keep coming every second: the page shows at least those stored before, the
    // latest first, each with its tick's time.
    // Read in one step in the page: a refresh may redraw the card at any moment.
    let table = format!("{card}-table");
    browser
        .wait_for(&format!("{table} tbody tr:first-child"))
        .await?;
    let seen = browser
        .client
        .execute(
            "const table = document.querySelector(arguments[0]); \
             const first = table.querySelector('tbody tr'); \
             return { shown: Number(table.dataset.points), value: first.dataset.value, \
                 time: first.dataset.time, \
                 dots: document.querySelectorAll(arguments[1]).length };",
            vec![json!(table), json!(format!("{card}-chart svg circle"))],
        )
        .await?;
    let shown = seen["shown"].as_u64().unwrap_or_default() as usize;
    assert!(shown >= stored, "{shown} values shown, {stored} stored");
    assert_eq!(seen["value"], "3");
    let time: chrono::DateTime<chrono::Utc> = seen["time"].as_str().unwrap_or_default().parse()?;
    assert_eq!(
        time.timestamp_subsec_millis(),
        0,
        "ticks fall on whole seconds"
    );
    assert_eq!(seen["dots"].as_u64(), Some(shown as u64), "a dot per value");
    let href = browser
        .attribute(&format!("{card}-card a[data-format='png']"), "href")
        .await?;
    assert!(
        href.contains(&format!("custom-graphs/{id}?format=png")),
        "{href}"
    );
    browser.screenshot("custom-graphs").await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_database_page_shows_rows_and_sizes_and_prunes_what_retention_drops()
-> anyhow::Result<()> {
    // Requests are kept two days; the scheduled prune never runs during the test (1 January).
    let demo = Demo::start_with_args(
        &["--history", "3"],
        &[
            ("DASHBOARD_RETENTION_REQUESTS", "2d"),
            ("DASHBOARD_RETENTION_SCHEDULE", "0 0 0 1 1 *"),
        ],
    )?;
    let requests = history_requests(3);
    ApiClient::login(&demo)
        .await?
        .wait_for_total_hits(requests)
        .await?;
    let browser = admin(&demo).await?;
    browser.open("Database").await?;
    let request_table = &format!("#{DATABASE_TABLES} tr[data-table='dashboard_request']");
    assert_eq!(
        browser.attribute(request_table, "data-rows").await?,
        requests.to_string()
    );
    let bytes: u64 = browser
        .attribute(&format!("#{DATABASE_TOTAL}"), "data-bytes")
        .await?
        .parse()?;
    assert!(bytes > 0, "the SQLite file's size");
    assert_eq!(
        browser
            .wait_for(&format!("#{RETENTION_REQUESTS}"))
            .await?
            .text()
            .await?,
        "2 days"
    );
    let next_run = browser
        .wait_for(&format!("#{RETENTION_NEXT_RUN}"))
        .await?
        .text()
        .await?;
    assert!(next_run.contains("-01-01 00:00:00"), "{next_run}");

    // The history's first day is past the limit, as is the second's until this time of day.
    browser
        .wait_for(&format!("#{PRUNE}"))
        .await?
        .click()
        .await?;
    let pruned: u64 = browser
        .attribute(&format!("#{PRUNE_RESULT}"), "data-requests")
        .await?
        .parse()?;
    assert!((60..=120).contains(&pruned), "{pruned} requests pruned");
    let left = requests - pruned;
    browser
        .wait_for(&format!("{request_table}[data-rows='{left}']"))
        .await?;
    browser.screenshot("database").await?;
    browser.close().await
}

/// Sets the date input `css` to `day` (`YYYY-MM-DD`) as a person choosing it would.
async fn choose_day(browser: &Browser, css: &str, day: chrono::NaiveDate) -> anyhow::Result<()> {
    let input = browser.wait_for(css).await?;
    browser
        .client
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
            vec![serde_json::to_value(input)?, json!(day.to_string())],
        )
        .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn reports_find_the_slow_release_and_the_overview_marks_it() -> anyhow::Result<()> {
    // Version 1.1 served yesterday, twice as slow on `GET /users/{id}` as 1.0 the two days
    // before; it is compared with 1.0 automatically after 50 requests.
    let demo = Demo::start_with_args(
        &["--history", "3", "--slow-release"],
        &[("DASHBOARD_VERSION_COMPARE_REQUESTS", "50")],
    )?;
    let api = ApiClient::login(&demo).await?;
    api.wait_for_total_hits(history_requests(3)).await?;
    let browser = admin(&demo).await?;
    browser.open("Reports").await?;

    // Versions: the newest against the one before by default.
    browser
        .wait_for(&format!("#{COMPARE_VERSIONS}"))
        .await?
        .click()
        .await?;
    let users = "section.report-endpoint[data-endpoint='GET /users/{id}']";
    let card = browser.wait_for(users).await?;
    assert_eq!(card.attr("data-regressed").await?.as_deref(), Some("true"));
    let difference: f64 = card
        .attr("data-difference")
        .await?
        .unwrap_or_default()
        .parse()?;
    assert!(
        (difference - 100.0).abs() < 0.01,
        "twice the median: {difference}"
    );
    let p_value: f64 = card
        .attr("data-p-value")
        .await?
        .unwrap_or_default()
        .parse()?;
    assert!(p_value < 0.05, "p = {p_value}");
    // The chart is drawn once its width is measured.
    browser.wait_for(".report-endpoint .chart svg").await?;
    assert_eq!(
        card.find_all(Locator::Css(".chart svg rect")).await?.len(),
        1 + 2 * 2,
        "the two distributions side by side"
    );
    let posts = "section.report-endpoint[data-endpoint='GET /users/{id}/posts']";
    let card = browser.wait_for(posts).await?;
    assert_eq!(
        card.attr("data-significant").await?.as_deref(),
        Some("false")
    );
    browser
        .wait_for(&format!("#{SIGNIFICANT_ONLY}"))
        .await?
        .click()
        .await?;
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&format!("#{REPORT} ~ {users}")))
        .await?;
    let shown = browser
        .client
        .find_all(Locator::Css("section.report-endpoint"))
        .await?
        .len();
    assert_eq!(shown, 1, "only the significant endpoint");
    browser.screenshot("reports").await?;
    // The report and the toggle are in the address: opening it runs the same report again.
    let url = browser.client.current_url().await?;
    browser.client.goto(url.as_str()).await?;
    browser
        .wait_for(&format!("#{REPORT} ~ {users}[data-regressed='true']"))
        .await?;
    assert_eq!(
        browser
            .client
            .find_all(Locator::Css("section.report-endpoint"))
            .await?
            .len(),
        1,
        "still only the significant endpoint: {url}"
    );

    // Ranges: yesterday against the day before finds the same regression, in UTC days.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today - chrono::Days::new(1);
    let before = today - chrono::Days::new(2);
    for (css, day) in [
        ("#comparison-from", yesterday),
        ("#comparison-to", yesterday),
        ("#baseline-from", before),
        ("#baseline-to", before),
    ] {
        choose_day(&browser, css, day).await?;
    }
    browser
        .wait_for(&format!("#{COMPARE_INTERVALS}"))
        .await?
        .click()
        .await?;
    let label = format!("{yesterday} 00:00");
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!(
            "//section[@id='report']/h2[starts-with(., '{label}')]"
        )))
        .await?;
    let card = browser.wait_for(users).await?;
    assert_eq!(card.attr("data-regressed").await?.as_deref(), Some("true"));

    // The automatic comparison runs every minute; the overview marks what it found.
    let comparison = api
        .wait_for(
            "/reports/version-comparison",
            Duration::from_secs(90),
            |c| !c.is_null(),
        )
        .await?;
    assert_eq!(
        (&comparison["version"], &comparison["baseline"]),
        (&json!("1.1"), &json!("1.0")),
        "{comparison}"
    );
    browser.client.goto(&demo.dashboard()).await?;
    browser
        .wait_for(
            &format!("#{OVERVIEW} tr[data-endpoint='GET /users/{{id}}'][data-regressed='true'] .badge.regressed"),
        )
        .await?;
    let posts_row = browser
        .wait_for(&format!(
            "#{OVERVIEW} tr[data-endpoint='GET /users/{{id}}/posts']"
        ))
        .await?;
    assert_eq!(
        posts_row.attr("data-regressed").await?.as_deref(),
        Some("false")
    );
    let summary = browser
        .wait_for(&format!("#{VERSION_COMPARISON}"))
        .await?
        .text()
        .await?;
    assert!(
        summary.starts_with("Version 1.1 against 1.0: 1 endpoint is significantly slower"),
        "{summary}"
    );
    browser.screenshot("overview-regressed").await?;
    browser.close().await
}
