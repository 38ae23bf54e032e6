//! The views' latency with 10,000,000 stored requests, seeded through the writer's own path.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum_monitoring_dashboard::{Dashboard, PastRequest};
use chrono::{TimeDelta, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

use serde_json::json;

use crate::{Summary, dashboard, hello, quantile, stored};

const REQUESTS: u64 = 10_000_000;
const ENDPOINTS: u64 = 20;
const DAYS: i64 = 30;
const USERS: u64 = 50;
/// Measurements the seeding lets wait in the queue at most.
const BACKLOG: usize = 200_000;
const SAMPLES: usize = 40;

/// A small deterministic generator (xorshift64*), so that every run seeds the same data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A duration between 1 and about 400 ms, log-uniform.
    fn duration(&mut self) -> Duration {
        let exponent = (self.next() % 6_000) as f64 / 1_000.0;
        Duration::from_secs_f64(exponent.exp() / 1_000.0)
    }
}

/// Seeds [`REQUESTS`] over [`DAYS`] days: [`ENDPOINTS`] endpoints, a new version every 6 days,
/// [`USERS`] users and addresses, 1 % answered 500.
async fn seed(monitor: &Dashboard) {
    let now = Utc::now();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let span = (DAYS * 86_400) as u64;
    for i in 0..REQUESTS {
        while monitor.queued_measurements() > BACKLOG {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Oldest first, evenly over the days.
        let age = span - span * i / REQUESTS;
        let time = now - TimeDelta::seconds(age as i64);
        let version = format!("1.{}", (DAYS * 86_400 - age as i64) / (6 * 86_400));
        let endpoint = format!("/resource{}/{{id}}", random.next() % ENDPOINTS);
        let user = random.next() % USERS;
        let status = if random.next().is_multiple_of(100) {
            500
        } else {
            200
        };
        let request = PastRequest::new("GET", &endpoint, time, random.duration(), status)
            .version(&version)
            .group_by(&format!("user{user}"))
            .ip([198, 51, 100, user as u8].into());
        assert!(monitor.record_historical(request));
        if (i + 1) % 1_000_000 == 0 {
            eprintln!(
                "  seeded {} of {REQUESTS} ({:.0} per second)",
                i + 1,
                (i + 1) as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    stored(monitor, REQUESTS).await;
    println!(
        "\nqueries: seeded {REQUESTS} requests through the writer in {:.0} s ({:.0} per second)",
        started.elapsed().as_secs_f64(),
        REQUESTS as f64 / started.elapsed().as_secs_f64()
    );
}

/// Milliseconds each of [`SAMPLES`] requests of `uri` took (after two unmeasured ones).
async fn latencies(app: &Router, cookie: &str, uri: &str) -> Vec<f64> {
    let mut samples = Vec::with_capacity(SAMPLES);
    for sample in 0..SAMPLES + 2 {
        let request = Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let started = Instant::now();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let took = started.elapsed().as_secs_f64() * 1_000.0;
        assert!(status.is_success(), "{uri}: {status} {body:?}");
        if sample >= 2 {
            samples.push(took);
        }
    }
    samples
}

/// The bytes the SQLite file in `dir` takes per stored request, in all and per table and index
/// (from SQLite's `dbstat` table), after a checkpoint has moved the WAL into the file.
async fn storage(dir: &std::path::Path, summary: &mut Summary) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let path = dir.join("dashboard.db");
    let db = Database::connect(format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(
        backend,
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ))
    .await
    .unwrap();
    let file = std::fs::metadata(&path).unwrap().len();
    let per_request = |bytes: i64| bytes as f64 / REQUESTS as f64;
    println!(
        "\nstorage: {:.0} MB for {REQUESTS} requests with their rollups: {:.1} bytes per request",
        file as f64 / 1e6,
        per_request(file as i64)
    );
    let mut objects = serde_json::Map::new();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC",
        ))
        .await
        .unwrap_or_default();
    println!("| table or index | bytes per request |\n|---|---:|");
    for row in rows.iter().take(8) {
        let (name, bytes): (String, i64) = (
            row.try_get("", "name").unwrap(),
            row.try_get("", "bytes").unwrap(),
        );
        println!("| {name} | {:.1} |", per_request(bytes));
        objects.insert(name, json!(per_request(bytes)));
    }
    summary.record(
        "queries.storage",
        json!({ "file_bytes_per_request": per_request(file as i64), "objects": objects }),
    );
}

/// Seeds the requests, then prints the latency of each view and the storage per request. With
/// `BENCH_KEEP_DATABASE` set, the database is kept for a closer look (its folder is printed).
pub(crate) async fn run(summary: &mut Summary) {
    let dir = tempfile::tempdir().unwrap();
    // Kept for ever: the retention job must not prune the seeded month during the run.
    let keep = [(axum_monitoring_dashboard::Key::RetentionRequests, "0")];
    let monitor = dashboard(dir.path(), &keep, BACKLOG * 2).await;
    eprintln!("queries: seeding {REQUESTS} requests (progress every million)");
    seed(&monitor).await;
    let app = monitor.bind(hello());
    let cookie = crate::common::login(&app).await;
    let today = Utc::now().date_naive();
    let month = format!(
        "from={}&to={today}",
        today - chrono::Days::new(DAYS as u64 - 1)
    );
    let endpoint = "/dashboard/api/endpoints/1";
    let views = [
        (
            "overview (20 endpoints)",
            "/dashboard/api/overview".to_owned(),
        ),
        (
            "hourly load, 7 days",
            "/dashboard/api/charts/hourly-load".to_owned(),
        ),
        (
            "hourly load, 30 days",
            format!("/dashboard/api/charts/hourly-load?{month}"),
        ),
        (
            "API performance, 7 days",
            "/dashboard/api/charts/api-performance".to_owned(),
        ),
        (
            "API performance, 30 days",
            format!("/dashboard/api/charts/api-performance?{month}"),
        ),
        (
            "multi version, 30 days",
            format!("/dashboard/api/charts/multi-version?{month}"),
        ),
        (
            "endpoint: box plots per version, 30 days",
            format!("{endpoint}/versions?{month}"),
        ),
        (
            "endpoint: hourly load, 30 days",
            format!("{endpoint}/hourly-load?{month}"),
        ),
        (
            "endpoint: status codes, 30 days",
            format!("{endpoint}/status-codes?{month}"),
        ),
        (
            "endpoint: failed requests, first page",
            format!("{endpoint}/errors"),
        ),
        (
            "endpoint: box plots per user, 7 days (rows)",
            format!("{endpoint}/users"),
        ),
        (
            "endpoint: versions × users, 7 days (rows)",
            format!("{endpoint}/version-user"),
        ),
    ];
    println!("| view | p50 | p95 | goal p95 ≤ 50 ms |");
    println!("|---|---:|---:|---|");
    for (name, uri) in views {
        let samples = latencies(&app, &cookie, &uri).await;
        let (p50, p95) = (quantile(&samples, 0.5), quantile(&samples, 0.95));
        println!(
            "| {name} | {p50:.1} ms | {p95:.1} ms | {} |",
            if p95 <= 50.0 { "met" } else { "missed" }
        );
        summary.record(
            &format!("queries.views.{name}"),
            json!({ "p50_ms": p50, "p95_ms": p95 }),
        );
    }
    monitor.shutdown().await;
    storage(dir.path(), summary).await;
    if std::env::var_os("BENCH_KEEP_DATABASE").is_some() {
        eprintln!("the database is kept in {}", dir.keep().display());
    }
}
