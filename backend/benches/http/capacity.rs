//! How fast the writer stores measurements into SQLite.

use std::time::{Duration, Instant};

use axum_monitoring_dashboard::PastRequest;
use chrono::Utc;

use crate::{dashboard, stored, stored_rows};

const MEASUREMENTS: u64 = 1_000_000;

/// Pushes [`MEASUREMENTS`] through the queue and writer and prints the rate.
pub(crate) async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(dir.path(), &[], MEASUREMENTS as usize).await;
    let now = Utc::now();
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
    monitor.shutdown().await;
    let rows = stored_rows(dir.path()).await;
    println!(
        "\ncapacity: {MEASUREMENTS} measurements queued in {:.2} s, stored in {:.2} s: {:.0} per second ({rows} rows)",
        queued.as_secs_f64(),
        elapsed.as_secs_f64(),
        MEASUREMENTS as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(rows, MEASUREMENTS);
}
