//! Two demo processes on one PostgreSQL database, and on one MariaDB database (the servers that
//! `cargo xtask test` starts): the Servers page shows two live instances, and what each stored
//! adds up to the total.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Demo};
use dashboard_shared::Servers;
use dashboard_shared::dom::{SERVERS, SERVERS_TOTAL};
use dashboard_shared::pages::Page;
use serde_json::Value;
use sqlx::Connection;

/// A fresh database on the test server named by the environment variable `server`.
async fn fresh_database(server: &str) -> Result<String> {
    let url = std::env::var(server).with_context(|| format!("{server}: run `cargo xtask test`"))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let name = format!("dashboard_e2e_servers_{}_{nanos}", std::process::id());
    let create = format!("CREATE DATABASE {name}");
    if url.starts_with("mysql") {
        let mut connection = sqlx::MySqlConnection::connect(&url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut connection)
            .await?;
    } else {
        let mut connection = sqlx::PgConnection::connect(&url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut connection)
            .await?;
    }
    let (base, _) = url.rsplit_once('/').context("a URL with a database")?;
    Ok(format!("{base}/{name}"))
}

/// The cards of the Servers page as it shows them now, read in one step.
async fn cards(browser: &Browser) -> Result<Vec<Value>> {
    let script = format!(
        "return [...document.querySelectorAll('#{SERVERS} > section')].map(card => ({{ \
           name: card.querySelector('h2').firstChild.textContent.trim(), \
           state: card.dataset.state, \
           requests: Number(card.querySelector('[data-requests-today]').dataset.requestsToday) }}));"
    );
    match browser.client.execute(&script, vec![]).await? {
        Value::Array(cards) => Ok(cards),
        other => anyhow::bail!("#{SERVERS}: {other}"),
    }
}

async fn two_processes_are_two_live_servers(server: &str) -> Result<()> {
    let database = fresh_database(server).await?;
    let first = Demo::start_on(Some(&database), &[], &[("DASHBOARD_INSTANCE", "web-1")])?;
    let second = Demo::start_on(Some(&database), &[], &[("DASHBOARD_INSTANCE", "web-2")])?;
    let http = reqwest::Client::new();
    for (demo, requests) in [(&first, 5), (&second, 3)] {
        for id in 0..requests {
            http.get(format!("{}/users/{id}", demo.base))
                .send()
                .await?
                .error_for_status()?;
        }
    }
    let api = ApiClient::login(&first).await?;
    let answer = api
        .wait_for("/servers", Duration::from_secs(20), |servers| {
            servers["requests_today"].as_u64() == Some(8)
        })
        .await?;
    let servers: Servers = serde_json::from_value(answer)?;
    let mut counts: Vec<(String, u64, bool)> = servers
        .servers
        .iter()
        .map(|server| (server.name.clone(), server.requests_today, server.live))
        .collect();
    counts.sort();
    ensure!(
        counts == [("web-1".to_owned(), 5, true), ("web-2".to_owned(), 3, true)],
        "{counts:?}"
    );

    let browser = Browser::start().await?;
    browser
        .log_in(&first.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    browser.visit(&first.dashboard(), Page::Servers, "").await?;
    browser.wait_for(&format!("#{SERVERS} > section")).await?;
    let mut shown = cards(&browser).await?;
    shown.sort_by_key(|card| card["name"].as_str().unwrap_or_default().to_owned());
    ensure!(
        shown
            == [
                serde_json::json!({"name": "web-1", "state": "live", "requests": 5}),
                serde_json::json!({"name": "web-2", "state": "live", "requests": 3}),
            ],
        "{shown:?}"
    );
    let total = browser
        .wait_for(&format!("#{SERVERS_TOTAL}"))
        .await?
        .text()
        .await?;
    ensure!(total == "8", "the page's total: {total}");
    browser.screenshot(&format!("servers-{server}")).await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend, Chromium and PostgreSQL: run `cargo xtask test`"]
async fn two_processes_on_postgres_are_two_live_servers() -> Result<()> {
    two_processes_are_two_live_servers("DASHBOARD_TEST_POSTGRES_URL").await
}

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend, Chromium and MariaDB: run `cargo xtask test`"]
async fn two_processes_on_mariadb_are_two_live_servers() -> Result<()> {
    two_processes_are_two_live_servers("DASHBOARD_TEST_MYSQL_URL").await
}
