//! A stranger's service: built by `cargo xtask test` outside this workspace from the packaged
//! crates (`DASHBOARD_OUTSIDE_BIN`, listening on `DASHBOARD_OUTSIDE_ADDR`), with the README's
//! "Using it" code as its `main.rs` and no wasm toolchain involved. It must serve the whole
//! frontend, compressed, and show its endpoint on the overview in Chromium.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Browser, Guard, wait_for_port};
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the outside service built from the packaged crates: run `cargo xtask test`"]
async fn a_service_built_from_the_packages_serves_the_whole_dashboard() -> Result<()> {
    let binary = std::env::var_os("DASHBOARD_OUTSIDE_BIN")
        .context("DASHBOARD_OUTSIDE_BIN is not set: run `cargo xtask test`")?;
    let address: std::net::SocketAddr = std::env::var("DASHBOARD_OUTSIDE_ADDR")
        .context("DASHBOARD_OUTSIDE_ADDR is not set: run `cargo xtask test`")?
        .parse()?;
    let dir = tempfile::tempdir()?;
    // The README's code reads `dashboard.toml` from the working folder.
    std::fs::write(
        dir.path().join("dashboard.toml"),
        format!("PASSWORD = \"{ADMIN_PASSWORD}\"\nDATABASE = \"sqlite:///outside.db\"\n"),
    )?;
    let _service = Guard(
        Command::new(binary)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .context("starting the outside service")?,
    );
    wait_for_port(address.port(), Duration::from_secs(30)).await?;
    let base = format!("http://{address}");
    let http = reqwest::Client::new();
    for id in 0..3 {
        let answer = http.get(format!("{base}/users/{id}")).send().await?;
        ensure!(
            answer.status().is_success(),
            "GET /users/{id}: {}",
            answer.status()
        );
    }
    let api = ApiClient::login_to(&base).await?;
    api.wait_for_total_hits(3).await?;

    // The optimised bundle, compressed, cached for a year.
    let index = http
        .get(format!("{base}/dashboard/"))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let wasm = index
        .split(['\'', '"'])
        .find(|part| part.ends_with("_bg.wasm"))
        .context("index.html names no wasm")?
        .to_owned();
    let answer = http
        .get(format!("{base}{wasm}"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await?
        .error_for_status()?;
    ensure!(
        answer
            .headers()
            .get("content-encoding")
            .is_some_and(|value| value == "br"),
        "the wasm is sent with brotli: {:?}",
        answer.headers()
    );
    ensure!(
        answer
            .headers()
            .get("cache-control")
            .is_some_and(|value| value.to_str().unwrap_or_default().contains("immutable")),
        "the wasm is cached: {:?}",
        answer.headers()
    );

    let browser = Browser::start().await?;
    let dashboard = format!("{base}/dashboard/");
    browser.log_in(&dashboard, "admin", ADMIN_PASSWORD).await?;
    browser
        .wait_for("#overview tbody tr[data-endpoint='GET /users/{id}']")
        .await?;
    let hits = browser
        .client
        .find(Locator::Css(
            "tr[data-endpoint='GET /users/{id}'] td.hits-overall",
        ))
        .await?
        .text()
        .await?;
    browser.screenshot("outside-service-overview").await?;
    ensure!(hits == "3", "the overview shows {hits} hits");
    Ok(())
}
