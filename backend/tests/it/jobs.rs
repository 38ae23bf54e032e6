//! Custom graphs on Apalis (SQLite): ticks at the right wall-clock times, failing and panicking
//! functions retried per tick without stopping the others, and the graphs' API.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::common::{PASSWORD, get_route, login, route_uri, send, sqlite_in, with_cookie};
use axum::Router;
use axum::http::StatusCode;
use axum_monitoring_dashboard::Schedule;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use dashboard_shared::api;
use dashboard_shared::{ChartQuery, CustomGraph, CustomGraphChart, GraphData, NoQuery};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Query};

/// Now, in milliseconds since the epoch: what the timing graphs store.
fn now_ms() -> f64 {
    Utc::now().timestamp_millis() as f64
}

/// Every custom graph.
async fn graphs(app: &Router, cookie: &str) -> Vec<CustomGraph> {
    get_route::<api::CustomGraphs>(app, cookie, None, &NoQuery {}).await
}

/// The graph titled `title` from the list.
async fn graph_id(app: &Router, cookie: &str, title: &str) -> i64 {
    let graphs = graphs(app, cookie).await;
    graphs
        .iter()
        .find(|graph| graph.title == title)
        .unwrap_or_else(|| panic!("no graph {title} in {graphs:?}"))
        .id
}

/// A graph's values over `query`'s days.
async fn graph_data(app: &Router, cookie: &str, id: i64, query: &ChartQuery) -> GraphData {
    get_route::<CustomGraphChart>(app, cookie, Some(id), query).await
}

/// `(tick time, value)` of a graph's points.
async fn points(app: &Router, cookie: &str, id: i64) -> Vec<(DateTime<Utc>, f64)> {
    parse_points(&graph_data(app, cookie, id, &ChartQuery::default()).await)
}

fn parse_points(data: &GraphData) -> Vec<(DateTime<Utc>, f64)> {
    data.points
        .iter()
        .map(|point| (point.time, point.value))
        .collect()
}

/// The graph's points once it has `count` (ticks come from the wall clock; nothing else
/// announces them).
async fn wait_for_points(
    app: &Router,
    cookie: &str,
    id: i64,
    count: usize,
) -> Vec<(DateTime<Utc>, f64)> {
    let uri = route_uri::<CustomGraphChart>(Some(id), &ChartQuery::default());
    let data = crate::common::get_json_once(app, cookie, &uri, |data| {
        data["points"]
            .as_array()
            .is_some_and(|points| points.len() >= count)
    })
    .await;
    parse_points(&serde_json::from_value(data).unwrap())
}

#[tokio::test]
async fn interval_and_cron_graphs_tick_at_their_wall_clock_times() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = crate::common::builder(&sqlite_in(&dir))
        .graph(
            "every second",
            Schedule::interval(Duration::from_secs(1)),
            || async { now_ms() },
        )
        .graph("even seconds", Schedule::cron("*/2 * * * * *"), || async {
            now_ms()
        })
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let every = graph_id(&app, &cookie, "every second").await;
    let even = graph_id(&app, &cookie, "even seconds").await;
    let every_points = wait_for_points(&app, &cookie, every, 4).await;
    let even_points = wait_for_points(&app, &cookie, even, 2).await;
    monitor.shutdown().await;

    for (time, measured_ms) in every_points.iter().chain(&even_points) {
        assert_eq!(
            time.timestamp_subsec_nanos(),
            0,
            "ticks are on whole seconds"
        );
        let late = measured_ms - time.timestamp_millis() as f64;
        assert!(
            (0.0..1000.0).contains(&late),
            "the value of the {time} tick was measured {late} ms after it"
        );
    }
    for pair in every_points.windows(2) {
        assert_eq!(
            pair[1].0 - pair[0].0,
            chrono::TimeDelta::seconds(1),
            "{pair:?}"
        );
    }
    for (time, _) in &even_points {
        assert_eq!(time.timestamp() % 2, 0, "{time} is not an even second");
    }
    // The default axis spans the graph's life so far, not 14 days, so its values fill it.
    let data = graph_data(&app, &cookie, every, &ChartQuery::default()).await;
    assert_eq!(data.start, data.graph.time_added);
    assert!(data.end <= Utc::now() && data.end >= every_points[every_points.len() - 1].0);
    assert!(
        data.end - data.start < chrono::TimeDelta::minutes(1),
        "{data:?}"
    );
    for pair in even_points.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, chrono::TimeDelta::seconds(2));
    }
}

#[tokio::test]
async fn failing_and_panicking_graphs_are_retried_per_tick_and_never_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let flaky_calls = Arc::new(AtomicU64::new(0));
    let broken_calls = Arc::new(AtomicU64::new(0));
    let monitor = crate::common::builder(&sqlite_in(&dir))
        .graph(
            "steady",
            Schedule::interval(Duration::from_secs(1)),
            || async { 42u32 },
        )
        .graph("flaky", Schedule::interval(Duration::from_secs(1)), {
            let calls = Arc::clone(&flaky_calls);
            move || {
                // Fails twice, then answers: every tick's third attempt succeeds.
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if call % 3 == 2 {
                        Ok(7.5)
                    } else {
                        Err("the database is busy")
                    }
                }
            }
        })
        .graph("broken", Schedule::interval(Duration::from_secs(1)), {
            let calls = Arc::clone(&broken_calls);
            move || {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    if true {
                        panic!("no users table");
                    }
                    0
                }
            }
        })
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let steady = graph_id(&app, &cookie, "steady").await;
    let flaky = graph_id(&app, &cookie, "flaky").await;
    let broken = graph_id(&app, &cookie, "broken").await;
    let flaky_points = wait_for_points(&app, &cookie, flaky, 2).await;
    let steady_points = wait_for_points(&app, &cookie, steady, 3).await;
    monitor.shutdown().await;

    assert!(steady_points.iter().all(|(_, value)| *value == 42.0));
    assert!(flaky_points.iter().all(|(_, value)| *value == 7.5));
    let mut ticks: Vec<_> = flaky_points.iter().map(|(time, _)| *time).collect();
    ticks.dedup();
    assert_eq!(ticks.len(), flaky_points.len(), "one value per tick");
    assert!(points(&app, &cookie, broken).await.is_empty());
    let broken = broken_calls.load(Ordering::SeqCst);
    assert!(
        broken >= 3,
        "a panicking tick is tried three times; {broken} calls"
    );
}

#[tokio::test]
async fn the_graphs_api_lists_graphs_with_their_schedule_and_checks_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = crate::common::builder(&sqlite_in(&dir))
        .graph(
            "Registered users",
            Schedule::cron("0 0 3 * * *"),
            || async { 1 },
        )
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let (status, _, _) = send(
        &app,
        crate::common::get_request("/dashboard/api/custom-graphs"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let graphs = graphs(&app, &cookie).await;
    assert_eq!(graphs[0].title, "Registered users");
    assert_eq!(
        graphs[0].schedule.as_deref(),
        Some("cron `0 0 3 * * *` (UTC)")
    );
    let id = graphs[0].id;
    let data = graph_data(&app, &cookie, id, &ChartQuery::default()).await;
    assert!(data.points.is_empty(), "{data:?}");
    let today = Utc::now().date_naive();
    assert_eq!(
        (data.from, data.to),
        (
            (today - chrono::Days::new(13)).to_string(),
            today.to_string()
        ),
        "the last 14 days by default"
    );
    let (status, headers, svg) = crate::common::send_for_text(
        &app,
        with_cookie(
            "GET",
            &format!("/dashboard/api/custom-graphs/{id}?format=svg"),
            &cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(svg.contains("No values in this range"), "{svg}");
    let (status, _, body) = send(
        &app,
        with_cookie(
            "GET",
            &format!("/dashboard/api/custom-graphs/{id}?from=2026-11-20&to=2026-11-19"),
            &cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, _) = send(
        &app,
        with_cookie("GET", "/dashboard/api/custom-graphs/999", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    monitor.shutdown().await;
}

crate::on_every_database!(bucket_means);

/// The database sums up dense graphs (in its own words for epoch seconds).
async fn bucket_means(database: &str) {
    let monitor = crate::common::builder(database)
        .graph("Queue length", Schedule::cron("0 0 3 * * *"), || async {
            1
        })
        .start()
        .await
        .unwrap();
    let db = sea_orm::Database::connect(database).await.unwrap();
    let app = monitor.bind(crate::common::app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let id = graph_id(&app, &cookie, "Queue length").await;
    // 2,500 values, one a second from midnight, each its second's number.
    let midnight: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
    let mut insert = Query::insert()
        .into_table(Alias::new("dashboard_custom_graph_data"))
        .columns([
            Alias::new("graph_id"),
            Alias::new("time"),
            Alias::new("value"),
        ])
        .to_owned();
    for second in 0..2500 {
        insert.values_panic([
            id.into(),
            (midnight + TimeDelta::seconds(second)).into(),
            (second as f64).into(),
        ]);
    }
    db.execute(&insert).await.unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 20);
    let one_day = ChartQuery {
        from: day,
        to: day,
        ..ChartQuery::default()
    };
    let data = graph_data(&app, &cookie, id, &one_day).await;
    // A day in at most 2,000 buckets: 44 s each, so 57 of them hold the 2,500 values.
    assert_eq!(data.bucket_seconds, Some(44));
    let points = parse_points(&data);
    assert_eq!(points.len(), 57);
    let at = |hour, minute, second| {
        Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, second)
            .unwrap()
    };
    assert_eq!(points[0], (at(0, 0, 0), 21.5), "the mean of 0 to 43");
    assert_eq!(
        points[56],
        (at(0, 41, 4), 2481.5),
        "the mean of 2,464 to 2,499"
    );
    monitor.shutdown().await;
}

#[tokio::test]
async fn bad_schedules_and_repeated_titles_stop_the_start_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let error = crate::common::start_error(crate::common::builder(&sqlite_in(&dir)).graph(
        "Users",
        Schedule::cron("every hour"),
        || async { 1 },
    ))
    .await;
    assert!(
        error.contains("`Users` has a bad schedule")
            && error.contains("`every hour` is not a cron expression"),
        "{error}"
    );
    let error = crate::common::start_error(
        crate::common::builder(&sqlite_in(&dir))
            .graph(
                "Users",
                Schedule::interval(Duration::from_secs(60)),
                || async { 1 },
            )
            .graph(
                "Users",
                Schedule::interval(Duration::from_secs(60)),
                || async { 2 },
            ),
    )
    .await;
    assert!(
        error.contains("two custom graphs are titled `Users`"),
        "{error}"
    );
}
