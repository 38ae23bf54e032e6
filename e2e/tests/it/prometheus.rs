//! The exporter scraped by a real Prometheus server (Debian's `prometheus`), and linted by
//! `promtool check metrics`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use dashboard_e2e::{Demo, Guard, free_port, wait_for_port};
use serde_json::{Value, json};

/// Prometheus on a free loopback port, scraping the demo every second.
struct Prometheus {
    base: String,
    _process: Guard,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    async fn start(target: &str) -> anyhow::Result<Prometheus> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: demo\n    \
                 static_configs:\n      - targets: ['{target}']\n"
            ),
        )?;
        let port = free_port()?;
        let process = Guard(
            Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting prometheus (Debian package prometheus)")?,
        );
        wait_for_port(port, Duration::from_secs(30)).await?;
        Ok(Prometheus {
            base: format!("http://127.0.0.1:{port}"),
            _process: process,
            _dir: dir,
        })
    }

    /// The result of an instant query, as (labels, value) pairs.
    async fn query(&self, query: &str) -> anyhow::Result<Vec<(Value, f64)>> {
        let url = format!("{}/api/v1/query", self.base);
        let body: Value = reqwest::Client::new()
            .get(url)
            .query(&[("query", query)])
            .send()
            .await?
            .json()
            .await?;
        let results = body["data"]["result"].as_array().context("no result")?;
        Ok(results
            .iter()
            .filter_map(|result| {
                Some((
                    result["metric"].clone(),
                    result["value"][1].as_str()?.parse().ok()?,
                ))
            })
            .collect())
    }

    /// Polls a query summed per route until it equals `expected`, for at most 30 seconds.
    async fn wait_for_per_route(
        &self,
        query: &str,
        expected: &BTreeMap<String, f64>,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let per_route: BTreeMap<String, f64> = self
                .query(query)
                .await?
                .into_iter()
                .map(|(labels, value)| {
                    (
                        format!(
                            "{} {}",
                            labels["http_request_method"].as_str().unwrap_or("?"),
                            labels["http_route"].as_str().unwrap_or("?")
                        ),
                        value,
                    )
                })
                .collect();
            if &per_route == expected {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{query}: Prometheus has {per_route:?}, expected {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
#[ignore = "needs the demo binary and Debian's prometheus: run `cargo xtask test`"]
async fn prometheus_counts_exactly_the_requests_sent() -> anyhow::Result<()> {
    let demo = Demo::start_with(&[("DASHBOARD_METRICS", "true")])?;
    let target = demo.base.trim_start_matches("http://").to_owned();
    let prometheus = Prometheus::start(&target).await?;
    let http = reqwest::Client::new();
    let mut sent: BTreeMap<String, f64> = BTreeMap::new();
    for id in 0..7 {
        http.get(format!("{}/users/{id}", demo.base))
            .send()
            .await?
            .error_for_status()?;
        *sent.entry("GET /users/{id}".into()).or_default() += 1.0;
    }
    for _ in 0..4 {
        http.get(format!("{}/", demo.base))
            .send()
            .await?
            .error_for_status()?;
        *sent.entry("GET /".into()).or_default() += 1.0;
    }
    for quantity in 1..=5 {
        http.post(format!("{}/orders", demo.base))
            .json(&json!({ "quantity": quantity }))
            .send()
            .await?;
        *sent.entry("POST /orders".into()).or_default() += 1.0;
    }
    for path in ["/nope", "/wp-admin.php", "/users/1/nope"] {
        assert_eq!(
            http.get(format!("{}{path}", demo.base))
                .send()
                .await?
                .status(),
            404
        );
        *sent.entry("GET unmatched".into()).or_default() += 1.0;
    }

    prometheus
        .wait_for_per_route(
            "sum by (http_request_method, http_route) (http_server_requests_total)",
            &sent,
        )
        .await?;
    prometheus
        .wait_for_per_route(
            "sum by (http_request_method, http_route) (http_server_request_duration_seconds_count)",
            &sent,
        )
        .await?;
    let refused = prometheus
        .query(
            "http_server_requests_total{http_route=\"/orders\",http_response_status_code=\"422\"}",
        )
        .await?;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].1, 1.0, "one order of quantity 4 is refused");
    let routes = prometheus
        .query("count(count by (http_route) (http_server_requests_total))")
        .await?;
    assert_eq!(
        routes[0].1, 4.0,
        "unknown paths add no route label: {routes:?}"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs the demo binary and Debian's prometheus (promtool): run `cargo xtask test`"]
async fn promtool_finds_no_problem_in_the_exposition() -> anyhow::Result<()> {
    let demo = Demo::start_with(&[("DASHBOARD_METRICS", "true")])?;
    let http = reqwest::Client::new();
    http.get(format!("{}/users/1", demo.base)).send().await?;
    http.get(format!("{}/nope", demo.base)).send().await?;
    let text = http
        .get(format!("{}/metrics", demo.base))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    assert!(
        text.contains("http_server_request_duration_seconds_bucket"),
        "{text}"
    );
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting promtool")?;
    promtool
        .stdin
        .take()
        .context("stdin")?
        .write_all(text.as_bytes())?;
    let output = promtool.wait_with_output()?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.trim().is_empty(),
        "promtool: {report}\n{text}"
    );
    Ok(())
}
