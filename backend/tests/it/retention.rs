//! Retention: the prune deletes rows past their limit and keeps newer rows and the rollups; its
//! routes and the Database page are for admins only.

use crate::common::{PASSWORD, json_request, login, send, sqlite_in, with_cookie};
use axum::http::StatusCode;
use axum_monitoring_dashboard::Key;
use chrono::{TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

/// Rows of each `dashboard_` table named.
async fn rows(db: &DatabaseConnection, tables: &[&str]) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in tables {
        counts.push(count(db, &format!("SELECT COUNT(*) FROM dashboard_{table}")).await);
    }
    counts
}

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

/// Three requests each 40 days, 10 days and 1 hour ago; every one with an outlier, a profile of
/// two stack lines and an exception occurrence. A custom graph with a value 40 days and 1 hour
/// ago. Finished jobs of this dashboard ended 2 days and 1 hour ago, and one of another
/// dashboard 2 days ago.
async fn seed(database: &str, db: &DatabaseConnection) {
    let now = Utc::now();
    let monitor = crate::common::start(database).await;
    record_three_a_day(&monitor, now, &[40, 10, 0]);
    monitor.shutdown().await;
    let per_request = [
        "INSERT INTO dashboard_outlier (request_id, request_headers, request_environment, \
         request_url, request_values, cpu_percent, memory, stacktrace, time_captured) \
         SELECT id, '', '', '', '', '', '', '', datetime(time_us / 1000000, 'unixepoch') \
         FROM dashboard_request",
        "INSERT INTO dashboard_profile (request_id, endpoint_id, samples, sampling_period_ms) \
         SELECT id, endpoint_id, 1, 5 FROM dashboard_request",
        "INSERT INTO dashboard_code_line (filename, line_number, function_name, module) \
         VALUES ('src/main.rs', 1, 'load', 'app')",
        "INSERT INTO dashboard_stack_line (request_id, position, code_id, indent, duration_ms, \
         calls) SELECT r.id, p.position, c.id, 0, 1.0, 1 FROM dashboard_request r, \
         dashboard_code_line c, (SELECT 0 AS position UNION SELECT 1) p",
        "INSERT INTO dashboard_exception_group (signature, type_name, message, endpoint_id, \
         count, first_seen, last_seen, latest_context, stack) \
         SELECT 'sig', 'HTTP 500', 'failed', id, 9, '2026-01-01', '2026-01-01', '{}', '[]' \
         FROM dashboard_endpoint",
        "INSERT INTO dashboard_exception_occurrence (group_id, request_id, time_occurred, version) \
         SELECT g.id, r.id, datetime(r.time_us / 1000000, 'unixepoch'), '1.0' \
         FROM dashboard_request r, \
         dashboard_exception_group g",
        "INSERT INTO dashboard_dependency (kind, system, operation, name, hash) \
         VALUES (0, 'sqlite', 'SELECT', 'SELECT ?', 1)",
        "INSERT INTO dashboard_request_dependency (request_id, dependency_id, endpoint_id, calls, \
         total_us, n_plus_one) SELECT r.id, d.id, r.endpoint_id, 6, 600, 1 \
         FROM dashboard_request r, dashboard_dependency d",
        "INSERT INTO dashboard_slow_call (request_id, endpoint_id, dependency_id, time_us, \
         duration_us, rows, status_code, stack) SELECT r.id, r.endpoint_id, d.id, r.time_us, \
         200000, 1, NULL, '[]' FROM dashboard_request r, dashboard_dependency d",
    ];
    for sql in per_request {
        execute(db, sql).await;
    }
    execute(
        db,
        &format!(
            "INSERT INTO dashboard_custom_graph (title, time_added, version_added) \
             VALUES ('Users', '{}', '1.0')",
            now.to_rfc3339()
        ),
    )
    .await;
    for days_ago in [40, 0] {
        let time = now - TimeDelta::days(days_ago) - TimeDelta::hours(1);
        execute(
            db,
            &format!(
                "INSERT INTO dashboard_custom_graph_data (graph_id, time, value) \
                 SELECT id, '{}', 1.0 FROM dashboard_custom_graph",
                time.to_rfc3339()
            ),
        )
        .await;
    }
    for (id, queue, ended) in [
        ("old", "dashboard_jobs", now - TimeDelta::days(2)),
        ("recent", "dashboard_jobs", now - TimeDelta::hours(1)),
        ("other", "other_jobs", now - TimeDelta::days(2)),
    ] {
        execute(
            db,
            &format!(
                "INSERT INTO Jobs (job, id, job_type, status, done_at) \
                 VALUES (x'7b7d', 'seeded-{id}', '{queue}', 'Done', {})",
                ended.timestamp()
            ),
        )
        .await;
    }
}

/// Three requests of `GET /users/{id}` an hour before `now` minus each of `days_ago` days.
fn record_three_a_day(
    monitor: &axum_monitoring_dashboard::Dashboard,
    now: chrono::DateTime<Utc>,
    days_ago: &[i64],
) {
    for days in days_ago {
        let time = now - TimeDelta::days(*days) - TimeDelta::hours(1);
        crate::common::record_gets(monitor, "/users/{id}", time, 3, 5);
    }
}

async fn prune(app: &axum::Router, session: &(String, String)) -> (StatusCode, Value) {
    let (status, _, body) = send(
        app,
        json_request(
            "POST",
            "/dashboard/api/database/prune",
            &session.0,
            &session.1,
            json!({}),
        ),
    )
    .await;
    (status, body)
}

const DETAILS: [&str; 6] = [
    "outlier",
    "profile",
    "stack_line",
    "exception_occurrence",
    "request_dependency",
    "slow_call",
];

#[tokio::test]
async fn pruning_deletes_rows_past_their_limit_and_keeps_newer_rows_and_the_rollups() {
    let dir = tempfile::tempdir().unwrap();
    let (database, db) = crate::common::sqlite_with_connection(&dir).await;
    seed(&database, &db).await;
    assert_eq!(rows(&db, &DETAILS).await, [9, 9, 18, 9, 9, 9]);
    let rollup_rows = count(&db, "SELECT COUNT(*) FROM dashboard_rollup").await;

    let monitor = crate::common::builder(&database)
        .set(Key::GuestPassword, "guest-password")
        .set(Key::RetentionRequests, "30d")
        .set(Key::RetentionDetails, "7d")
        .set(Key::RetentionGraphs, "30d")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let (status, _, _) = send(&app, crate::common::get_request("/dashboard/api/database")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let anonymous = (String::new(), String::new());
    assert_eq!(prune(&app, &anonymous).await.0, StatusCode::UNAUTHORIZED);
    let guest = login(&app, "/dashboard", "guest", "guest-password").await;
    let (status, _, _) = send(
        &app,
        with_cookie("GET", "/dashboard/api/database", &guest.0),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(prune(&app, &guest).await.0, StatusCode::FORBIDDEN);
    assert_eq!(rows(&db, &["request"]).await, [9], "a guest prunes nothing");

    let admin = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, pruned) = prune(&app, &admin).await;
    assert_eq!(status, StatusCode::OK, "{pruned}");
    assert_eq!(
        pruned,
        json!({
            // Those of the 40- and 10-day-old requests.
            "outliers": 6, "profiles": 6, "exception_occurrences": 6, "call_details": 12,
            "requests": 3, "graph_values": 1, "rollups": 0,
            // Only this dashboard's job that ended two days ago.
            "jobs": 1,
        })
    );
    assert_eq!(rows(&db, &["request"]).await, [6]);
    assert_eq!(rows(&db, &DETAILS).await, [3, 3, 6, 3, 3, 3]);
    assert_eq!(rows(&db, &["custom_graph_data"]).await, [1]);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM Jobs WHERE id LIKE 'seeded-%'").await,
        2
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM dashboard_rollup").await,
        rollup_rows
    );
    assert_eq!(
        count(&db, "SELECT SUM(hits) FROM dashboard_rollup").await,
        9
    );
    assert_eq!(prune(&app, &admin).await.1["requests"], 0, "nothing left");

    let info = crate::common::get_json(&app, &admin.0, "/dashboard/api/database").await;
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
async fn rollups_past_their_own_limit_go_too() {
    let dir = tempfile::tempdir().unwrap();
    let (database, db) = crate::common::sqlite_with_connection(&dir).await;
    seed(&database, &db).await;
    let days = "SELECT COUNT(DISTINCT day) FROM dashboard_latency_day";
    assert_eq!(count(&db, days).await, 3);
    let monitor = crate::common::builder(&database)
        .set(Key::RetentionRequests, "30d")
        .set(Key::RetentionRollups, "35d")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let admin = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (_, pruned) = prune(&app, &admin).await;
    assert!(pruned["rollups"].as_u64().unwrap() >= 2, "{pruned}");
    assert_eq!(
        count(&db, "SELECT SUM(hits) FROM dashboard_rollup").await,
        6,
        "the rollups of the 10-day-old and new requests stay"
    );
    assert_eq!(count(&db, days).await, 2);
    monitor.shutdown().await;
}

#[tokio::test]
async fn rollups_kept_shorter_than_requests_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let error = crate::common::start_error(
        crate::common::builder(&sqlite_in(&dir)).set(Key::RetentionRollups, "5d"),
    )
    .await;
    assert!(
        error.contains("`RETENTION_ROLLUPS` (5 days) must be 0 (keep for ever) or at least `RETENTION_REQUESTS` (7 days)"),
        "{error}"
    );
    let error = crate::common::start_error(
        crate::common::builder(&sqlite_in(&dir))
            .set(Key::RetentionRequests, "0")
            .set(Key::RetentionRollups, "400d"),
    )
    .await;
    assert!(
        error.contains("`RETENTION_ROLLUPS` (400 days) must be 0 (keep for ever) or at least `RETENTION_REQUESTS` (for ever)"),
        "{error}"
    );
}

/// Requests 40 days old go with the default retention (7 days) and newer ones stay, while the
/// rollups keep counting both, on every database, with another table prefix.
async fn pruning_keeps_what_the_retention_keeps(database: &str) {
    let now = Utc::now();
    let monitor = crate::common::builder(database)
        .table_prefix("acme_")
        .start()
        .await
        .unwrap();
    record_three_a_day(&monitor, now, &[40, 0]);
    monitor.shutdown().await;
    let app = monitor.bind(crate::common::app());
    let session = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, body) = prune(&app, &session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pruned: dashboard_shared::PruneResult = serde_json::from_value(body).unwrap();
    assert_eq!(pruned.requests, 3, "{pruned:?}");
    let rows = crate::common::overview(&app, &session.0).await;
    assert_eq!(
        rows[0].hits_overall, 6,
        "the rollups keep what the rows no longer hold"
    );
    let (status, body) = prune(&app, &session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["requests"], 0, "nothing left to prune");
}

crate::on_every_database!(pruning_keeps_what_the_retention_keeps);
