//! The monitored app never suffers from the dashboard's database: while it refuses writes,
//! requests are served as usual, measurements wait (or are dropped and counted past the queue),
//! and once it is back they are stored.

use std::time::{Duration, Instant};

use crate::common::*;
use axum::http::StatusCode;
use axum_monitoring_dashboard::Dashboard;
use sea_orm::{ConnectionTrait, Database};

async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn total_hits(app: &axum::Router, cookie: &str) -> u64 {
    let (_, _, rows) = send(app, with_cookie("GET", "/dashboard/api/overview", cookie)).await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| row["hits_overall"].as_u64().unwrap())
        .sum()
}

async fn deployment(app: &axum::Router, cookie: &str, field: &str) -> u64 {
    let (_, _, details) = send(app, with_cookie("GET", "/dashboard/api/deployment", cookie)).await;
    details[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{details}"))
}

/// Runs the scenario with a queue of `capacity` and returns (sent, stored, dropped).
async fn outage(capacity: usize, during_outage: u64) -> (u64, u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let url = format!("sqlite:///{}", path.display());
    let monitor = Dashboard::builder()
        .database(&url)
        .password(PASSWORD)
        .queue_capacity(capacity)
        .start()
        .await
        .unwrap();
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    for id in 0..3 {
        assert_eq!(
            send(&app, get_request(&format!("/users/{id}"))).await.0,
            StatusCode::OK
        );
    }
    wait_until("the first requests are stored", async || {
        total_hits(&app, &cookie).await == 3
    })
    .await;

    // Another connection takes the request table away: every write of the dashboard fails.
    let other = Database::connect(format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    other
        .execute_unprepared("ALTER TABLE dashboard_request RENAME TO dashboard_request_away")
        .await
        .unwrap();
    for id in 0..during_outage {
        assert_eq!(
            send(&app, get_request(&format!("/users/{id}"))).await.0,
            StatusCode::OK,
            "the app is served"
        );
    }
    wait_until("the writer has failed", async || {
        monitor.writer_failures() > 0
    })
    .await;
    other
        .execute_unprepared("ALTER TABLE dashboard_request_away RENAME TO dashboard_request")
        .await
        .unwrap();

    let dropped = monitor.dropped_measurements();
    let expected = 3 + during_outage - dropped;
    wait_until("the waiting measurements are stored", async || {
        total_hits(&app, &cookie).await == expected
    })
    .await;
    send(&app, get_request("/users/99")).await;
    wait_until("new measurements are stored again", async || {
        total_hits(&app, &cookie).await == expected + 1
    })
    .await;
    assert_eq!(
        deployment(&app, &cookie, "measurements_dropped").await,
        dropped
    );
    monitor.shutdown().await;
    (3 + during_outage + 1, expected + 1, dropped)
}

#[tokio::test]
async fn measurements_wait_for_the_database_and_are_stored_when_it_returns() {
    let (sent, stored, dropped) = outage(10_000, 40).await;
    assert_eq!((sent, stored, dropped), (44, 44, 0));
}

#[tokio::test]
async fn beyond_the_queue_measurements_are_dropped_and_counted() {
    let (sent, stored, dropped) = outage(5, 40).await;
    assert!(dropped > 0, "a queue of 5 cannot hold 40 measurements");
    assert_eq!(
        stored + dropped,
        sent,
        "every measurement is stored or counted as dropped"
    );
}
