//! The endpoint page and the multi-version page show the demo's known history: see
//! `record_history` in `backend/examples/demo.rs`.

use dashboard_e2e::{Browser, demo_with_history};
use dashboard_shared::dom::*;
use fantoccini::Locator;

/// The exact median of some durations.
fn median(mut durations: Vec<f64>) -> f64 {
    durations.sort_by(f64::total_cmp);
    let n = durations.len();
    if n % 2 == 1 {
        durations[n / 2]
    } else {
        (durations[n / 2 - 1] + durations[n / 2]) / 2.0
    }
}

/// The durations of the i-th request of each hour of one day (hours with at least i + 1
/// requests): `2 + h % 7 + i` ms.
fn durations_of_request(i: u32) -> Vec<f64> {
    (0..24u32)
        .filter(|hour| 1 + hour % 4 > i)
        .map(|hour| f64::from(2 + hour % 7 + i))
        .collect()
}

async fn number(browser: &Browser, css: &str, name: &str) -> anyhow::Result<f64> {
    Ok(browser.attribute(css, name).await?.parse()?)
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_endpoint_page_shows_every_view_of_the_seeded_history() -> anyhow::Result<()> {
    let (_demo, browser) = demo_with_history(3).await?;
    let client = &browser.client;
    browser
        .wait_for("tr[data-endpoint='GET /users/{id}'] td.name a")
        .await?
        .click()
        .await?;

    // The details card.
    assert_eq!(
        browser
            .attribute("dd[data-field='total-hits']", "data-value")
            .await?,
        "180"
    );
    assert_eq!(
        browser
            .attribute("dd[data-field='first-seen']", "data-version")
            .await?,
        "1.0"
    );
    assert_eq!(
        client
            .find(Locator::Css("dd[data-field='methods']"))
            .await?
            .text()
            .await?,
        "GET"
    );
    assert_eq!(
        client
            .find(Locator::Css(&format!("#{ENDPOINT_NAME}")))
            .await?
            .text()
            .await?,
        "GET /users/{id}"
    );

    // Hourly load of this endpoint: hour 23 of every history day has 4 requests.
    let two_days_ago = (chrono::Utc::now().date_naive() - chrono::Days::new(2)).to_string();
    assert_eq!(
        browser
            .attribute(
                &format!(
                    "#endpoint-hourly-load-table td[data-day='{two_days_ago}'][data-hour='23']"
                ),
                "data-count"
            )
            .await?,
        "4"
    );

    // Per version: 1.0 served two days (120 requests), 1.1 yesterday (60).
    assert_eq!(
        browser
            .attribute("#versions-table tr[data-label='1.0']", "data-count")
            .await?,
        "120"
    );
    assert_eq!(
        browser
            .attribute("#versions-table tr[data-label='1.1']", "data-count")
            .await?,
        "60"
    );

    // Per user, exact: dave sends the fourth request of hours 3, 7, …, 23.
    let dave = median(durations_of_request(3));
    assert_eq!(
        number(
            &browser,
            "#users-table tr[data-label='dave']",
            "data-median"
        )
        .await?,
        dave
    );
    assert_eq!(
        browser
            .attribute("#users-table tr[data-label='dave']", "data-count")
            .await?,
        "18"
    );

    // Versions × users and versions × addresses, exact medians.
    let alice = median(durations_of_request(0));
    let cell = |table: &str, row: &str, version: &str| {
        format!("#{table}-table td[data-row='{row}'][data-version='{version}']")
    };
    assert_eq!(
        number(
            &browser,
            &cell("version-user", "alice", "1.1"),
            "data-median"
        )
        .await?,
        alice
    );
    assert_eq!(
        browser
            .attribute(&cell("version-user", "dave", "1.0"), "data-count")
            .await?,
        "12"
    );
    assert_eq!(
        number(
            &browser,
            &cell("version-ip", "192.0.2.4", "1.1"),
            "data-median"
        )
        .await?,
        dave
    );

    // Status codes: the fourth request of an hour answers 500, 6 a day.
    assert_eq!(
        browser
            .attribute(
                &format!("#{STATUS_CODES_TABLE} tr[data-status='500']"),
                "data-count"
            )
            .await?,
        "18"
    );
    assert_eq!(
        browser
            .attribute(
                &format!("#{STATUS_CODES_TABLE} tr[data-status='200']"),
                "data-count"
            )
            .await?,
        "162"
    );

    // The failed requests: all 18 on the first page, newest first.
    browser
        .wait_for(&format!("#{FAILED_REQUESTS_TABLE} tbody tr"))
        .await?;
    let failed = client
        .find_all(Locator::Css(&format!(
            "#{FAILED_REQUESTS_TABLE} tbody tr[data-status='500']"
        )))
        .await?;
    assert_eq!(failed.len(), 18);
    assert_eq!(
        client
            .find(Locator::Css(&format!("#{FAILED_NEXT}")))
            .await?
            .attr("disabled")
            .await?
            .as_deref(),
        Some("true"),
        "one page only"
    );
    browser.screenshot("endpoint").await?;

    // Choosing versions: without 1.0, only 1.1 has a box.
    client
        .find(Locator::Css("#versions-card input[data-choice='1.0']"))
        .await?
        .click()
        .await?;
    browser.wait_for("#versions-table[data-rows='1']").await?;
    let href = browser
        .attribute("#versions-card a[data-format='png']", "href")
        .await?;
    assert!(
        href.contains("versions=1.1") && href.contains("format=png"),
        "{href}"
    );

    // Multi version: 1.0 served only `GET /users/{id}`; of 1.1's 84 requests, 60 went there
    // and 24 to `GET /users/{id}/posts`.
    browser.open("Multi version").await?;
    let share = |endpoint: &str, version: &str| {
        format!("#{MULTI_VERSION_TABLE} td[data-endpoint='{endpoint}'][data-version='{version}']")
    };
    assert_eq!(
        browser
            .attribute(&share("GET /users/{id}", "1.0"), "data-percent")
            .await?,
        "100.0"
    );
    assert_eq!(
        browser
            .attribute(&share("GET /users/{id}", "1.1"), "data-percent")
            .await?,
        "71.4"
    );
    assert_eq!(
        browser
            .attribute(&share("GET /users/{id}/posts", "1.1"), "data-percent")
            .await?,
        "28.6"
    );
    assert_eq!(
        client
            .find_all(Locator::Css(&format!("#{MULTI_VERSION_CHART} svg rect")))
            .await?
            .len(),
        1 + 2 * 2,
        "the background and a cell per endpoint and version"
    );
    browser.screenshot("multi-version").await?;

    // Leaving an endpoint out keeps the others' shares of all the version's requests.
    client
        .find(Locator::Css(
            "fieldset[data-choices='Endpoints'] input[data-choice='GET /users/{id}/posts']",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait_for(&format!("#{MULTI_VERSION_TABLE} tbody tr:only-child"))
        .await?;
    assert_eq!(
        browser
            .attribute(&share("GET /users/{id}", "1.1"), "data-percent")
            .await?,
        "71.4"
    );
    browser.close().await
}
