//! Utilisation charts from seeded history: numbers and SVG downloads.

use std::time::Duration;

use crate::common::*;
use axum::http::{StatusCode, header};
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{Datelike, NaiveDate, TimeZone, Timelike, Utc};
use dashboard_shared::api::ApplicationSummary;
use dashboard_shared::{ApiPerformanceChart, ChartQuery, DailyUtilizationChart, HourlyLoadChart};

/// The days `first` to `last` of November 2026.
fn days(first: u32, last: u32) -> ChartQuery {
    let day = |day| NaiveDate::from_ymd_opt(2026, 11, day);
    ChartQuery {
        from: day(first),
        to: day(last),
        ..ChartQuery::default()
    }
}

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
        crate::common::record_gets(&monitor, "/users/{id}", time, count, 5);
    }
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let load = get_route::<HourlyLoadChart>(&app, &cookie, None, &days(16, 20)).await;
    assert_eq!(load.timezone, "Europe/Amsterdam");
    assert_eq!(
        load.days,
        [
            "2026-11-16",
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
            "2026-11-20"
        ]
    );
    let cell = |day: usize, hour: usize| load.counts[day][hour];
    assert_eq!(
        cell(0, 9),
        5,
        "both 08:xx UTC requests in the 09:00 local hour"
    );
    assert_eq!(cell(1, 0), 4, "23:30 UTC is past midnight in Amsterdam");
    assert_eq!(cell(4, 13), 1);
    let total: u64 = load.counts.iter().flatten().sum();
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
    crate::common::record_gets(&monitor, "/health", day, 10, 3);
    let outside = Utc.with_ymd_and_hms(2026, 10, 1, 10, 0, 0).unwrap();
    crate::common::record_gets(&monitor, "/old", outside, 1, 9);
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let performance = get_route::<ApiPerformanceChart>(&app, &cookie, None, &days(15, 21)).await;
    let boxes = &performance.boxes;
    let names: Vec<&str> = boxes.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(
        boxes[0].colour,
        dashboard_shared::charts::endpoint_colour("GET /reports"),
        "each endpoint in its stable colour"
    );
    assert_eq!(
        names,
        ["GET /reports", "GET /health"],
        "slowest median first; /old is outside the range"
    );
    let reports = &boxes[0];
    assert_eq!(reports.count, 100);
    // Exact quantiles of 1..=100 with linear interpolation.
    for (field, estimate, exact) in [
        ("p5", reports.p5_ms, 5.95),
        ("q1", reports.q1_ms, 25.75),
        ("median", reports.median_ms, 50.5),
        ("q3", reports.q3_ms, 75.25),
        ("p95", reports.p95_ms, 95.05),
    ] {
        assert!(
            (estimate - exact).abs() / exact <= 0.02,
            "{field}: {estimate} vs {exact}"
        );
    }
    let health = boxes[1].median_ms;
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
        crate::common::record_gets(&monitor, endpoint, at(day, hour), count, 4);
    }
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let utilization = get_route::<DailyUtilizationChart>(&app, &cookie, None, &days(19, 21)).await;
    assert_eq!(utilization.days, ["2026-11-19", "2026-11-20", "2026-11-21"]);
    let by_name = |name: &str| {
        utilization
            .endpoints
            .iter()
            .find(|series| series.endpoint == name)
            .unwrap()
    };
    assert_eq!(by_name("GET /users/{id}").hits, [3, 2, 0]);
    assert_eq!(
        by_name("GET /users/{id}").colour,
        [0, 97, 255],
        "COLORS wins"
    );
    assert_eq!(by_name("GET /orders").hits, [0, 4, 0]);
    let download = with_cookie(
        "GET",
        "/dashboard/api/charts/daily-utilization?from=2026-11-19&to=2026-11-21&format=svg",
        &cookie,
    );
    let (status, _, svg) = send_for_text(&app, download).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("#0061FF"), "the configured colour is drawn");
}

/// Requests recorded as history: method, route, time, how many, milliseconds, status.
type Seeded = (
    &'static str,
    &'static str,
    chrono::DateTime<Utc>,
    u32,
    u64,
    u16,
);

/// The app of a dashboard in `dir` that recorded `seeded`, and an admin's session cookie.
async fn with_history(dir: &tempfile::TempDir, seeded: &[Seeded]) -> (axum::Router, String) {
    let monitor = Dashboard::builder()
        .database(sqlite_in(dir))
        .password(PASSWORD)
        .start()
        .await
        .unwrap();
    for &(method, route, time, count, ms, status) in seeded {
        for _ in 0..count {
            let request = PastRequest::new(method, route, time, Duration::from_millis(ms), status);
            assert!(monitor.record_historical(request));
        }
    }
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    (app, cookie)
}

#[tokio::test]
async fn the_summary_gives_the_whole_application_and_the_period_before() {
    let dir = tempfile::tempdir().unwrap();
    // In 18–20 November: 8 quick requests on the 18th at 10:xx, 2 slow failures on the 20th.
    // Before, in 15–17 November: 4 requests of 20 ms on the 16th.
    let at = |day, hour| Utc.with_ymd_and_hms(2026, 11, day, hour, 15, 0).unwrap();
    let (app, cookie) = with_history(
        &dir,
        &[
            ("GET", "/a", at(18, 10), 8, 10, 200),
            ("POST", "/b", at(20, 12), 2, 100, 500),
            ("GET", "/a", at(16, 9), 4, 20, 200),
        ],
    )
    .await;
    let near = |value: Option<f64>, expected: f64| {
        value.is_some_and(|value| (value - expected).abs() <= expected * 0.015)
    };

    let summary = get_route::<ApplicationSummary>(&app, &cookie, None, &days(18, 20)).await;
    assert_eq!(
        (summary.from.as_str(), summary.to.as_str()),
        ("2026-11-18", "2026-11-20")
    );
    let now = summary.current;
    assert_eq!((now.requests, now.errors), (10, 2));
    assert_eq!(now.error_percent(), Some(20.0));
    assert!(near(now.median_ms, 10.0), "{now:?}");
    assert!(
        near(now.p95_ms, 100.0) && near(now.p99_ms, 100.0),
        "{now:?}"
    );
    let before = summary.previous;
    assert_eq!((before.requests, before.errors), (4, 0));
    assert!(near(before.median_ms, 20.0), "{before:?}");
    let per_day: Vec<(u64, u64)> = summary
        .points
        .iter()
        .map(|point| (point.figures.requests, point.figures.errors))
        .collect();
    assert_eq!(per_day, [(8, 0), (0, 0), (2, 2)]);
    assert!(near(summary.points[2].figures.median_ms, 100.0));
    assert_eq!(
        summary.points[1].figures.median_ms, None,
        "a day without requests"
    );

    // One day: a point per hour, without quantiles; the day before had nothing.
    let day = get_route::<ApplicationSummary>(&app, &cookie, None, &days(18, 18)).await;
    assert_eq!(day.points.len(), 24);
    assert_eq!(day.points[10].figures.requests, 8);
    assert_eq!(
        day.points[10].start,
        Utc.with_ymd_and_hms(2026, 11, 18, 10, 0, 0).unwrap()
    );
    assert_eq!(
        day.points.iter().map(|p| p.figures.requests).sum::<u64>(),
        8
    );
    assert_eq!(day.points[10].figures.median_ms, None);
    assert!(near(day.current.median_ms, 10.0));
    assert_eq!(day.previous.requests, 0);
}

#[tokio::test]
async fn the_summary_of_the_last_hours_counts_whole_hours_and_refuses_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let this_hour = Utc
        .with_ymd_and_hms(now.year(), now.month(), now.day(), now.hour(), 0, 0)
        .unwrap();
    let minutes = |minutes| this_hour + chrono::TimeDelta::minutes(minutes);
    // The last 2 hours: 3 in this one, a failure in the one before; before them, 2 more.
    let (app, cookie) = with_history(
        &dir,
        &[
            ("GET", "/a", minutes(0), 3, 5, 200),
            ("GET", "/a", minutes(-59), 1, 5, 500),
            ("GET", "/a", minutes(-119), 2, 5, 200),
        ],
    )
    .await;
    let hours = |hours| ChartQuery {
        hours: Some(hours),
        ..ChartQuery::default()
    };
    let summary = get_route::<ApplicationSummary>(&app, &cookie, None, &hours(2)).await;
    assert_eq!((summary.current.requests, summary.current.errors), (4, 1));
    assert_eq!(summary.current.median_ms, None, "no quantiles per hour");
    assert_eq!((summary.previous.requests, summary.previous.errors), (2, 0));
    let per_hour: Vec<u64> = summary.points.iter().map(|p| p.figures.requests).collect();
    assert_eq!(per_hour, [1, 3]);
    assert_eq!(summary.points[1].start, this_hour);

    for bad in [
        "/dashboard/api/summary?hours=0",
        "/dashboard/api/summary?hours=49",
        "/dashboard/api/summary?hours=2&from=2026-11-01",
        "/dashboard/api/charts/hourly-load?hours=2",
    ] {
        let (status, _, body) = send(&app, with_cookie("GET", bad, &cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("hours")),
            "{body}"
        );
    }
}
