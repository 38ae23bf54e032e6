//! Views that can be shared and kept open: a page's choices come from its address (and back and
//! forward step through them), and an open page shows new requests without being reloaded.

use std::time::{Duration, Instant};

use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo, demo_with_history};
use dashboard_shared::dom::*;
use dashboard_shared::page_query::{self, Choice};
use dashboard_shared::pages::{Page, REFRESH_SECONDS};
use fantoccini::Locator;
use serde_json::Value;

/// The `attribute` of every element `css` matches, in page order, read in one step in the
/// page (a refresh may replace the elements at any moment).
async fn attributes(browser: &Browser, css: &str, attribute: &str) -> anyhow::Result<Vec<String>> {
    let values = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])) \
                .map((element) => element.getAttribute(arguments[1]) ?? '');",
            vec![Value::from(css), Value::from(attribute)],
        )
        .await?;
    Ok(serde_json::from_value(values)?)
}

/// The text of the first element `css` matches, read in one step in the page.
async fn text(browser: &Browser, css: &str) -> anyhow::Result<Option<String>> {
    let text = browser
        .client
        .execute(
            "const element = document.querySelector(arguments[0]); \
             return element ? element.textContent : null;",
            vec![Value::from(css)],
        )
        .await?;
    Ok(serde_json::from_value(text)?)
}

/// Waits until `check` holds for the `attribute` values of `css` (20 s at most).
async fn wait_for_attributes(
    browser: &Browser,
    css: &str,
    attribute: &str,
    check: impl Fn(&[String]) -> bool,
) -> anyhow::Result<Vec<String>> {
    let started = Instant::now();
    loop {
        let values = attributes(browser, css, attribute).await?;
        if check(&values) || started.elapsed() > Duration::from_secs(20) {
            return Ok(values);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn an_address_with_a_range_versions_and_a_sort_opens_that_view() -> anyhow::Result<()> {
    // Versions 1.0 (before yesterday) and 1.1 (yesterday).
    let (demo, browser) = demo_with_history(3).await?;
    let dashboard = demo.dashboard();
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today - chrono::Days::new(2), today - chrono::Days::new(1));
    let query = serde_urlencoded::to_string([
        (page_query::FROM.to_owned(), from.to_string()),
        (page_query::TO.to_owned(), to.to_string()),
        (
            Choice::Versions.key(&Page::MultiVersion.slug()),
            "1.0".to_owned(),
        ),
    ])?;
    browser
        .visit(&dashboard, Page::MultiVersion, &format!("?{query}"))
        .await?;
    browser.wait_for(&format!("#{MULTI_VERSION_TABLE}")).await?;
    for (id, day) in [(FROM, from), (TO, to)] {
        let shown = browser
            .client
            .execute(
                "return document.getElementById(arguments[0]).value;",
                vec![Value::from(id)],
            )
            .await?;
        assert_eq!(shown, Value::from(day.to_string()), "#{id}");
    }
    let versions = attributes(
        &browser,
        &format!("#{MULTI_VERSION_TABLE} td[data-endpoint='GET /users/{{id}}']"),
        "data-version",
    )
    .await?;
    assert_eq!(versions, ["1.0"], "only the version in the address");
    let checked = attributes(
        &browser,
        "fieldset[data-choices='Versions'] input:checked",
        "data-choice",
    )
    .await?;
    assert_eq!(checked, ["1.0"]);

    // The overview sorted by name, ascending, as the address says.
    browser
        .visit(&dashboard, Page::Overview, "?sort=name")
        .await?;
    let names = wait_for_attributes(
        &browser,
        &format!("#{OVERVIEW} tbody tr"),
        "data-endpoint",
        |names| names.len() == 2,
    )
    .await?;
    assert_eq!(names, ["GET /users/{id}", "GET /users/{id}/posts"]);
    assert_eq!(
        browser
            .attribute("th[data-column='name']", "aria-sort")
            .await?,
        "ascending"
    );
    // Sorting by name again turns the order round, and the address follows.
    browser
        .wait_for("th[data-column='name'] button")
        .await?
        .click()
        .await?;
    let names = wait_for_attributes(
        &browser,
        &format!("#{OVERVIEW} tbody tr"),
        "data-endpoint",
        |names| names.first().is_some_and(|name| name.ends_with("posts")),
    )
    .await?;
    assert_eq!(names, ["GET /users/{id}/posts", "GET /users/{id}"]);
    let url = browser.client.current_url().await?;
    assert_eq!(url.query(), Some("sort=-name"));
    // Back: the previous order again.
    browser.client.back().await?;
    let names = wait_for_attributes(
        &browser,
        &format!("#{OVERVIEW} tbody tr"),
        "data-endpoint",
        |names| names.first().is_some_and(|name| name == "GET /users/{id}"),
    )
    .await?;
    assert_eq!(names, ["GET /users/{id}", "GET /users/{id}/posts"]);

    // The same address in another browser shows the same view.
    let other = Browser::start().await?;
    other.log_in(&dashboard, "admin", ADMIN_PASSWORD).await?;
    other.client.goto(url.as_str()).await?;
    let names = wait_for_attributes(
        &other,
        &format!("#{OVERVIEW} tbody tr"),
        "data-endpoint",
        |names| names.len() == 2,
    )
    .await?;
    assert_eq!(names, ["GET /users/{id}/posts", "GET /users/{id}"]);
    other.close().await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_open_overview_shows_a_new_request_without_reloading() -> anyhow::Result<()> {
    let demo = Demo::start()?;
    let http = reqwest::Client::new();
    http.get(format!("{}/users/1", demo.base))
        .send()
        .await?
        .error_for_status()?;
    let api = ApiClient::login(&demo).await?;
    api.wait_for_total_hits(1).await?;
    let browser = Browser::start().await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    let hits = "tr[data-endpoint='GET /users/{id}'] td.hits-overall";
    browser.wait_for(hits).await?;
    assert_eq!(text(&browser, hits).await?.as_deref(), Some("1"));
    // A mark that a reload would wipe out.
    browser
        .client
        .execute("window.stillTheSamePage = true;", vec![])
        .await?;

    http.get(format!("{}/users/2", demo.base))
        .send()
        .await?
        .error_for_status()?;
    let started = Instant::now();
    let shown = loop {
        let shown = text(&browser, hits).await?;
        if shown.as_deref() == Some("2") || started.elapsed() > Duration::from_secs(30) {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        shown.as_deref(),
        Some("2"),
        "the new request within two refreshes"
    );
    assert_eq!(
        browser
            .client
            .execute("return window.stillTheSamePage === true;", vec![])
            .await?,
        Value::Bool(true),
        "the page was not reloaded"
    );

    // The hourly load with its numbers open: a refresh with a new count keeps them open.
    browser
        .visit(&demo.dashboard(), Page::HourlyLoad, "")
        .await?;
    browser
        .wait_for("#hourly-load-card details summary")
        .await?
        .click()
        .await?;
    let now = chrono::Utc::now();
    let cell = format!(
        "#hourly-load-table td[data-day='{}'][data-hour='{}']",
        now.date_naive(),
        chrono::Timelike::hour(&now)
    );
    browser.wait_for(&cell).await?;
    let before: u64 = attributes(&browser, &cell, "data-count").await?[0].parse()?;
    http.get(format!("{}/users/3", demo.base))
        .send()
        .await?
        .error_for_status()?;
    let counts = wait_for_attributes(&browser, &cell, "data-count", |counts| {
        counts
            .first()
            .is_some_and(|count| count.parse::<u64>().ok() == Some(before + 1))
    })
    .await?;
    assert_eq!(counts, [(before + 1).to_string()]);
    assert!(
        browser
            .client
            .find(Locator::Css("#hourly-load-card details[open]"))
            .await
            .is_ok(),
        "the numbers stay open"
    );

    // Paused, the page shows no new request however long it stays open; resumed, it does.
    let toggle = format!("#{LIVE_TOGGLE}");
    browser.wait_for(&toggle).await?.click().await?;
    assert_eq!(browser.attribute(&toggle, "aria-pressed").await?, "true");
    http.get(format!("{}/users/4", demo.base))
        .send()
        .await?
        .error_for_status()?;
    api.wait_for_total_hits(4).await?;
    // Longer than a refresh: nothing to await when the point is that nothing happens.
    tokio::time::sleep(Duration::from_secs(REFRESH_SECONDS + 2)).await;
    assert_eq!(
        attributes(&browser, &cell, "data-count").await?,
        [(before + 1).to_string()],
        "no refresh while paused"
    );
    browser.wait_for(&toggle).await?.click().await?;
    assert_eq!(browser.attribute(&toggle, "aria-pressed").await?, "false");
    let counts = wait_for_attributes(&browser, &cell, "data-count", |counts| {
        counts
            .first()
            .is_some_and(|count| count.parse::<u64>().ok() == Some(before + 2))
    })
    .await?;
    assert_eq!(counts, [(before + 2).to_string()], "resumed");
    browser.close().await
}
