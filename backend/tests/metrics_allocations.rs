//! Counting a request in the Prometheus metrics allocates nothing: the same requests cost the
//! same number of heap allocations with the exporter on and off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use axum::Router;
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};
use tower::ServiceExt;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// Heap allocations made while sending `count` requests that match no route (so only the
/// exporter, not the dashboard's writer, sees them).
async fn allocations(app: &Router, count: usize) -> u64 {
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..count {
        let response = app
            .clone()
            .oneshot(common::get_request("/no/such/route"))
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }
    dhat::HeapStats::get().total_blocks - before
}

#[tokio::test(flavor = "current_thread")]
async fn the_exporter_adds_no_allocation_per_request() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let dir = tempfile::tempdir().unwrap();
    let mut apps = Vec::new();
    for (name, metrics) in [("off", "false"), ("on", "true")] {
        let monitor = Dashboard::builder()
            .database(format!(
                "sqlite:///{}",
                dir.path().join(format!("{name}.db")).display()
            ))
            .password(common::PASSWORD)
            .set(Key::Metrics, metrics)
            .start()
            .await
            .unwrap();
        apps.push(monitor.bind(Router::new().route("/hello", get(|| async { "hi" }))));
    }
    // The first unmatched request creates its series; after that nothing may allocate.
    for app in &apps {
        allocations(app, 1).await;
    }
    let off = allocations(&apps[0], 200).await;
    let on = allocations(&apps[1], 200).await;
    assert_eq!(
        on, off,
        "allocations for 200 requests: {off} without the exporter, {on} with it"
    );
}
