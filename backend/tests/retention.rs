//! Retention: the prune deletes rows past their limit and keeps newer rows and the rollups; its
//! routes and the Database page are for admins only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{DateTime, TimeDelta, Utc};
use common::{PASSWORD, json_request, login, send, sqlite_in, with_cookie};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

async fn execute(db: &DatabaseConnection, sql: String) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

/// Three requests each 40 days, 10 days and 1 hour ago, every one with an outlier row; a custom
/// graph with a value 40 days and 1 hour ago.
async fn seed(database: &str, db: &DatabaseConnection) -> [DateTime<Utc>; 3] {
    let now = Utc::now();
    let ages = [
        now - TimeDelta::days(40),
        now - TimeDelta::days(10),
        now - TimeDelta::hours(1),
    ];
    let monitor = common::start(database).await;
    for time in ages {
        for _ in 0..3 {
            assert!(monitor.record_historical(PastRequest::new(
                "GET",
                "/users/{id}",
                time,
                Duration::from_millis(5),
                200
            )));
        }
    }
    monitor.shutdown().await;
    execute(
        db,
        "INSERT INTO dashboard_outlier (request_id, request_headers, request_environment, \
         request_url, request_values, cpu_percent, memory, stacktrace, time_captured) \
         SELECT id, '', '', '', '', '', '', '', time_requested FROM dashboard_request"
            .to_owned(),
    )
    .await;
    execute(
        db,
        format!(
            "INSERT INTO dashboard_custom_graph (title, time_added, version_added) \
             VALUES ('Users', '{now}', '1.0')"
        ),
    )
    .await;
    for time in [ages[0], ages[2]] {
        execute(
            db,
            format!(
                "INSERT INTO dashboard_custom_graph_data (graph_id, time, value) \
                 SELECT id, '{}', 1.0 FROM dashboard_custom_graph",
                time.to_rfc3339()
            ),
        )
        .await;
    }
    ages
}

#[tokio::test]
async fn pruning_deletes_rows_past_their_limit_and_keeps_newer_rows_and_the_rollups() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let db = Database::connect(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("d.db").display()
    ))
    .await
    .unwrap();
    // The tables exist once a dashboard has started.
    common::start(&database).await.shutdown().await;
    seed(&database, &db).await;
    let rollup_rows = count(&db, "SELECT COUNT(*) FROM dashboard_rollup").await;
    let rollup_hits = count(&db, "SELECT SUM(hits) FROM dashboard_rollup").await;
    assert_eq!(rollup_hits, 9);

    let monitor = Dashboard::builder()
        .database(&database)
        .password(PASSWORD)
        .set(Key::GuestPassword, "guest-password")
        .set(Key::RetentionRequests, "30d")
        .set(Key::RetentionDetails, "7d")
        .set(Key::RetentionGraphs, "30d")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(common::app());
    let (status, _, _) = send(&app, common::get_request("/dashboard/api/database")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(
        &app,
        axum::http::Request::post("/dashboard/api/database/prune")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let guest = login(&app, "/dashboard", "guest", "guest-password").await;
    let (status, _, _) = send(
        &app,
        with_cookie("GET", "/dashboard/api/database", &guest.0),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/database/prune",
            &guest.0,
            &guest.1,
            json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_request").await,
        9,
        "a guest prunes nothing"
    );

    let admin = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, _, pruned) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/database/prune",
            &admin.0,
            &admin.1,
            json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{pruned}");
    assert_eq!(
        pruned["outliers"], 6,
        "the outliers of the 40- and 10-day-old requests"
    );
    assert_eq!(pruned["requests"], 3, "the 40-day-old requests");
    assert_eq!(pruned["graph_values"], 1);
    assert_eq!(pruned["rollups"], 0);

    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_request").await,
        6
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_outlier").await,
        3
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_custom_graph_data").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_rollup").await,
        rollup_rows
    );
    assert_eq!(
        count(&db, "SELECT SUM(hits) FROM dashboard_rollup").await,
        9
    );

    let info = common::get_json(&app, &admin.0, "/dashboard/api/database").await;
    assert_eq!(info["backend"], "sqlite");
    assert!(info["total_bytes"].as_u64().unwrap() > 0);
    let requests = info["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|table| table["name"] == "dashboard_request")
        .unwrap();
    assert_eq!(requests["rows"], 6);
    assert!(requests["bytes"].as_u64().unwrap() > 0, "{requests}");
    assert_eq!(info["retention"]["requests_days"], 30.0);
    assert_eq!(info["retention"]["rollups_days"], json!(null));
    assert_eq!(info["retention"]["schedule"], "0 17 * * * *");
    monitor.shutdown().await;
}

#[tokio::test]
async fn rollups_kept_shorter_than_requests_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let error = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::RetentionRollups, "10d")
        .start()
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("`RETENTION_ROLLUPS` (10 days) must be 0"),
        "{error}"
    );
}
