//! Level 2 and exceptions, end to end through the router: outliers are caught while they run and
//! name the span they are stuck in, secrets never reach the database, and panics, 5xx answers
//! and reported errors become grouped exceptions.

use std::collections::HashMap;
use std::time::Duration;

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Json, Query};
use axum::http::{Request, StatusCode, header};
use axum::routing::{get, post};
use axum_monitoring_dashboard::{Dashboard, Key, span_layer};
use dashboard_shared::api;
use dashboard_shared::{
    CursorQuery, ExceptionDetail, ExceptionGroups, ExceptionQuery, NoQuery, OutlierPage, PageQuery,
};
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

/// The query of the test routes: how long to take.
#[derive(serde::Deserialize)]
struct Delay {
    delay_ms: u64,
}

/// Where slow requests are stuck: the span the outlier must name.
#[tracing::instrument]
async fn stuck_in_helper(delay_ms: u64) {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
}

/// Reports a handled error from inside its span.
#[tracing::instrument]
async fn load_account() -> &'static str {
    let error = std::io::Error::other("account 1234 is locked");
    assert!(axum_monitoring_dashboard::capture_error(&error));
    "handled"
}

fn routes() -> Router {
    Router::new()
        .route(
            "/work",
            get(|Query(delay): Query<Delay>| async move {
                stuck_in_helper(delay.delay_ms).await;
                "done"
            }),
        )
        .route(
            "/login-form",
            post(
                |Query(delay): Query<Delay>, Form(_fields): Form<HashMap<String, String>>| async move {
                    stuck_in_helper(delay.delay_ms).await;
                    StatusCode::INTERNAL_SERVER_ERROR
                },
            ),
        )
        .route(
            "/login-json",
            post(|Query(delay): Query<Delay>, Json(_body): Json<Value>| async move {
                stuck_in_helper(delay.delay_ms).await;
                StatusCode::BAD_GATEWAY
            }),
        )
        .route(
            "/account",
            get(load_account),
        )
        .merge(app())
}

/// A level-2 dashboard where a request is an outlier past 10 × its endpoint's mean (a wide
/// margin: a 20 ms request would have to take 200 ms to be one by accident).
async fn level_two(database: &str) -> Dashboard {
    dashboard(database, 2).await
}

async fn dashboard(database: &str, level: u8) -> Dashboard {
    Dashboard::builder()
        .database(database)
        .password(PASSWORD)
        .set(Key::GuestPassword, "guest-password")
        .monitor_level(level)
        .set(Key::OutlierDetectionConstant, "10")
        .set(Key::OutlierMinSamples, "5")
        .start()
        .await
        .unwrap()
}

fn with_spans() -> tracing::subscriber::DefaultGuard {
    tracing::subscriber::set_default(tracing_subscriber::registry().with(span_layer()))
}

/// Gives each of `paths` a history of fast requests, stored by a first process, so that a second
/// process starts with their mean duration (read from the rollups).
async fn warm_up(database: &str, paths: &[(&str, &str)]) {
    let monitor = level_two(database).await;
    let app = monitor.bind(routes());
    for _ in 0..6 {
        for (method, path) in paths {
            send(&app, request(method, path)).await;
        }
    }
    monitor.shutdown().await;
}

fn request(method: &str, path: &str) -> Request<Body> {
    let builder = Request::builder().method(method).uri(path);
    match method {
        "POST" if path.starts_with("/login-form") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("user=ann&password=form-secret-value"))
            .unwrap(),
        "POST" => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"user": "ann", "profile": {"api_key": "json-secret-value"}}).to_string(),
            ))
            .unwrap(),
        _ => builder.body(Body::empty()).unwrap(),
    }
}

async fn admin(app: &Router) -> String {
    login(app, "/dashboard", "admin", PASSWORD).await.0
}

crate::on_every_database!(one_outlier_naming_its_span);

async fn one_outlier_naming_its_span(database: &str) {
    let _spans = with_spans();
    let database = database.to_owned();
    warm_up(&database, &[("GET", "/work?delay_ms=20")]).await;

    let monitor = level_two(&database).await;
    let app = monitor.bind(routes());
    for _ in 0..5 {
        assert_eq!(
            send_for_text(&app, request("GET", "/work?delay_ms=20"))
                .await
                .0,
            StatusCode::OK
        );
    }
    send_for_text(&app, request("GET", "/work?delay_ms=1000")).await;
    monitor.shutdown().await;

    let cookie = admin(&app).await;
    let id = endpoint_id(&app, &cookie, "GET /work").await;
    let page = outliers(&app, &cookie, id).await;
    assert_eq!(page.total, 1, "only the slow request: {page:?}");
    let outlier = &page.outliers[0];
    assert!(outlier.duration_ms >= 1000.0);
    assert_eq!(outlier.context.url, "/work?delay_ms=1000");
    assert_eq!(
        outlier.context.query,
        [["delay_ms".to_owned(), "1000".to_owned()]]
    );
    let stack: Vec<&str> = outlier
        .stack
        .iter()
        .map(|frame| frame.function.as_str())
        .collect();
    assert_eq!(stack, ["stuck_in_helper"], "{outlier:?}");
    assert_eq!(
        outlier.stack[0].module.as_deref(),
        Some("it::incidents"),
        "the frame names the helper's module"
    );
    let captured_after = outlier
        .context
        .environment
        .iter()
        .find(|[name, _]| name == "running when captured")
        .and_then(|[_, value]| value.strip_suffix(" ms")?.parse::<u64>().ok())
        .unwrap();
    assert!(
        (195..1000).contains(&captured_after),
        "captured while running, at 10 × the mean (each request sleeps 20 ms, so ≥ 200 ms): \
         {captured_after} ms"
    );
    assert!(!outlier.cpu.as_ref().unwrap().per_core.is_empty());
    assert!(outlier.memory.as_ref().unwrap().process > 0);
    assert_eq!(page.cpu.boxes[0].count, 1, "{:?}", page.cpu);
    assert_eq!(page.memory.unit, "MiB");
}

#[tokio::test]
async fn secrets_sent_anywhere_never_reach_the_database() {
    let _spans = with_spans();
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let paths = [
        ("POST", "/login-form?delay_ms=20"),
        ("POST", "/login-json?delay_ms=20"),
    ];
    warm_up(&database, &paths).await;
    let secrets = [
        "header-secret-value",
        "cookie-secret-value",
        "api-key-secret-value",
        "query-secret-value",
        "form-secret-value",
        "json-secret-value",
        "referer-secret-value",
        "original-uri-secret-value",
        "forwarded-uri-secret-value",
        "rewrite-url-secret-value",
        "x-authorization-secret-value",
    ];
    let monitor = level_two(&database).await;
    let app = monitor.bind(routes());
    // Slow (outliers) and failing (exceptions) at once; then fast and failing.
    for delay in [1000, 20] {
        for (method, path) in paths {
            let path = path.replace("delay_ms=20", &format!("delay_ms={delay}"));
            let mut request = request(
                method,
                &format!("{path}&access_token=query-secret-value&plain=visible-value"),
            );
            let headers = request.headers_mut();
            headers.insert(
                header::AUTHORIZATION,
                "Bearer header-secret-value".parse().unwrap(),
            );
            headers.insert(
                header::COOKIE,
                "session=cookie-secret-value".parse().unwrap(),
            );
            headers.insert("x-api-key", "api-key-secret-value".parse().unwrap());
            headers.insert("x-visible", "visible-header".parse().unwrap());
            // URLs inside header values, and an authorization header of another name.
            for (name, value) in [
                (
                    "referer",
                    "https://app/reset?token=referer-secret-value&page=2",
                ),
                ("x-original-uri", "/r?api_key=original-uri-secret-value"),
                ("x-forwarded-uri", "/r?session=forwarded-uri-secret-value"),
                ("x-rewrite-url", "/r?password=rewrite-url-secret-value"),
                ("x-authorization", "Bearer x-authorization-secret-value"),
            ] {
                headers.insert(name, value.parse().unwrap());
            }
            let status = send_for_text(&app, request).await.0;
            assert!(status.is_server_error());
        }
    }
    monitor.shutdown().await;

    let cookie = admin(&app).await;
    let form = endpoint_id(&app, &cookie, "POST /login-form").await;
    let page = outliers(&app, &cookie, form).await;
    assert_eq!(page.total, 1, "{page:?}");
    assert_eq!(
        page.outliers[0].context.body,
        Some(json!({"user": "ann", "password": "[redacted]"}))
    );
    let groups = exceptions(&app, &cookie, ExceptionQuery::default()).await;
    assert_eq!(
        groups.total, 2,
        "one group per failing endpoint: {groups:?}"
    );
    for group in &groups.groups {
        assert_eq!(group.count, 8, "6 warm-up and 2 here: {group:?}");
    }

    let mut stored = Vec::new();
    for file in std::fs::read_dir(dir.path()).unwrap() {
        stored.extend(std::fs::read(file.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    for secret in secrets {
        assert!(!stored.contains(secret), "{secret} was stored");
    }
    for kept in ["visible-value", "visible-header", "[redacted]", "ann"] {
        assert!(stored.contains(kept), "{kept} should be stored");
    }
}

#[tokio::test]
async fn panics_5xx_answers_and_reported_errors_are_grouped_exceptions() {
    let _spans = with_spans();
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let monitor = dashboard(&database, 1).await;
    let app = monitor.bind(routes());
    for _ in 0..2 {
        assert_eq!(
            send_for_text(&app, get_request("/panic")).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            send_for_text(&app, get_request("/users/1")).await.0,
            StatusCode::OK,
            "served normally after a panic"
        );
    }
    send_for_text(&app, get_request("/fail")).await;
    assert_eq!(
        send_for_text(&app, get_request("/account")).await.0,
        StatusCode::OK
    );
    monitor.shutdown().await;

    let cookie = admin(&app).await;
    let panic_endpoint = endpoint_id(&app, &cookie, "GET /panic").await;
    let errors = get_route::<api::EndpointErrors>(
        &app,
        &cookie,
        Some(panic_endpoint),
        &CursorQuery::default(),
    )
    .await;
    assert_eq!(
        errors.requests.len(),
        2,
        "panics are recorded as 500s: {errors:?}"
    );
    assert_eq!(errors.requests[0].status_code, 500);

    let groups = exceptions(&app, &cookie, ExceptionQuery::default()).await;
    assert_eq!(groups.total, 3, "{groups:?}");
    let group = |type_name: &str| {
        groups
            .groups
            .iter()
            .find(|group| group.type_name == type_name)
            .unwrap_or_else(|| panic!("{type_name} in {groups:?}"))
            .clone()
    };
    let panic = group("panic");
    assert_eq!(panic.count, 2);
    assert_eq!(panic.message, "the handler broke");
    assert_eq!(panic.endpoint.as_deref(), Some("GET /panic"));
    assert_eq!(panic.versions, ["1.0"]);
    assert_eq!(panic.daily.last(), Some(&2), "today's occurrences");
    assert_eq!(group("HTTP 500").message, "Internal Server Error");
    let reported = group("std::io::error::Error");
    assert_eq!(reported.message, "account 1234 is locked");

    let detail = exception(&app, &cookie, panic.id).await;
    assert!(
        detail
            .location
            .as_deref()
            .is_some_and(|location| location.contains("tests/it/common/mod.rs")),
        "{detail:?}"
    );
    assert_eq!(detail.occurrences.len(), 2);
    let detail = exception(&app, &cookie, reported.id).await;
    assert_eq!(detail.stack[0].function, "load_account", "{detail:?}");

    let only_panics = ExceptionQuery {
        endpoint: i32::try_from(panic_endpoint).ok(),
        ..ExceptionQuery::default()
    };
    assert_eq!(exceptions(&app, &cookie, only_panics).await.total, 1);
    for (uri, expected) in [
        ("/dashboard/api/exceptions?limit=0", StatusCode::BAD_REQUEST),
        (
            "/dashboard/api/exceptions?limit=101",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/dashboard/api/endpoints/9999/outliers",
            StatusCode::NOT_FOUND,
        ),
        ("/dashboard/api/exceptions/9999", StatusCode::NOT_FOUND),
    ] {
        let (status, _, body) = send(&app, with_cookie("GET", uri, &cookie)).await;
        assert_eq!(status, expected, "{uri}: {body}");
    }
    let second = ExceptionQuery {
        limit: Some(1),
        offset: Some(1),
        ..ExceptionQuery::default()
    };
    let one = exceptions(&app, &cookie, second).await;
    assert_eq!(
        (one.total, one.groups.len()),
        (3, 1),
        "the second of three groups"
    );

    let delete = |cookie: &str, csrf: Option<&str>| {
        let mut request = with_cookie(
            "DELETE",
            &format!("/dashboard/api/exceptions/{}", panic.id),
            cookie,
        );
        if let Some(csrf) = csrf {
            request
                .headers_mut()
                .insert(dashboard_shared::api::CSRF_HEADER, csrf.parse().unwrap());
        }
        request
    };
    let (guest, guest_csrf) = login(&app, "/dashboard", "guest", "guest-password").await;
    assert_eq!(
        send(&app, delete(&guest, Some(&guest_csrf))).await.0,
        StatusCode::FORBIDDEN
    );
    let (admin_cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
    assert_eq!(
        send(&app, delete(&admin_cookie, Some(&csrf))).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, delete(&admin_cookie, Some(&csrf))).await.0,
        StatusCode::NOT_FOUND
    );
    let groups = exceptions(&app, &cookie, ExceptionQuery::default()).await;
    assert_eq!(groups.total, 2);
}

/// The first page of endpoint `id`'s outliers.
async fn outliers(app: &Router, cookie: &str, id: i64) -> OutlierPage {
    get_route::<api::EndpointOutliers>(app, cookie, Some(id), &PageQuery::default()).await
}

/// A page of exception groups.
async fn exceptions(app: &Router, cookie: &str, query: ExceptionQuery) -> ExceptionGroups {
    get_route::<api::Exceptions>(app, cookie, None, &query).await
}

/// One exception group with its occurrences.
async fn exception(app: &Router, cookie: &str, id: i64) -> ExceptionDetail {
    get_route::<api::Exception>(app, cookie, Some(id), &NoQuery {}).await
}
