//! Utilisation charts from seeded history: numbers and SVG downloads.

use std::time::Duration;

use crate::common::*;
use axum::http::{StatusCode, header};
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{TimeZone, Utc};

#[tokio::test]
async fn the_hourly_load_counts_requests_per_local_day_and_hour() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::Timezone, "Europe/Amsterdam")
        .start()
        .await
        .unwrap();
    // Amsterdam is UTC+1 in November: 08:30 UTC is 09:30 there, 23:30 UTC is 00:30 the next day.
    let seeded = [
        (Utc.with_ymd_and_hms(2026, 11, 16, 8, 30, 0).unwrap(), 3),
        (Utc.with_ymd_and_hms(2026, 11, 16, 8, 45, 0).unwrap(), 2),
        (Utc.with_ymd_and_hms(2026, 11, 16, 23, 30, 0).unwrap(), 4),
        (Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap(), 1),
    ];
    for (time, count) in seeded {
        for _ in 0..count {
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
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, _, load) = send(
        &app,
        with_cookie(
            "GET",
            "/dashboard/api/charts/hourly-load?from=2026-11-16&to=2026-11-20",
            &cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{load}");
    assert_eq!(load["timezone"], "Europe/Amsterdam");
    let days: Vec<&str> = load["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2026-11-16",
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
            "2026-11-20"
        ]
    );
    let cell = |day: usize, hour: usize| load["counts"][day][hour].as_u64().unwrap();
    assert_eq!(
        cell(0, 9),
        5,
        "both 08:xx UTC requests in the 09:00 local hour"
    );
    assert_eq!(cell(1, 0), 4, "23:30 UTC is past midnight in Amsterdam");
    assert_eq!(cell(4, 13), 1);
    let total: u64 = load["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|day| day.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(total, 10);

    let download = with_cookie(
        "GET",
        "/dashboard/api/charts/hourly-load?from=2026-11-16&to=2026-11-20&format=svg",
        &cookie,
    );
    let (status, headers, svg) = send_for_text(&app, download).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(
        svg.starts_with("<svg") && svg.matches("<rect").count() == 1 + 5 * 24,
        "{svg}"
    );

    for bad in [
        "from=2026-11-20&to=2026-11-16",
        "from=2020-01-01&to=2026-01-01",
        "from=yesterday",
    ] {
        let (status, _, _) = send(
            &app,
            with_cookie(
                "GET",
                &format!("/dashboard/api/charts/hourly-load?{bad}"),
                &cookie,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn api_performance_boxes_come_from_the_histograms_within_two_percent() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let day = Utc.with_ymd_and_hms(2026, 11, 18, 10, 0, 0).unwrap();
    // Durations 1..=100 ms on one endpoint, a constant 3 ms on another, one on a day outside.
    for ms in 1..=100u64 {
        monitor.record_historical(PastRequest::new(
            "GET",
            "/reports",
            day,
            Duration::from_millis(ms),
            200,
        ));
    }
    for _ in 0..10 {
        monitor.record_historical(PastRequest::new(
            "GET",
            "/health",
            day,
            Duration::from_millis(3),
            200,
        ));
    }
    monitor.record_historical(PastRequest::new(
        "GET",
        "/old",
        Utc.with_ymd_and_hms(2026, 10, 1, 10, 0, 0).unwrap(),
        Duration::from_millis(9),
        200,
    ));
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let uri = "/dashboard/api/charts/api-performance?from=2026-11-15&to=2026-11-21";
    let (status, _, performance) = send(&app, with_cookie("GET", uri, &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{performance}");
    let boxes = performance["boxes"].as_array().unwrap();
    let names: Vec<&str> = boxes.iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(
        boxes[0]["colour"],
        serde_json::json!(dashboard_shared::charts::endpoint_colour("GET /reports")),
        "each endpoint in its stable colour"
    );
    assert_eq!(
        names,
        ["GET /reports", "GET /health"],
        "slowest median first; /old is outside the range"
    );
    let reports = &boxes[0];
    assert_eq!(reports["count"], 100);
    // Exact quantiles of 1..=100 with linear interpolation.
    for (field, exact) in [
        ("p5_ms", 5.95),
        ("q1_ms", 25.75),
        ("median_ms", 50.5),
        ("q3_ms", 75.25),
        ("p95_ms", 95.05),
    ] {
        let estimate = reports[field].as_f64().unwrap();
        assert!(
            (estimate - exact).abs() / exact <= 0.02,
            "{field}: {estimate} vs {exact}"
        );
    }
    let health = boxes[1]["median_ms"].as_f64().unwrap();
    assert!((health - 3.0).abs() / 3.0 <= 0.02, "{health}");

    let download = with_cookie(
        "GET",
        "/dashboard/api/charts/api-performance?from=2026-11-15&to=2026-11-21&format=svg",
        &cookie,
    );
    let (status, headers, svg) = send_for_text(&app, download).await;
    assert_eq!(
        (status, headers[header::CONTENT_TYPE].to_str().unwrap()),
        (StatusCode::OK, "image/svg+xml")
    );
    assert!(svg.contains("GET /reports") && svg.contains("GET /health"));
}

#[tokio::test]
async fn daily_utilization_counts_per_day_and_endpoint_with_configured_colours() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::Colors, "{'GET /users/{id}': '[0,97,255]'}")
        .start()
        .await
        .unwrap();
    let at = |day: u32, hour: u32| Utc.with_ymd_and_hms(2026, 11, day, hour, 15, 0).unwrap();
    for (endpoint, day, hour, count) in [
        ("/users/{id}", 19, 9, 3),
        ("/users/{id}", 20, 23, 2),
        ("/orders", 20, 1, 4),
    ] {
        for _ in 0..count {
            monitor.record_historical(PastRequest::new(
                "GET",
                endpoint,
                at(day, hour),
                Duration::from_millis(4),
                200,
            ));
        }
    }
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let uri = "/dashboard/api/charts/daily-utilization?from=2026-11-19&to=2026-11-21";
    let (status, _, utilization) = send(&app, with_cookie("GET", uri, &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{utilization}");
    assert_eq!(
        utilization["days"],
        serde_json::json!(["2026-11-19", "2026-11-20", "2026-11-21"])
    );
    let series = utilization["endpoints"].as_array().unwrap();
    let by_name = |name: &str| series.iter().find(|s| s["endpoint"] == name).unwrap();
    assert_eq!(
        by_name("GET /users/{id}")["hits"],
        serde_json::json!([3, 2, 0])
    );
    assert_eq!(
        by_name("GET /users/{id}")["colour"],
        serde_json::json!([0, 97, 255]),
        "COLORS wins"
    );
    assert_eq!(by_name("GET /orders")["hits"], serde_json::json!([0, 4, 0]));
    let download = with_cookie(
        "GET",
        "/dashboard/api/charts/daily-utilization?from=2026-11-19&to=2026-11-21&format=svg",
        &cookie,
    );
    let (status, _, svg) = send_for_text(&app, download).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("#0061FF"), "the configured colour is drawn");
}
