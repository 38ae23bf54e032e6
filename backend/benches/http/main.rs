//! The dashboard over HTTP on loopback, against bare Axum in the same run (`cargo xtask bench`;
//! results in `docs/performance.md`):
//!
//! - `external`: CPU per request and throughput under `wrk`: hello world at full speed and
//!   paced to 2,000 requests per second, a 5 ms sleep at full speed; bare, `axum-prometheus`,
//!   levels 0, 1 and 3. Every request served at levels 1 and 3 must be stored, with the default
//!   queue.
//! - `throughput`: a hello-world handler bare, with the layer at levels 0, 1 and 3, with the
//!   Prometheus exporter, and with the `axum-prometheus` layer; interleaved rounds of a
//!   keep-alive load generator, medians and ratios; then the level-1 and level-3 databases must
//!   hold exactly one row per request served.
//! - `capacity`: 1,000,000 measurements through the writer into SQLite.
//! - `queries`: 10,000,000 requests seeded through the writer, then the latency of the views.
//! - `memory`: resident size under a steady load (`BENCH_MEMORY_SECONDS`, default 600).
//! - `replicas`: 1, 2 and 4 processes on one PostgreSQL database under full load at level 1:
//!   served, stored, dropped, failed batches, deadlocks, then the overview's latency.
//!
//! `cargo bench -p axum-monitoring-dashboard --bench http -- queries memory` runs some sections.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod capacity;
#[path = "../common/mod.rs"]
mod common;
mod external;
mod load;
mod memory;
mod queries;
mod replicas;
mod throughput;

pub(crate) use common::{Summary, dashboard, median, quantile};

use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use axum_monitoring_dashboard::Dashboard;
use sea_orm::{ConnectionTrait, Database};

const SECTIONS: [&str; 6] = [
    "external",
    "throughput",
    "capacity",
    "queries",
    "memory",
    "replicas",
];

fn main() {
    if let Ok(database) = std::env::var(replicas::REPLICA_DATABASE) {
        return replicas::replica(&database);
    }
    let asked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let sections: Vec<&str> = SECTIONS
        .into_iter()
        .filter(|section| asked.is_empty() || asked.iter().any(|a| a == section))
        .collect();
    // The servers and the dashboard's writer on one runtime, the load generator on another:
    // both share the machine's cores, as a service and its clients on one host would.
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut summary = Summary::new("http");
    for section in sections {
        match section {
            "external" => external::run_all(&servers, &mut summary),
            "throughput" => throughput::run(&servers, &clients, &mut summary),
            "capacity" => servers.block_on(capacity::run(&mut summary)),
            "queries" => servers.block_on(queries::run(&mut summary)),
            "memory" => memory::run(&servers, &clients, &mut summary),
            "replicas" => replicas::run(&servers, &clients, &mut summary),
            _ => unreachable!(),
        }
        // After every section, so that a later one failing loses nothing.
        summary.write();
    }
}

/// The `axum-prometheus` layer the sections compare with: made once, since it installs the
/// process's global metrics recorder.
pub(crate) fn prometheus_layer() -> axum_prometheus::PrometheusMetricLayer<'static> {
    static PAIR: std::sync::OnceLock<(
        axum_prometheus::PrometheusMetricLayer<'static>,
        axum_prometheus::metrics_exporter_prometheus::PrometheusHandle,
    )> = std::sync::OnceLock::new();
    PAIR.get_or_init(axum_prometheus::PrometheusMetricLayer::pair)
        .0
        .clone()
}

/// The handler every variant serves.
pub(crate) fn hello() -> Router {
    Router::new().route("/hello", get(|| async { "hello" }))
}

/// Request rows stored in the dashboard's database in `dir`.
pub(crate) async fn stored_rows(dir: &Path) -> u64 {
    let url = format!("sqlite://{}?mode=ro", dir.join("dashboard.db").display());
    let db = Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM dashboard_request",
        ))
        .await
        .unwrap()
        .unwrap();
    let count: i64 = row.try_get("", "n").unwrap();
    u64::try_from(count).unwrap()
}

/// Waits until the writer has stored `expected` measurements; how long that took.
pub(crate) async fn stored(monitor: &Dashboard, expected: u64) -> Duration {
    let started = Instant::now();
    while monitor.stored_measurements() < expected {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    started.elapsed()
}

/// Waits until the writer's queue is empty; how long that took.
pub(crate) async fn drained(monitor: &Dashboard) -> Duration {
    let started = Instant::now();
    while monitor.queued_measurements() > 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    started.elapsed()
}

/// CPU time of this process so far (user and system, every thread, ended ones included).
pub(crate) fn process_cpu_seconds() -> f64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
}

/// Resident set size of this process, in MiB.
pub(crate) fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|pages| pages.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}
