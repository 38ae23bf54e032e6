//! Monitoring levels: changed live by an admin, followed by other processes.

use std::time::{Duration, Instant};

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn level_zero_keeps_only_the_last_request_time() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    send(&app, get_request("/users/1")).await;
    let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
    // Wait for the endpoint to be registered by the writer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while monitor.monitor_level("GET", "/users/{id}").is_none() {
        assert!(
            Instant::now() < deadline,
            "the endpoint was never registered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, _, overview) = send(&app, with_cookie("GET", "/dashboard/api/overview", &cookie)).await;
    let id = overview[0]["id"].as_i64().unwrap();
    let uri = format!("/dashboard/api/endpoints/{id}/level");

    for bad in [json!({ "level": 4 }), json!({ "level": "one" }), json!({})] {
        let (status, _, body) =
            send(&app, json_request("PUT", &uri, &cookie, &csrf, bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _, _) = send(
        &app,
        json_request(
            "PUT",
            "/dashboard/api/endpoints/999/level",
            &cookie,
            &csrf,
            json!({ "level": 0 }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = send(
        &app,
        json_request("PUT", &uri, &cookie, &csrf, json!({ "level": 0 })),
    )
    .await;
    assert_eq!((status, body["level"].as_u64()), (StatusCode::OK, Some(0)));
    assert_eq!(
        monitor.monitor_level("GET", "/users/{id}"),
        Some(0),
        "applied at once in this process"
    );

    let level_zero_from = chrono::Utc::now();
    for id in 2..5 {
        send(&app, get_request(&format!("/users/{id}"))).await;
    }
    monitor.shutdown().await;
    let (_, _, overview) = send(&app, with_cookie("GET", "/dashboard/api/overview", &cookie)).await;
    let row = &overview[0];
    assert_eq!(
        (row["monitor_level"].as_u64(), row["hits_overall"].as_u64()),
        (Some(0), Some(1)),
        "{row}"
    );
    let last: chrono::DateTime<chrono::Utc> =
        row["last_requested"].as_str().unwrap().parse().unwrap();
    assert!(
        last >= level_zero_from,
        "level 0 still moves last_requested: {last} < {level_zero_from}"
    );
}

#[tokio::test]
async fn another_process_follows_a_level_change_within_five_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_in(&dir);
    let (a, b) = tokio::join!(start(&url), start(&url));
    let (app_a, app_b) = (a.bind(app()), b.bind(app()));
    send(&app_a, get_request("/users/1")).await;
    send(&app_b, get_request("/users/1")).await;
    let (cookie, csrf) = login(&app_a, "/dashboard", "admin", PASSWORD).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let id = loop {
        let (_, _, overview) = send(
            &app_a,
            with_cookie("GET", "/dashboard/api/overview", &cookie),
        )
        .await;
        if let Some(id) = overview[0]["id"].as_i64() {
            break id;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let changed = Instant::now();
    send(
        &app_a,
        json_request(
            "PUT",
            &format!("/dashboard/api/endpoints/{id}/level"),
            &cookie,
            &csrf,
            json!({ "level": 3 }),
        ),
    )
    .await;
    while b.monitor_level("GET", "/users/{id}") != Some(3) {
        assert!(
            changed.elapsed() < Duration::from_secs(5),
            "process B still applies {:?}",
            b.monitor_level("GET", "/users/{id}")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
