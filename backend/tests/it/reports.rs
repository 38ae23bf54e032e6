//! Performance reports on seeded data: a true 2× latency regression is significant, identical
//! distributions are not; status shares; the automatic comparison of a new version.

use std::time::Duration;

use crate::common::{PASSWORD, json_request, login, route_uri, send, sqlite_in};
use axum::Router;
use axum::http::StatusCode;
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{DateTime, Days, TimeDelta, Utc};
use dashboard_shared::alerts::{Alert, Condition};
use dashboard_shared::api;
use dashboard_shared::{
    EndpointReport, NoQuery, Period, Report, ReportRequest, TimeRange, VersionComparison,
    VersionRequests,
};
use dashboard_test_servers::receivers::WebhookReceiver;
use serde_json::json;

/// 300 durations between 10 and 40 ms, the same every run (a linear congruential generator).
fn durations() -> Vec<Duration> {
    let mut state: u64 = 20_261_122;
    (0..300)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            Duration::from_micros(10_000 + (state >> 33) % 30_000)
        })
        .collect()
}

/// Noon UTC `days` ago.
fn noon(days: u64) -> DateTime<Utc> {
    (Utc::now().date_naive() - Days::new(days))
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
}

/// Seeds two endpoints: `/users/{id}` twice as slow in version 2 (three days ago vs two days
/// ago), `/items/{id}` the same in both but with 10 % 500s in version 2.
async fn seed(monitor: &Dashboard) {
    for (i, duration) in durations().into_iter().enumerate() {
        let offset = TimeDelta::seconds(i as i64);
        let past = |route: &str, days: u64, duration: Duration, status: u16, version: &str| {
            PastRequest::new("GET", route, noon(days) + offset, duration, status).version(version)
        };
        assert!(monitor.record_historical(past("/users/{id}", 3, duration, 200, "1")));
        assert!(monitor.record_historical(past("/users/{id}", 2, duration * 2, 200, "2")));
        assert!(monitor.record_historical(past("/items/{id}", 3, duration, 200, "1")));
        let status = if i % 10 == 0 { 500 } else { 200 };
        assert!(monitor.record_historical(past("/items/{id}", 2, duration, status, "2")));
    }
}

/// `POST /reports` with `request`, answered with 200: the report.
async fn report(app: &Router, session: &(String, String), request: &ReportRequest) -> Report {
    let body = serde_json::to_value(request).unwrap();
    let (status, _, body) = send(
        app,
        json_request(
            "POST",
            &route_uri::<api::CreateReport>(None, &NoQuery {}),
            &session.0,
            &session.1,
            body,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

fn endpoint<'a>(report: &'a Report, name: &str) -> &'a EndpointReport {
    report
        .endpoints
        .iter()
        .find(|endpoint| endpoint.name == name)
        .unwrap_or_else(|| panic!("no {name} in {report:?}"))
}

async fn a_regression_is_significant_and_identical_distributions_are_not(database: &str) {
    let monitor = crate::common::start(database).await;
    seed(&monitor).await;
    monitor.shutdown().await;
    let app = monitor.bind(crate::common::app());
    let session = login(&app, "/dashboard", "admin", PASSWORD).await;
    let versions = ReportRequest::Versions {
        comparison: "2".to_owned(),
        baseline: "1".to_owned(),
    };
    let by_versions = report(&app, &session, &versions).await;
    let range = |days: u64| TimeRange {
        from: noon(days),
        to: noon(days) + TimeDelta::hours(1),
    };
    let intervals = ReportRequest::Intervals {
        comparison: range(2),
        baseline: range(3),
    };
    let by_intervals = report(&app, &session, &intervals).await;
    for report in [&by_versions, &by_intervals] {
        let users = endpoint(report, "GET /users/{id}");
        assert_eq!(
            (users.comparison_requests, users.baseline_requests),
            (300, 300)
        );
        let latency = &users.latency;
        assert!(latency.significant, "{latency:?}");
        assert!(latency.p_value.unwrap() < 1e-10, "{latency:?}");
        let difference = latency.difference_percent.unwrap();
        assert!((difference - 100.0).abs() < 0.01, "{difference}");
        assert_eq!(latency.comparison.as_ref().map(|b| b.count), Some(300));
        assert!(!users.status_codes.significant);

        let items = endpoint(report, "GET /items/{id}");
        assert!(!items.latency.significant, "{items:?}");
        assert_eq!(items.latency.p_value, Some(1.0));
        assert_eq!(items.latency.difference_percent, Some(0.0));
        let codes = &items.status_codes;
        assert!(codes.significant, "{codes:?}");
        let failed = &codes.codes[1];
        assert_eq!((failed.status, failed.comparison), (500, 30));
        assert!((failed.comparison_percent - 10.0).abs() < 1e-9);
    }
    // Significant endpoints come first: both are, by name.
    assert_eq!(by_versions.endpoints[0].name, "GET /items/{id}");
    assert_eq!(by_versions.comparison.label, "version 2");
}

crate::on_every_database!(a_regression_is_significant_and_identical_distributions_are_not);

#[tokio::test]
async fn bad_report_requests_get_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = crate::common::start(&sqlite_in(&dir)).await;
    let app = monitor.bind(crate::common::app());
    let session = login(&app, "/dashboard", "admin", PASSWORD).await;
    let backwards = json!({"from": noon(1), "to": noon(2)});
    let (status, _, body) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/reports",
            &session.0,
            &session.1,
            json!({"kind": "intervals", "comparison": backwards, "baseline": backwards}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("comparison range must end after it starts"),
        "{body}"
    );
    let day = ReportRequest::Preset {
        period: Period::Day,
    };
    let today = report(&app, &session, &day).await;
    assert!(today.endpoints.is_empty(), "{today:?}");
    monitor.shutdown().await;
}

#[tokio::test]
async fn a_new_version_is_compared_with_the_previous_one_once_it_has_served_enough() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    // The seeder compares nothing: its start would take the comparison's tick of this minute,
    // which the next process then could not run until the minute after.
    let seeder = crate::common::builder(&database)
        .set(Key::VersionCompareRequests, "0")
        .start()
        .await
        .unwrap();
    seed(&seeder).await;
    // A regression rule, made before the comparison, tells it to a webhook.
    let hook = WebhookReceiver::start().await.unwrap();
    {
        use crate::alerts::{admin, create_channel, create_rule, webhook};
        let app = seeder.bind(crate::common::app());
        let admin = admin(&app).await;
        let chat = create_channel(&app, &admin, webhook("Chat", hook.url("/hook"))).await;
        let rule = Condition::Regression;
        create_rule(&app, &admin, "Slower versions", rule, vec![chat.id], 15).await;
    }
    seeder.shutdown().await;

    let monitor = Dashboard::builder()
        .database(&database)
        .password(PASSWORD)
        .set(Key::AlertCheckSeconds, "1")
        .set(Key::VersionCompareRequests, "500")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let session = login(&app, "/dashboard", "admin", PASSWORD).await;
    let users = crate::common::endpoint_id(&app, &session.0, "GET /users/{id}").await;
    // The comparison runs as a job at start; nothing announces its end but its row.
    let comparison = crate::common::get_json_once(
        &app,
        &session.0,
        "/dashboard/api/reports/version-comparison",
        |comparison| !comparison.is_null(),
    )
    .await;
    let comparison: VersionComparison = serde_json::from_value(comparison).unwrap();
    let per_version = durations().len() as u64 * 2;
    let versions =
        crate::common::get_route::<api::ReportVersions>(&app, &session.0, None, &NoQuery {}).await;
    let version = |version: &str| VersionRequests {
        version: version.to_owned(),
        requests: per_version,
    };
    assert_eq!(
        versions,
        [version("2"), version("1")],
        "the versions a report can compare, newest first"
    );
    assert_eq!(
        (comparison.version.as_str(), comparison.baseline.as_str()),
        ("2", "1")
    );
    assert_eq!(comparison.regressed, [users]);
    let told = hook.wait_for(1, Duration::from_secs(60)).await.unwrap();
    let told: Alert = serde_json::from_value(told[0].clone()).unwrap();
    assert_eq!(told.title, "Version 2 is slower than 1");
    assert_eq!(told.lines.len(), 1, "{:?}", told.lines);
    let line = &told.lines[0];
    assert!(
        line.starts_with("GET /users/{id}: median ")
            && line.contains(" in 1 → ")
            && line.contains(" in 2 (+"),
        "{line}"
    );
    assert!(
        told.link.starts_with("/dashboard/reports?report="),
        "{}",
        told.link
    );
    monitor.shutdown().await;
}
