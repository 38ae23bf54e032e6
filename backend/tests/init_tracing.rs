//! `Dashboard::init_tracing`: the dashboard as the only (global) subscriber profiles requests on
//! every worker thread; a second call fails instead of replacing it. Alone in its test binary,
//! because the global subscriber can be set only once per process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};
use common::*;

#[tracing::instrument]
async fn slow_helper() {
    tokio::time::sleep(Duration::from_millis(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_as_the_global_subscriber_profiles_requests_on_every_thread() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .monitor_level(3)
        .set(Key::SamplingPeriod, "0")
        .start()
        .await
        .unwrap();
    monitor.init_tracing().unwrap();
    assert!(
        monitor.init_tracing().is_err(),
        "a second global subscriber is refused"
    );
    let app = monitor.bind(Router::new().route(
        "/slow",
        get(|| async {
            slow_helper().await;
            "done"
        }),
    ));
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let app = app.clone();
        requests.spawn(async move { send_for_text(&app, get_request("/slow")).await.0 });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    monitor.shutdown().await;

    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (_, _, page) = send(
        &app,
        with_cookie("GET", "/dashboard/api/endpoints/1/profiles", &cookie),
    )
    .await;
    assert_eq!(page["total"], 4, "{page}");
    for profile in page["profiles"].as_array().unwrap() {
        assert_eq!(profile["lines"][0]["code"]["function"], "slow_helper");
        assert!(profile["lines"][0]["wall_ms"].as_f64().unwrap() >= 3.0);
    }
}
