//! The export API (security token only) and the deployment details (never a secret).

use std::time::{Duration, Instant};

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{TimeZone, Utc};
use dashboard_shared::api;
use dashboard_shared::{ExportQuery, NoQuery};

const TOKEN: &str = "export-token-0123456789";

async fn exporting(dir: &tempfile::TempDir, token: Option<&str>) -> (Dashboard, Router) {
    let mut builder = Dashboard::builder()
        .database(sqlite_in(dir))
        .password(PASSWORD)
        .app_version("2.4.1");
    if let Some(token) = token {
        builder = builder.set(Key::SecurityToken, token);
    }
    let monitor = builder.start().await.unwrap();
    let app = monitor.bind(app());
    (monitor, app)
}

#[tokio::test]
async fn without_a_token_configured_export_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let (_monitor, app) = exporting(&dir, None).await;
    for uri in [
        "/dashboard/api/export/requests",
        "/dashboard/api/export/endpoints",
        "/dashboard/api/export/details",
    ] {
        assert_eq!(
            send(&app, with_token(uri, "anything")).await.0,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_wrong_token_waits_and_is_refused_and_sessions_do_not_open_export() {
    let dir = tempfile::tempdir().unwrap();
    let (_monitor, app) = exporting(&dir, Some(TOKEN)).await;
    let started = Instant::now();
    let (status, _, body) =
        send(&app, with_token("/dashboard/api/export/endpoints", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        started.elapsed() >= Duration::from_millis(240),
        "a wrong token waits"
    );
    assert_eq!(
        send(&app, get_request("/dashboard/api/export/endpoints"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, _, _) = send(
        &app,
        with_cookie("GET", "/dashboard/api/export/endpoints", &cookie),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the admin session is not the token"
    );
}

#[tokio::test]
async fn requests_are_exported_page_by_page_with_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let (monitor, app) = exporting(&dir, Some(TOKEN)).await;
    for id in 0..4 {
        send(&app, get_request(&format!("/users/{id}"))).await;
    }
    send(&app, get_request("/fail")).await;
    monitor.shutdown().await;

    let mut all = Vec::new();
    let mut query = ExportQuery {
        limit: Some(2),
        ..ExportQuery::default()
    };
    let mut pages = 0;
    loop {
        let page = export_route::<api::ExportRequests>(&app, TOKEN, &query).await;
        pages += 1;
        all.extend(page.requests);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!((all.len(), pages), (5, 3));
    let ids: Vec<i64> = all.iter().map(|request| request.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let first = &all[0];
    assert_eq!(first.endpoint, "GET /users/{id}");
    assert_eq!(
        (first.status_code, first.version_requested.as_str()),
        (200, "2.4.1")
    );
    assert!(first.duration_ms >= 0.0);
    assert_eq!(all[4].status_code, 500);

    let count = |query: ExportQuery| {
        let app = app.clone();
        async move {
            export_route::<api::ExportRequests>(&app, TOKEN, &query)
                .await
                .requests
                .len()
        }
    };
    let only_fail = ExportQuery {
        endpoint: Some("GET /fail".to_owned()),
        ..ExportQuery::default()
    };
    assert_eq!(count(only_fail).await, 1);
    let future = ExportQuery {
        from: Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).single(),
        ..ExportQuery::default()
    };
    assert_eq!(count(future).await, 0);
    let past = ExportQuery {
        to: Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single(),
        ..ExportQuery::default()
    };
    assert_eq!(count(past).await, 0);
    for bad in ["limit=0", "limit=10001", "cursor=abc", "from=yesterday"] {
        let (status, _, body) = send(
            &app,
            with_token(&format!("/dashboard/api/export/requests?{bad}"), TOKEN),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    let endpoints = export_route::<api::ExportEndpoints>(&app, TOKEN, &NoQuery {}).await;
    let names: Vec<&str> = endpoints.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["GET /fail", "GET /users/{id}"]);
    assert_eq!(endpoints[1].version_added, "2.4.1");

    let details = export_route::<api::ExportDetails>(&app, TOKEN, &NoQuery {}).await;
    assert_eq!(
        (details.total_requests, details.app_version.as_str()),
        (5, "2.4.1")
    );
    assert_eq!(details.first_request_version.as_deref(), Some("2.4.1"));
    assert!(details.export_enabled);
}

#[tokio::test]
async fn deployment_details_never_contain_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite:///{}",
        dir.path().join("secret-db-name.db").display()
    );
    let monitor = Dashboard::builder()
        .database(&database)
        .password(PASSWORD)
        .set(Key::SecurityToken, TOKEN)
        .set(Key::GuestPassword, "guest-secret-pw")
        .graph(
            "Users",
            axum_monitoring_dashboard::Schedule::cron("0 0 3 * * *"),
            || async { 1 },
        )
        .start()
        .await
        .unwrap();
    // A request to show on every endpoint view, stored before the views are read.
    let request = PastRequest::new(
        "GET",
        "/users/{id}",
        Utc::now(),
        Duration::from_millis(4),
        500,
    )
    .group_by("alice")
    .ip([192, 0, 2, 1].into());
    assert!(monitor.record_historical(request));
    let app = monitor.bind(app());
    // An exception group for the exception routes.
    send(&app, get_request("/fail")).await;
    monitor.shutdown().await;
    let (guest, _) = login(&app, "/dashboard", "guest", "guest-secret-pw").await;
    let responses = every_readable_response(&app, &guest).await;
    assert!(
        responses.len() >= 4,
        "every readable GET: {:?}",
        responses.iter().map(|(path, _)| path).collect::<Vec<_>>()
    );
    for (path, body) in &responses {
        for secret in [PASSWORD, TOKEN, "guest-secret-pw", "secret-db-name"] {
            assert!(
                !body.contains(secret),
                "a guest sees {secret} in GET {path}"
            );
        }
    }
    for (username, password) in [("admin", PASSWORD), ("guest", "guest-secret-pw")] {
        let (cookie, _) = login(&app, "/dashboard", username, password).await;
        let (status, _, details) = send(
            &app,
            with_cookie("GET", "/dashboard/api/deployment", &cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let text = details.to_string();
        for secret in [
            PASSWORD,
            TOKEN,
            "guest-secret-pw",
            "secret-db-name",
            &database,
        ] {
            assert!(!text.contains(secret), "{username} sees {secret} in {text}");
        }
        assert_eq!(details["database_backend"], "sqlite");
    }
}

#[tokio::test]
async fn group_by_values_are_rendered_null_when_absent_and_a_panic_costs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::SecurityToken, TOKEN)
        .group_by(|request| {
            let headers = request.headers();
            assert!(
                !headers.contains_key("x-panic"),
                "the group_by function broke"
            );
            let user: u32 = headers.get("x-user")?.to_str().ok()?.parse().ok()?;
            Some(("User", user))
        })
        .start()
        .await
        .unwrap();
    let app = monitor.bind(app());
    let with_header = |name: &str, value: &str| {
        Request::get("/users/1")
            .header(name, value)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&app, with_header("x-user", "42")).await.0,
        StatusCode::OK
    );
    assert_eq!(send(&app, get_request("/users/1")).await.0, StatusCode::OK);
    assert_eq!(
        send(&app, with_header("x-panic", "1")).await.0,
        StatusCode::OK,
        "served despite the panic"
    );
    monitor.shutdown().await;
    let page = export_route::<api::ExportRequests>(&app, TOKEN, &ExportQuery::default()).await;
    let groups: Vec<Option<&str>> = page
        .requests
        .iter()
        .map(|request| request.group_by.as_deref())
        .collect();
    assert_eq!(groups, [Some("(User,42)"), None, None]);
}

#[tokio::test]
async fn the_client_address_comes_from_trusted_proxies_only() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::SecurityToken, TOKEN)
        .set(Key::TrustedProxies, "['10.0.0.0/8']")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(app());
    let from = |peer: &str, forwarded_for: &str| {
        let mut request = Request::get("/users/1")
            .header("x-forwarded-for", forwarded_for)
            .body(Body::empty())
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            peer.parse::<std::net::SocketAddr>().unwrap(),
        ));
        request
    };
    send(&app, from("10.1.2.3:4000", "6.6.6.6, 198.51.100.7")).await;
    send(&app, from("203.0.113.9:4000", "6.6.6.6")).await;
    send(&app, get_request("/users/1")).await;
    monitor.shutdown().await;
    let page = export_route::<api::ExportRequests>(&app, TOKEN, &ExportQuery::default()).await;
    let ips: Vec<Option<&str>> = page
        .requests
        .iter()
        .map(|request| request.ip.as_deref())
        .collect();
    assert_eq!(ips, [Some("198.51.100.7"), Some("203.0.113.9"), None]);
}
