//! The Prometheus exporter, driven through the router.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};

async fn dashboard(dir: &tempfile::TempDir, settings: &[(Key, &str)]) -> Dashboard {
    let mut builder = Dashboard::builder()
        .database(sqlite_in(dir))
        .password(PASSWORD);
    for (key, value) in settings {
        builder = builder.set(*key, *value);
    }
    builder.start().await.unwrap()
}

async fn scrape(app: &axum::Router, request: Request<Body>) -> (StatusCode, String, String) {
    let (status, headers, body) = send_for_text(app, request).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, body)
}

/// The value of the sample whose name and labels are exactly `series`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn no_metrics_unless_switched_on() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(&dir, &[]).await;
    let app = monitor.bind(app());
    assert_eq!(
        scrape(&app, get_request("/metrics")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn counts_every_request_by_method_route_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(&dir, &[(Key::Metrics, "true")]).await;
    let app = monitor.bind(app());
    for id in 0..3 {
        send(&app, get_request(&format!("/users/{id}"))).await;
    }
    send(&app, get_request("/fail")).await;
    for path in ["/nope", "/other/nope", "/nope?x=1"] {
        assert_eq!(send(&app, get_request(path)).await.0, StatusCode::NOT_FOUND);
    }
    let brew = Request::builder()
        .method("BREW")
        .uri("/users/1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, brew).await.0, StatusCode::METHOD_NOT_ALLOWED);
    send(&app, get_request("/dashboard/api/me")).await;

    let (status, content_type, text) = scrape(&app, get_request("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let users = "{http_request_method=\"GET\",http_route=\"/users/{id}\",http_response_status_code=\"200\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_count{users}")
        ),
        Some(3.0),
        "{text}"
    );
    let inf = "{http_request_method=\"GET\",http_route=\"/users/{id}\",http_response_status_code=\"200\",le=\"+Inf\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_bucket{inf}")
        ),
        Some(3.0)
    );
    let fail =
        "{http_request_method=\"GET\",http_route=\"/fail\",http_response_status_code=\"500\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_count{fail}")
        ),
        Some(1.0)
    );
    let unmatched =
        "{http_request_method=\"GET\",http_route=\"unmatched\",http_response_status_code=\"404\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_count{unmatched}")
        ),
        Some(3.0)
    );
    let brew = "{http_request_method=\"_OTHER\",http_route=\"/users/{id}\",http_response_status_code=\"405\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_count{brew}")
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        !text.contains("nope") && !text.contains("BREW") && !text.contains("/dashboard"),
        "{text}"
    );
    let count_lines = text
        .lines()
        .filter(|line| line.starts_with("http_server_request_duration_seconds_count"))
        .count();
    assert_eq!(count_lines, 4, "{text}");
    assert_eq!(value(&text, "http_server_active_requests"), Some(0.0));
    assert_eq!(
        value(&text, "service_info{service_version=\"1.0\"}"),
        Some(1.0)
    );
    assert!(value(&text, "process_resident_memory_bytes").unwrap() > 0.0);
    assert!(
        !text.contains("flask_request"),
        "legacy names are off by default"
    );

    monitor.shutdown().await;
    let text = scrape(&app, get_request("/metrics")).await.2;
    assert_eq!(
        value(&text, "dashboard_measurements_written_total"),
        Some(5.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "dashboard_measurements_dropped_total"),
        Some(0.0)
    );
    assert_eq!(value(&text, "dashboard_measurements_queued"), Some(0.0));
}

#[tokio::test]
async fn openmetrics_when_the_scraper_asks() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(&dir, &[(Key::Metrics, "true")]).await;
    let app = monitor.bind(app());
    send(&app, get_request("/users/1")).await;
    let request = Request::get("/metrics")
        .header(
            header::ACCEPT,
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )
        .body(Body::empty())
        .unwrap();
    let (status, content_type, text) = scrape(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(text.ends_with("# EOF\n"));
    assert!(
        text.contains("# TYPE dashboard_measurements_written counter\n"),
        "{text}"
    );
    assert!(text.contains("# TYPE service info\n"), "{text}");
}

#[tokio::test]
async fn a_token_guards_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(
        &dir,
        &[
            (Key::Metrics, "true"),
            (Key::MetricsToken, "s3cr3t-scrape-token"),
        ],
    )
    .await;
    let app = monitor.bind(app());
    assert_eq!(
        scrape(&app, get_request("/metrics")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let wrong = Request::get("/metrics")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(scrape(&app, wrong).await.0, StatusCode::UNAUTHORIZED);
    let right = Request::get("/metrics")
        .header(header::AUTHORIZATION, "Bearer s3cr3t-scrape-token")
        .body(Body::empty())
        .unwrap();
    let (status, _, text) = scrape(&app, right).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text.contains("s3cr3t-scrape-token"));
}

#[tokio::test]
async fn legacy_names_for_teams_migrating_from_flask() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(
        &dir,
        &[
            (Key::Metrics, "true"),
            (Key::MetricsLegacyNames, "true"),
            (Key::AppVersion, "v0.1.2"),
        ],
    )
    .await;
    let app = monitor.bind(app());
    for _ in 0..2 {
        send(&app, get_request("/users/1")).await;
    }
    send(&app, get_request("/fail")).await;
    let text = scrape(&app, get_request("/metrics")).await.2;
    let users = "{endpoint=\"/users/{id}\",method=\"GET\"}";
    assert_eq!(
        value(
            &text,
            &format!("flask_request_latency_seconds_count{users}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(&text, &format!("app_request_latency_seconds_count{users}")),
        Some(2.0)
    );
    let counted = "{endpoint=\"/fail\",http_status=\"500\",method=\"GET\"}";
    assert_eq!(
        value(&text, &format!("flask_request_count{counted}")),
        Some(1.0)
    );
    assert_eq!(
        value(&text, &format!("app_request_count_total{counted}")),
        Some(1.0)
    );
    assert_eq!(
        value(&text, "app_version_info{version=\"v0.1.2\"}"),
        Some(1.0)
    );
}

#[tokio::test]
async fn metrics_on_their_own_port_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(
        &dir,
        &[
            (Key::Metrics, "true"),
            (Key::MetricsPort, "127.0.0.1:0"),
            (Key::MetricsPath, "/prom"),
        ],
    )
    .await;
    let app = monitor.bind(axum::Router::new().route("/hello", get(|| async { "hi" })));
    assert_eq!(
        scrape(&app, get_request("/prom")).await.0,
        StatusCode::NOT_FOUND,
        "not on the app's router"
    );
    send(&app, get_request("/hello")).await;
    let address = monitor.metrics_address().expect("a metrics listener");
    assert!(address.ip().is_loopback() && address.port() != 0);
    let text = reqwest::get(format!("http://{address}/prom"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let hello =
        "{http_request_method=\"GET\",http_route=\"/hello\",http_response_status_code=\"200\"}";
    assert_eq!(
        value(
            &text,
            &format!("http_server_request_duration_seconds_count{hello}")
        ),
        Some(1.0),
        "{text}"
    );
    monitor.shutdown().await;
}

#[tokio::test]
async fn the_grafana_dashboard_uses_only_exported_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = dashboard(&dir, &[(Key::Metrics, "true")]).await;
    let app = monitor.bind(app());
    send(&app, get_request("/users/1")).await;
    monitor.shutdown().await;
    let text = scrape(&app, get_request("/metrics")).await.2;
    let exported: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split(['{', ' ']).next())
        .collect();

    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/grafana-dashboard.json");
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut used = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let names = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| {
                    ["http_server_", "process_", "dashboard_", "service_"]
                        .iter()
                        .any(|p| word.starts_with(p))
                });
            used.extend(names.map(str::to_owned));
        }
    }
    assert!(used.len() >= 10, "{used:?}");
    for name in &used {
        assert!(
            exported.contains(name.as_str()),
            "the dashboard queries {name}, which is not exported:\n{text}"
        );
    }
}
