//! Every page at a phone's size (360×740) and a desktop's (1920×1080), light and dark: the page
//! never scrolls sideways, its main chart fills at least 90 % of its card, a screenshot of each
//! is kept under the artifacts folder, and axe-core finds no serious or critical violation.

use dashboard_e2e::{ApiClient, Browser, demo_with_history_and};
use dashboard_shared::dom::{FLAME_GRAPH, MENU, MENU_TOGGLE, SUNBURST, THEME_TOGGLE};
use dashboard_shared::dom::{LOGOUT, USERNAME};
use dashboard_shared::pages::{Page, Theme};
use serde_json::Value;

/// The sizes every page is checked at.
const SIZES: [(u32, u32, &str); 2] = [(360, 740, "phone"), (1920, 1080, "desktop")];

/// What the page measures of itself: the document's width against the window's, the main
/// chart's width against its card's content box (`null` on pages without a chart), the theme
/// shown and the page's background colour.
fn measure() -> String {
    format!(
        r#"
const chart = document.querySelector('main .chart svg, main #{FLAME_GRAPH}, main #{SUNBURST}');
let ratio = null;
if (chart) {{
  const card = chart.closest('.card');
  const style = getComputedStyle(card);
  const inner = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  ratio = chart.getBoundingClientRect().width / inner;
}}
return {{
  document: document.documentElement.scrollWidth, window: window.innerWidth, chart: ratio,
  theme: document.documentElement.getAttribute('data-theme'),
  background: getComputedStyle(document.documentElement).backgroundColor,
}};
"#
    )
}

/// Runs axe-core (already on the page) and answers its serious and critical violations.
const AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(
  (result) => done(result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))),
  (error) => done([{ id: 'axe failed', impact: String(error), nodes: [] }]));
"#;

/// Pages whose main content is a chart.
fn has_chart(page: Page) -> bool {
    matches!(
        page,
        Page::HourlyLoad
            | Page::DailyUtilization
            | Page::ApiPerformance
            | Page::MultiVersion
            | Page::CustomGraphs
            | Page::Endpoint(_)
            | Page::GroupedProfiler(_)
    )
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend, Chromium and axe-core: run `cargo xtask test`"]
async fn every_page_fits_a_phone_and_a_desktop_in_both_themes_without_serious_axe_violations()
-> anyhow::Result<()> {
    let axe = std::fs::read_to_string(std::env::var("DASHBOARD_AXE_JS").map_err(|_| {
        anyhow::anyhow!(
            "DASHBOARD_AXE_JS is not set: run the browser tests with `cargo xtask test`"
        )
    })?)?;
    let (demo, browser) = demo_with_history_and(3, &[("DASHBOARD_MONITOR_LEVEL", "3")]).await?;
    // Three profiled requests, so that the grouped profile has a chart.
    let http = reqwest::Client::new();
    for user in 1..=3 {
        http.get(format!("{}/users/{user}/posts", demo.base))
            .send()
            .await?
            .error_for_status()?;
    }
    // Statements (an N+1 loop) and an outgoing call, so that the Queries and Outgoing calls
    // pages have rows.
    for path in ["/authors/books", "/weather?delay_ms=5"] {
        http.get(format!("{}{path}", demo.base))
            .send()
            .await?
            .error_for_status()?;
    }
    let api = ApiClient::login(&demo).await?;
    let rows = api
        .wait_for_total_hits(dashboard_e2e::history_requests(3) + 5)
        .await?;
    let id = rows
        .iter()
        .find(|row| row["name"] == "GET /users/{id}/posts")
        .and_then(|row| row["id"].as_i64())
        .expect("the posts endpoint");
    let dashboard = demo.dashboard();
    let mut found = Found::default();
    let logged_in: Vec<Page> = Page::all(id)
        .into_iter()
        .filter(|page| *page != Page::Login)
        .collect();
    for pages in [logged_in, vec![Page::Login]] {
        if pages == [Page::Login] {
            the_menu_folds_and_the_theme_switches(&browser, &dashboard).await?;
            // The login form, logged out.
            browser.client.set_window_size(1920, 1080).await?;
            browser.visit(&dashboard, Page::Overview, "").await?;
            browser
                .wait_for(&format!("#{LOGOUT}"))
                .await?
                .click()
                .await?;
            browser.wait_for(&format!("#{USERNAME}")).await?;
        }
        for (width, height, size) in SIZES {
            browser.client.set_window_size(width, height).await?;
            for theme in Theme::ALL {
                set_theme(&browser, theme).await?;
                for &page in &pages {
                    browser.visit(&dashboard, page, "").await?;
                    let name = format!("{}-{size}-{}", page.slug(), theme.name());
                    check_page(&browser, page, width, theme, &axe, &name, &mut found).await?;
                    browser.screenshot(&format!("layout-{name}")).await?;
                }
            }
        }
    }
    let (serious, failures) = (found.violations, found.failures);
    println!("axe-core: {serious} serious or critical violations on every page, size and theme");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    browser.close().await
}

/// On a phone the menu's links are behind the Menu button; the switch turns the theme and
/// remembers it across a reload.
async fn the_menu_folds_and_the_theme_switches(
    browser: &Browser,
    dashboard: &str,
) -> anyhow::Result<()> {
    let shown = |css: String| async move {
        anyhow::Ok(browser.wait_for(&css).await?.is_displayed().await?)
    };
    browser.client.set_window_size(360, 740).await?;
    set_theme(browser, Theme::Light).await?;
    browser.visit(dashboard, Page::Overview, "").await?;
    let reports = format!("#{MENU} a[href$='{}']", Page::Reports.path());
    assert!(!shown(reports.clone()).await?, "folded on a phone");
    browser
        .wait_for(&format!("#{MENU_TOGGLE}"))
        .await?
        .click()
        .await?;
    assert!(shown(reports).await?, "unfolded by the Menu button");
    browser
        .wait_for(&format!("#{THEME_TOGGLE}"))
        .await?
        .click()
        .await?;
    let theme = "return [document.documentElement.getAttribute('data-theme'), \
                 localStorage.getItem(arguments[0])];";
    let key = vec![Value::from(Theme::STORAGE_KEY)];
    let dark = serde_json::json!([Theme::Dark.name(), Theme::Dark.name()]);
    assert_eq!(browser.client.execute(theme, key.clone()).await?, dark);
    browser.client.refresh().await?;
    browser.wait_until_loaded().await?;
    assert_eq!(
        browser.client.execute(theme, key).await?,
        dark,
        "remembered"
    );
    Ok(())
}

/// Remembers `theme` as the switch does, for the pages opened next.
async fn set_theme(browser: &Browser, theme: Theme) -> anyhow::Result<()> {
    browser
        .client
        .execute(
            "localStorage.setItem(arguments[0], arguments[1]);",
            vec![Value::from(Theme::STORAGE_KEY), Value::from(theme.name())],
        )
        .await?;
    Ok(())
}

/// What the pages showed: axe-core's serious and critical violations, and every failure named
/// by its page, size and theme.
#[derive(Default)]
struct Found {
    violations: usize,
    failures: Vec<String>,
}

/// Checks the open `page` (named `name` in failures) at `width` into `found`.
async fn check_page(
    browser: &Browser,
    page: Page,
    width: u32,
    theme: Theme,
    axe: &str,
    name: &str,
    found: &mut Found,
) -> anyhow::Result<()> {
    let mut failures = Vec::new();
    let measured = browser.client.execute(&measure(), vec![]).await?;
    let window = measured["window"].as_u64().unwrap_or(0);
    assert_eq!(window, u64::from(width), "the window is as wide as asked");
    assert_eq!(
        measured["theme"],
        theme.name(),
        "{name}: the theme remembered is shown"
    );
    // The page's background: the light theme's light grey, the dark theme's near-black.
    let background = match theme {
        Theme::Light => "rgb(245, 246, 248)",
        Theme::Dark => "rgb(17, 21, 28)",
    };
    assert_eq!(measured["background"], background, "{name}");
    let document = measured["document"].as_u64().unwrap_or(u64::MAX);
    if document > window {
        failures.push(format!(
            "the page is {document} px wide in a {window} px window"
        ));
    }
    match (has_chart(page), measured["chart"].as_f64()) {
        (true, Some(ratio)) if ratio < 0.9 => {
            failures.push(format!(
                "the main chart fills {:.0} % of its card",
                ratio * 100.0
            ));
        }
        (true, None) => failures.push("no chart".to_owned()),
        _ => {}
    }
    let present = browser.client.execute("return typeof axe;", vec![]).await?;
    if present != "object" {
        browser.client.execute(axe, vec![]).await?;
    }
    let violations = browser.client.execute_async(AXE, vec![]).await?;
    let violations = violations.as_array().cloned().unwrap_or_default();
    for violation in &violations {
        failures.push(format!("axe: {violation}"));
    }
    found.violations += violations.len();
    found.failures.extend(
        failures
            .into_iter()
            .map(|failure| format!("{name}: {failure}")),
    );
    Ok(())
}
