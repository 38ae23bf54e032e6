//! Helpers of the black-box tests: the demo service as a separate process, ChromeDriver, and
//! an HTTP client that logs in to the dashboard's API.
//!
//! The tests need the demo binary (`DASHBOARD_DEMO_BIN`), a built frontend and Debian's
//! `chromium` + `chromium-driver`; `cargo xtask test` provides all three.

use dashboard_shared::dom::*;
use dashboard_shared::pages::Page;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The admin password the tests give the demo.
pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// Kills a child process when dropped, so every test stops what it started.
#[derive(Debug)]
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo service running on a free loopback port with a fresh SQLite file (or the database
/// it was given).
pub struct Demo {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    process: Guard,
    /// What the demo wrote to standard error so far (also passed on to the test's).
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo").finish_non_exhaustive()
    }
}

impl Demo {
    /// Starts the demo and waits until it listens.
    pub fn start() -> Result<Demo> {
        Demo::start_with(&[])
    }

    /// Starts the demo with extra environment variables, e.g. `DASHBOARD_METRICS=true`.
    pub fn start_with(env: &[(&str, &str)]) -> Result<Demo> {
        Demo::start_with_args(&[], env)
    }

    /// Starts the demo with extra arguments (e.g. `--history 3`) and environment variables.
    pub fn start_with_args(args: &[&str], env: &[(&str, &str)]) -> Result<Demo> {
        Demo::start_on(None, args, env)
    }

    /// Starts the demo on the dashboard database `database` (a fresh SQLite file when `None`)
    /// with extra arguments and environment variables.
    pub fn start_on(database: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Result<Demo> {
        let bin = std::env::var_os("DASHBOARD_DEMO_BIN").context(
            "DASHBOARD_DEMO_BIN is not set: run the browser tests with `cargo xtask test`",
        )?;
        let dir = tempfile::tempdir()?;
        let database = database.map_or_else(
            || format!("sqlite:///{}", dir.path().join("e2e.db").display()),
            str::to_owned,
        );
        let mut child = Command::new(bin)
            .args(["--bind", "127.0.0.1:0", "--database", &database])
            .args(args)
            .env("DASHBOARD_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting the demo")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let stderr = child.stderr.take().context("no stderr")?;
        let process = Guard(child);
        let log: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
        let kept = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                kept.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(line);
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().context("the demo exited before listening")??;
            if let Some(address) = line.strip_prefix("listening on ") {
                break address.to_owned();
            }
        };
        // Keep reading so the demo never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Demo {
            base,
            process,
            log,
            _dir: dir,
        })
    }

    /// The demo's process id.
    pub fn pid(&self) -> u32 {
        self.process.0.id()
    }

    /// Sends the demo `signal` (`TERM`, `KILL`, …) and waits for it to end, for at most
    /// `limit`: whether it ended by itself with success.
    pub fn signal_and_wait(&mut self, signal: &str, limit: Duration) -> Result<bool> {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()?;
        ensure!(status.success(), "kill -{signal} failed");
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.process.0.try_wait()? {
                return Ok(status.success());
            }
            ensure!(
                Instant::now() < deadline,
                "the demo did not end within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The lines the demo wrote to standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The dashboard's URL.
    pub fn dashboard(&self) -> String {
        format!("{}/dashboard/", self.base)
    }
}

/// A session of the dashboard's API: its cookie pair and CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// `dashboard_session=…`, for the `Cookie` header.
    pub cookie: String,
    /// For the `X-CSRF-Token` header of changing requests.
    pub csrf: String,
}

impl Session {
    /// Logs in through `POST /dashboard/api/login` of the service at `base`.
    pub async fn log_in(base: &str, username: &str, password: &str) -> Result<Session> {
        let response = reqwest::Client::new()
            .post(format!("{base}/dashboard/api/login"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("login as {username} failed: {}", response.status());
        }
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .context("no session cookie")?
            .to_owned();
        let info: dashboard_shared::SessionInfo = response.json().await?;
        Ok(Session {
            cookie,
            csrf: info.csrf_token,
        })
    }
}

/// An API client logged in as the admin.
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").finish_non_exhaustive()
    }
}

impl ApiClient {
    /// Logs in through `POST /dashboard/api/login`.
    pub async fn login(demo: &Demo) -> Result<ApiClient> {
        ApiClient::login_to(&demo.base).await
    }

    /// Logs in to the dashboard of the service at `base` (`http://127.0.0.1:PORT`) as the admin
    /// with [`ADMIN_PASSWORD`].
    pub async fn login_to(base: &str) -> Result<ApiClient> {
        let session = Session::log_in(base, "admin", ADMIN_PASSWORD).await?;
        Ok(ApiClient {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            cookie: session.cookie,
        })
    }

    /// `GET /dashboard/api{path}`, as JSON.
    pub async fn get(&self, path: &str) -> Result<Value> {
        let response = self
            .http
            .get(format!("{}/dashboard/api{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await?;
        Ok(response.error_for_status()?.json().await?)
    }

    /// Polls `GET /dashboard/api{path}` until `done` holds for its answer, for at most `limit`:
    /// for what scheduled jobs write, which nothing announces.
    pub async fn wait_for(
        &self,
        path: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let answer = self.get(path).await?;
            if done(&answer) {
                return Ok(answer);
            }
            if Instant::now() > deadline {
                bail!("{path} did not get there in {limit:?}: {answer}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `GET /dashboard/api/overview`.
    pub async fn overview(&self) -> Result<Vec<Value>> {
        Ok(serde_json::from_value(self.get("/overview").await?)?)
    }

    /// Polls the overview until it counts `expected` hits in all, for at most ten seconds: the
    /// writer stores measurements a moment after the responses are sent.
    pub async fn wait_for_total_hits(&self, expected: u64) -> Result<Vec<Value>> {
        let total = |rows: &Value| -> u64 {
            rows.as_array().map_or(0, |rows| {
                rows.iter()
                    .filter_map(|row| row["hits_overall"].as_u64())
                    .sum()
            })
        };
        let rows = self
            .wait_for("/overview", Duration::from_secs(10), |rows| {
                total(rows) >= expected
            })
            .await?;
        let shown = total(&rows);
        ensure!(
            shown == expected,
            "expected {expected} hits, the overview shows {shown}: {rows}"
        );
        Ok(serde_json::from_value(rows)?)
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something listens on `port`, for at most `limit`.
pub async fn wait_for_port(port: u16, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on 127.0.0.1:{port} after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// ChromeDriver on a free loopback port, driving headless Chromium.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: Guard,
    /// Chromium's profile, removed when the browser is dropped (after the driver stopped).
    _profile: Profile,
}

/// A Chromium profile folder. Dropped after the driver, it stops the Chromium processes that
/// still use it (ending the WebDriver session or the driver leaves them running, one browser
/// per test), then removes the folder.
struct Profile(tempfile::TempDir);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--"])
            .arg(format!("--user-data-dir={}", self.0.path().display()))
            .status();
    }
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Browser {
    /// How long to wait for an element that a page loads.
    const PATIENCE: Duration = Duration::from_secs(20);

    /// Follows the link with this text, e.g. a menu entry.
    pub async fn open(&self, link: &str) -> Result<()> {
        self.client
            .find(Locator::LinkText(link))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// The element `css` once the page shows it.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element> {
        Ok(self
            .client
            .wait()
            .at_most(Self::PATIENCE)
            .for_element(Locator::Css(css))
            .await?)
    }

    /// The attribute `name` of the element `css` once the page shows it (empty when absent).
    pub async fn attribute(&self, css: &str, name: &str) -> Result<String> {
        let element = self.wait_for(css).await?;
        Ok(element.attr(name).await?.unwrap_or_default())
    }

    /// Starts ChromeDriver and a headless Chromium session.
    pub async fn start() -> Result<Browser> {
        let port = free_port()?;
        let driver = Guard(
            Command::new("chromedriver")
                .args([
                    format!("--port={port}"),
                    "--allowed-ips=127.0.0.1".to_owned(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting chromedriver (Debian package chromium-driver)")?,
        );
        wait_for_port(port, Duration::from_secs(20))
            .await
            .context("starting chromedriver")?;
        let profile = tempfile::Builder::new()
            .prefix("dashboard-e2e-chromium-")
            .tempdir()?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1400,900", format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("connecting to chromedriver")?;
        Ok(Browser {
            client,
            _driver: driver,
            _profile: Profile(profile),
        })
    }

    /// Saves a screenshot as `NAME.png` under `DASHBOARD_E2E_ARTIFACTS` (default `target/e2e`).
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = std::env::var_os("DASHBOARD_E2E_ARTIFACTS")
            .map_or_else(|| PathBuf::from("target/e2e"), PathBuf::from);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Logs in through the login page at `dashboard` and waits for the overview.
    pub async fn log_in(&self, dashboard: &str, username: &str, password: &str) -> Result<()> {
        self.client.goto(&format!("{dashboard}login")).await?;
        self.wait_for(&format!("#{USERNAME}"))
            .await?
            .send_keys(username)
            .await?;
        self.wait_for(&format!("#{PASSWORD}"))
            .await?
            .send_keys(password)
            .await?;
        self.wait_for(&format!("#{LOGIN}")).await?.click().await?;
        self.wait_for(&format!("#{OVERVIEW}")).await?;
        Ok(())
    }

    /// Opens `page` of the dashboard at `dashboard` (with `query`, `?…` or empty) and waits
    /// until it has shown its data: no "Loading…" left.
    pub async fn visit(&self, dashboard: &str, page: Page, query: &str) -> Result<()> {
        let path = page.path();
        self.client
            .goto(&format!(
                "{}{}{query}",
                dashboard.trim_end_matches('/'),
                path
            ))
            .await?;
        self.wait_until_loaded().await
    }

    /// Waits until the page has a `main` element and no "Loading…" in it.
    pub async fn wait_until_loaded(&self) -> Result<()> {
        let started = Instant::now();
        loop {
            let loaded = self
                .client
                .execute(
                    "return !!document.querySelector('main') && !document.querySelector('.loading');",
                    vec![],
                )
                .await?;
            if loaded == Value::Bool(true) {
                return Ok(());
            }
            ensure!(
                started.elapsed() < Self::PATIENCE,
                "the page kept loading: {}",
                self.client.current_url().await?
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the browser session.
    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// Requests in the demo's history of `days` days (`record_history` in
/// `backend/examples/demo.rs`): 60 of `GET /users/{id}` a day, and yesterday 24 of
/// `GET /users/{id}/posts`.
pub fn history_requests(days: u64) -> u64 {
    days * 60 + if days > 0 { 24 } else { 0 }
}

/// The demo with `days` days of history, all of it stored, and a browser logged in as the admin
/// on the overview.
pub async fn demo_with_history(days: u64) -> Result<(Demo, Browser)> {
    demo_with_history_and(days, &[]).await
}

/// [`demo_with_history`] with extra environment variables for the demo.
pub async fn demo_with_history_and(days: u64, env: &[(&str, &str)]) -> Result<(Demo, Browser)> {
    let demo = Demo::start_with_args(&["--history", &days.to_string()], env)?;
    ApiClient::login(&demo)
        .await?
        .wait_for_total_hits(history_requests(days))
        .await?;
    let browser = Browser::start().await?;
    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    Ok((demo, browser))
}
