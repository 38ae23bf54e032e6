//! The cost of the dashboard's layer on the request path, measured in-process against bare Axum
//! in the same run: each variant answers the same `GET /hello` through `Router::oneshot`, in
//! interleaved rounds; the table shows medians and throughput relative to bare Axum. The
//! dashboard's `SpanLayer` is installed (as level 2 needs), for every variant.
//!
//! Run with `cargo xtask bench` (release build).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};
use tower::ServiceExt;
use tracing_subscriber::prelude::*;

mod common;

const ROUNDS: usize = 9;
const REQUESTS_PER_ROUND: u32 = 20_000;

fn hello() -> Router {
    Router::new().route("/hello", get(|| async { "hello" }))
}

/// The monitored app, and its dashboard (kept alive: dropping it stops the writer, and the
/// endpoint would stay unregistered, every request taking a new endpoint's path).
async fn monitored(
    dir: &std::path::Path,
    name: &str,
    settings: &[(Key, &str)],
) -> (Router, Option<Dashboard>) {
    let monitor = common::dashboard_named(dir, name, settings, 1_000_000).await;
    (monitor.bind(hello()), Some(monitor))
}

/// Waits until the writer has registered `GET /hello`, so that the rounds measure a known
/// endpoint's path.
async fn registered(monitor: &Dashboard) {
    while monitor.monitor_level("GET", "/hello").is_none() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Mean time per request over one round.
async fn round(app: &Router) -> Duration {
    let started = Instant::now();
    for _ in 0..REQUESTS_PER_ROUND {
        let request = Request::get("/hello").body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
    }
    started.elapsed() / REQUESTS_PER_ROUND
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The subscriber an application at level 2 has: the span registry with the SpanLayer.
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(axum_monitoring_dashboard::span_layer()),
    )
    .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let variants = [
            ("bare axum", (hello(), None)),
            ("layer, level 0", monitored(dir.path(), "level0", &[(Key::MonitorLevel, "0")]).await),
            (
                "layer, level 0 + metrics",
                monitored(dir.path(), "level0m", &[(Key::MonitorLevel, "0"), (Key::Metrics, "true")]).await,
            ),
            ("layer, level 1", monitored(dir.path(), "level1", &[(Key::MonitorLevel, "1")]).await),
            (
                "layer, level 1 + metrics",
                monitored(dir.path(), "level1m", &[(Key::MonitorLevel, "1"), (Key::Metrics, "true")]).await,
            ),
            // Outliers: a copy of the request's head, a root span followed by the SpanLayer and
            // a deadline in the watchdog's queue; none of these requests is an outlier.
            ("layer, level 2", monitored(dir.path(), "level2", &[(Key::MonitorLevel, "2")]).await),
        ];
        for (_, (app, monitor)) in &variants {
            round(app).await; // warm-up: caches filled
            if let Some(monitor) = monitor {
                registered(monitor).await;
            }
        }
        let mut samples = vec![Vec::new(); variants.len()];
        for _ in 0..ROUNDS {
            for ((_, (app, _)), samples) in variants.iter().zip(&mut samples) {
                samples.push(round(app).await);
            }
        }
        let medians: Vec<Duration> = samples.into_iter().map(median).collect();
        let bare = medians[0].as_secs_f64();
        println!(
            "hot path: {ROUNDS} interleaved rounds × {REQUESTS_PER_ROUND} requests per variant, in-process (Router::oneshot)"
        );
        println!("| variant | time per request (median) | throughput vs bare axum |");
        println!("|---|---:|---:|");
        let mut summary = common::Summary::new("hot_path");
        for ((name, _), median) in variants.iter().zip(&medians) {
            println!("| {name} | {:.0} ns | {:.3} |", median.as_nanos(), bare / median.as_secs_f64());
            summary.record(
                name,
                serde_json::json!({
                    "ns_per_request": median.as_nanos(),
                    "throughput_vs_bare": bare / median.as_secs_f64(),
                }),
            );
        }
        summary.write();
    });
}
