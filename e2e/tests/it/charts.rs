//! The hourly-load page shows the demo's known history.

use dashboard_e2e::demo_with_history;
use dashboard_shared::dom::*;
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_hourly_load_heatmap_shows_the_seeded_history() -> anyhow::Result<()> {
    // Three days of history: hour h of each day has 1 + h % 4 requests of `GET /users/{id}`, 60
    // a day, and yesterday 24 of `GET /users/{id}/posts`.
    let (_demo, browser) = demo_with_history(3).await?;
    let client = &browser.client;
    browser.open("Hourly load").await?;
    browser.wait_for("#hourly-load-chart svg").await?;
    let cells = client
        .find_all(Locator::Css("#hourly-load-table td"))
        .await?;
    assert_eq!(cells.len(), 7 * 24, "the last seven days by default");
    let two_days_ago = (chrono::Utc::now().date_naive() - chrono::Days::new(2)).to_string();
    for (hour, expected) in [(0, "1"), (10, "3"), (23, "4")] {
        let cell = client
            .find(Locator::Css(&format!(
                "td[data-day='{two_days_ago}'][data-hour='{hour}']"
            )))
            .await?;
        assert_eq!(
            cell.attr("data-count").await?.as_deref(),
            Some(expected),
            "{two_days_ago} {hour}:00"
        );
    }
    let today = chrono::Utc::now().date_naive().to_string();
    let cell = client
        .find(Locator::Css(&format!(
            "td[data-day='{today}'][data-hour='12']"
        )))
        .await?;
    assert_eq!(
        cell.attr("data-count").await?.as_deref(),
        Some("0"),
        "no history today"
    );
    let rects = client
        .find_all(Locator::Css("#hourly-load-chart svg rect"))
        .await?
        .len();
    assert_eq!(rects, 1 + 7 * 24, "one cell per day and hour");
    // Pointing at the cell of 10:00 two days ago (the background, then the cells row by row)
    // names its count.
    let cell = 1 + 4 * 24 + 10;
    client
        .execute(
            "const chart = document.querySelector('#hourly-load-chart'); \
             const box = chart.querySelectorAll('svg rect')[arguments[0]].getBoundingClientRect(); \
             chart.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, \
                 clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }));",
            vec![serde_json::json!(cell)],
        )
        .await?;
    let tooltip = browser
        .wait_for("#hourly-load-card .chart-tooltip")
        .await?
        .text()
        .await?;
    assert_eq!(tooltip, format!("{two_days_ago} 10:00: 3 requests"));
    browser.screenshot("hourly-load").await?;

    // The API-performance page: the i-th request of hour h takes 2 + h % 7 + i ms.
    browser.open("API performance").await?;
    let row = browser
        .wait_for("#api-performance-table tr[data-label='GET /users/{id}']")
        .await?;
    let mut samples: Vec<f64> = (0..3)
        .flat_map(|_| (0..24u32).flat_map(|h| (0..=h % 4).map(move |i| f64::from(2 + h % 7 + i))))
        .collect();
    samples.sort_by(f64::total_cmp);
    let exact = (samples[89] + samples[90]) / 2.0;
    let shown: f64 = row.attr("data-median").await?.unwrap_or_default().parse()?;
    assert!(
        (shown - exact).abs() / exact <= 0.02,
        "median {shown} vs exact {exact}"
    );
    assert_eq!(row.attr("data-count").await?.as_deref(), Some("180"));
    assert!(
        !client
            .find_all(Locator::Css("#api-performance-chart svg rect"))
            .await?
            .is_empty()
    );
    browser.screenshot("api-performance").await?;

    // Daily utilization: 60 history requests a day, today none.
    browser.open("Daily utilization").await?;
    browser
        .wait_for(&format!("#{DAILY_UTILIZATION_CHART} svg"))
        .await?;
    let cell = |day: String| format!("td[data-endpoint='GET /users/{{id}}'][data-day='{day}']");
    let hits = client
        .find(Locator::Css(&cell(two_days_ago.clone())))
        .await?
        .attr("data-hits")
        .await?;
    assert_eq!(hits.as_deref(), Some("60"));
    let hits = client
        .find(Locator::Css(&cell(today.clone())))
        .await?
        .attr("data-hits")
        .await?;
    assert_eq!(hits.as_deref(), Some("0"));
    browser.screenshot("daily-utilization").await?;
    browser.close().await
}
