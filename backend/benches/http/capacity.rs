//! How fast the writer stores measurements into SQLite.

use std::time::{Duration, Instant};

use axum_monitoring_dashboard::PastRequest;
use chrono::Utc;

use serde_json::json;

use crate::{Summary, dashboard, process_cpu_seconds, stored, stored_rows};

const MEASUREMENTS: u64 = 1_000_000;

/// Pushes [`MEASUREMENTS`] through the queue and writer and prints the rate and the CPU each
/// stored measurement cost the process (queueing included).
pub(crate) async fn run(summary: &mut Summary) {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(dir.path(), &[], MEASUREMENTS as usize).await;
    let now = Utc::now();
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    for i in 0..MEASUREMENTS {
        let endpoint = format!("/resource{}/{{id}}", i % 20);
        let time = now - chrono::TimeDelta::seconds((i % 86_400) as i64);
        let took = Duration::from_micros(1_000 + i % 50_000);
        assert!(monitor.record_historical(PastRequest::new("GET", &endpoint, time, took, 200)));
    }
    let queued = started.elapsed();
    stored(&monitor, MEASUREMENTS).await;
    let elapsed = started.elapsed();
    let cpu_us = (process_cpu_seconds() - cpu_before) * 1e6 / MEASUREMENTS as f64;
    monitor.shutdown().await;
    let rows = stored_rows(dir.path()).await;
    let rate = MEASUREMENTS as f64 / elapsed.as_secs_f64();
    println!(
        "\ncapacity: {MEASUREMENTS} measurements queued in {:.2} s, stored in {:.2} s: {rate:.0} per second, {cpu_us:.2} µs of CPU each ({rows} rows)",
        queued.as_secs_f64(),
        elapsed.as_secs_f64(),
    );
    summary.record(
        "capacity",
        json!({ "stored_per_second": rate, "cpu_us_per_measurement": cpu_us }),
    );
    assert_eq!(rows, MEASUREMENTS);
}
