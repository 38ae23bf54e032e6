//! Statements and outgoing calls in the browser: the demo's N+1 route runs one statement per
//! author, and the Queries page lists that statement with its N+1 badge; the endpoint's page
//! shows its statements per request and its flags; the Outgoing calls page lists the slow
//! weather service by its path template.

use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo};
use dashboard_shared::dom::*;
use dashboard_shared::pages::Page;
use serde_json::Value;

/// The statement the demo's `GET /authors/books` runs once per author.
const PER_AUTHOR: &str = "SELECT title FROM books WHERE author_id = ?";

/// Authors in the demo's database (`AUTHORS` in `backend/examples/demo.rs`).
const AUTHORS: u64 = 8;

/// The rows of the table `#id` as the page shows them now, read in one step (a live page may
/// redraw between two steps): each row's data attributes, and whether it has an N+1 badge.
async fn table_rows(browser: &Browser, id: &str) -> anyhow::Result<Vec<Value>> {
    let script = format!(
        "return [...document.querySelectorAll('#{id} tbody tr')].map(row => ({{ \
           name: row.dataset.name, calls: Number(row.dataset.calls), \
           nPlusOne: Number(row.dataset.nPlusOne), \
           badge: row.querySelector('[data-part=n-plus-one]')?.textContent ?? null }}));"
    );
    match browser.client.execute(&script, vec![]).await? {
        Value::Array(rows) => Ok(rows),
        other => anyhow::bail!("#{id}: {other}"),
    }
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn the_queries_page_flags_the_n_plus_one_statement_and_the_endpoint_shows_statements_per_request()
-> anyhow::Result<()> {
    let demo = Demo::start()?;
    let http = reqwest::Client::new();
    for _ in 0..3 {
        http.get(format!("{}/authors/books", demo.base))
            .send()
            .await?
            .error_for_status()?;
    }
    http.get(format!("{}/weather?delay_ms=5", demo.base))
        .send()
        .await?
        .error_for_status()?;
    let api = ApiClient::login(&demo).await?;
    let rows = api.wait_for_total_hits(4).await?;
    let authors = rows
        .iter()
        .find(|row| row["name"] == "GET /authors/books")
        .and_then(|row| row["id"].as_i64())
        .expect("the N+1 route's endpoint");

    let browser = Browser::start().await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    browser.visit(&demo.dashboard(), Page::Queries, "").await?;
    browser
        .wait_for(&format!("#{DEPENDENCIES} tbody tr"))
        .await?;
    let statements = table_rows(&browser, DEPENDENCIES).await?;
    let per_author = statements
        .iter()
        .find(|row| row["name"] == PER_AUTHOR)
        .unwrap_or_else(|| panic!("no {PER_AUTHOR:?} in {statements:#?}"));
    assert_eq!(per_author["calls"], 3 * AUTHORS, "{per_author}");
    assert_eq!(
        per_author["nPlusOne"], 3,
        "every request flagged: {per_author}"
    );
    assert_eq!(per_author["badge"], "N+1 in 3", "{per_author}");
    let unflagged = statements
        .iter()
        .find(|row| row["name"] == "SELECT id, name FROM authors ORDER BY id")
        .expect("the authors' statement");
    assert_eq!(unflagged["badge"], Value::Null, "{unflagged}");

    browser
        .visit(&demo.dashboard(), Page::Endpoint(authors), "")
        .await?;
    browser
        .wait_for(&format!("#{QUERIES_PER_REQUEST}[data-requests='3']"))
        .await?;
    let figures = browser
        .client
        .execute(
            &format!(
                "const figures = document.getElementById('{QUERIES_PER_REQUEST}').dataset; \
                 return {{ median: Number(figures.median), flagged: Number(figures.flagged), \
                 flags: document.querySelectorAll('#{N_PLUS_ONE_FLAGS} tbody tr').length, \
                 statements: [...document.querySelectorAll('#{ENDPOINT_STATEMENTS} tbody tr')].map(row => row.dataset.name) }};"
            ),
            vec![],
        )
        .await?;
    // The authors' statement and one per author (a new connection's set-up statement may add one).
    let median = figures["median"].as_u64().unwrap_or(0);
    assert!((1 + AUTHORS..=2 + AUTHORS).contains(&median), "{figures}");
    assert_eq!(figures["flagged"], 3, "{figures}");
    assert_eq!(figures["flags"], 3, "{figures}");
    assert!(
        figures["statements"]
            .as_array()
            .is_some_and(|names| names.iter().any(|name| name == PER_AUTHOR)),
        "{figures}"
    );
    browser.screenshot("calls-endpoint").await?;

    browser
        .visit(&demo.dashboard(), Page::OutgoingCalls, "")
        .await?;
    browser
        .wait_for(&format!("#{DEPENDENCIES} tbody tr"))
        .await?;
    let upstreams = table_rows(&browser, DEPENDENCIES).await?;
    assert!(
        upstreams
            .iter()
            .any(|row| row["name"].as_str().is_some_and(
                |name| name.starts_with("GET 127.0.0.1:") && name.ends_with("/forecast/{id}")
            ) && row["calls"] == 1),
        "{upstreams:#?}"
    );
    browser.close().await
}
