//! The level-1 path, sessions and start-up against SQLite files.

use crate::common::*;
use axum::Router;
use axum::http::StatusCode;
use axum_monitoring_dashboard::{Dashboard, Key};
use dashboard_shared::api::CSRF_HEADER;

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite:///{}", dir.path().join("dashboard.db").display())
}

crate::on_every_database!(level_one_round_trip);

#[tokio::test]
async fn the_api_needs_a_session_and_answers_errors_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());

    let (status, _, body) = send(&app, get_request("/dashboard/api/overview")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");

    let (status, _, body) = send(&app, login_request("/dashboard", "admin", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "wrong username or password");
    let (status, _, unknown) = send(&app, login_request("/dashboard", "nobody", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown, body,
        "an unknown user answers like a wrong password"
    );

    let bad_json = axum::http::Request::post("/dashboard/api/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"username\": 3"))
        .unwrap();
    let (status, _, body) = send(&app, bad_json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_request");

    let (status, _, body) = send(&app, get_request("/dashboard/api/no-such-thing")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn me_reports_the_session_and_logout_needs_csrf_and_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());
    let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;

    let (status, _, me) = send(&app, with_cookie("GET", "/dashboard/api/me", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            me["username"].as_str(),
            me["role"].as_str(),
            me["csrf_token"].as_str()
        ),
        (Some("admin"), Some("admin"), Some(csrf.as_str()))
    );

    let (status, _, body) = send(&app, with_cookie("POST", "/dashboard/api/logout", &cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut logout = with_cookie("POST", "/dashboard/api/logout", &cookie);
    logout
        .headers_mut()
        .insert(CSRF_HEADER, csrf.parse().unwrap());
    let (status, headers, _) = send(&app, logout).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    let (status, _, _) = send(&app, with_cookie("GET", "/dashboard/api/me", &cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old session is over");
}

#[tokio::test]
async fn a_forged_session_cookie_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    // Change the first character of the signature.
    let signature = cookie.rfind('.').unwrap() + 1;
    let mut forged = cookie.clone();
    let replacement = if &cookie[signature..=signature] == "A" {
        "B"
    } else {
        "A"
    };
    forged.replace_range(signature..=signature, replacement);
    let (status, _, _) = send(&app, with_cookie("GET", "/dashboard/api/me", &forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_a_password_one_is_generated_once_and_works() {
    let dir = tempfile::tempdir().unwrap();
    let first = Dashboard::builder()
        .database(sqlite_url(&dir))
        .start()
        .await
        .unwrap();
    let password = first
        .generated_admin_password()
        .expect("a generated password")
        .to_owned();
    assert!(password.len() >= 20);
    let app = first.bind(Router::new());
    login(&app, "/dashboard", "admin", &password).await;
    let (status, _, _) = send(&app, login_request("/dashboard", "admin", "admin")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "there is no default password"
    );

    let second = Dashboard::builder()
        .database(sqlite_url(&dir))
        .start()
        .await
        .unwrap();
    assert_eq!(
        second.generated_admin_password(),
        None,
        "printed only at the first start"
    );
}

#[tokio::test]
async fn custom_link_moves_everything() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_url(&dir))
        .password(PASSWORD)
        .custom_link("ops/monitor")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(app());
    let (status, _, _) = send(&app, login_request("/dashboard", "admin", PASSWORD)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, headers, _) = send(&app, login_request("/ops/monitor", "admin", PASSWORD)).await;
    assert!(
        headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Path=/ops/monitor;")
    );
}

#[tokio::test]
async fn two_processes_starting_at_once_both_migrate_safely() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    // Two pools, as two processes would have: both start, one migrating after the other.
    tokio::join!(start(&url), start(&url));
}

#[tokio::test]
async fn bad_configuration_fails_start_with_a_clear_error() {
    let err = Dashboard::builder()
        .set(Key::MonitorLevel, "4")
        .start()
        .await
        .expect_err("an error");
    assert_eq!(
        err.to_string(),
        "builder: `MONITOR_LEVEL` must be a monitoring level 0, 1, 2 or 3, found \"4\""
    );
    let err = Dashboard::builder()
        .database("oracle://localhost/db")
        .start()
        .await
        .expect_err("an error");
    assert!(
        err.to_string()
            .contains("`oracle` is not a database this dashboard knows"),
        "{err}"
    );
}

#[tokio::test]
async fn table_prefix_names_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashboard.db");
    let monitor = Dashboard::builder()
        .database(sqlite_url(&dir))
        .password(PASSWORD)
        .table_prefix("acme_")
        .start()
        .await
        .unwrap();
    monitor.shutdown().await;
    let db = sea_orm::Database::connect(format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'",
        ))
        .await
        .unwrap();
    let names: Vec<String> = rows
        .iter()
        .map(|row| row.try_get("", "name").unwrap())
        .collect();
    assert!(names.len() >= 13 + 13, "{names:?}");
    // Apalis's job tables and their indexes carry no prefix (README, "Scheduled work").
    let apalis = |name: &str| {
        [
            "_sqlx_migrations",
            "Workers",
            "Jobs",
            "Idx",
            "WTIdx",
            "LSIdx",
            "LIdx",
        ]
        .contains(&name)
            || name.starts_with("idx_jobs_")
    };
    assert!(
        names
            .iter()
            .all(|name| name.starts_with("acme_") || apalis(name)),
        "{names:?}"
    );
    assert!(
        names.contains(&"acme_request".to_owned()) && names.contains(&"acme_migrations".to_owned()),
        "{names:?}"
    );
}

#[tokio::test]
async fn pages_are_served_at_the_link_with_and_without_a_slash() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());
    for uri in [
        "/dashboard",
        "/dashboard/",
        "/dashboard/overview",
        "/dashboard/login",
    ] {
        let (status, _, _) = send(&app, get_request(uri)).await;
        // 200 with a built frontend, 503 with a hint to build it otherwise; never 404.
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "{uri}: {status}"
        );
    }
    let (status, _, _) = send(&app, get_request("/dashboard/missing-file.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn routes_added_after_bind_are_measured_once_and_the_dashboard_never() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor
        .bind(app())
        .route("/late", axum::routing::get(|| async { "late" }))
        .layer(monitor.layer());
    send(&app, get_request("/users/7")).await;
    send(&app, get_request("/late")).await;
    send(&app, get_request("/late")).await;
    send(&app, get_request("/dashboard/api/me")).await;
    send(&app, get_request("/dashboard/")).await;
    monitor.shutdown().await;

    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let rows = overview(&app, &cookie).await;
    let hits: Vec<(&str, u64)> = rows
        .iter()
        .map(|row| (row.name.as_str(), row.hits_overall))
        .collect();
    assert_eq!(hits, [("GET /late", 2), ("GET /users/{id}", 1)]);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_needs_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());
    assert_eq!(
        send(&app, get_request("/dashboard/api/openapi.json"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, _, document) = send(
        &app,
        with_cookie("GET", "/dashboard/api/openapi.json", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["servers"][0]["url"], "/dashboard/api");
    let paths = document["paths"].as_object().unwrap();
    // Every route `dashboard_shared::api` declares is served with its method, as the live
    // document of this dashboard says.
    for (method, path) in dashboard_shared::api::all() {
        let method = method.as_str().to_lowercase();
        assert!(
            paths
                .get(path)
                .is_some_and(|item| item.get(&method).is_some()),
            "{method} {path} missing from {paths:?}"
        );
    }
    assert_eq!(paths["/login"]["post"]["tags"][0], "public");
    assert!(document["components"]["securitySchemes"]["session"].is_object());
}

#[tokio::test]
async fn failed_logins_are_throttled_without_revealing_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(Router::new());
    for _ in 0..5 {
        let (status, _, _) = send(&app, login_request("/dashboard", "admin", "wrong")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, body) = send(&app, login_request("/dashboard", "admin", PASSWORD)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(body["error"]["code"], "too_many_requests");
}

#[tokio::test]
async fn guests_with_several_passwords_read_but_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_url(&dir))
        .password(PASSWORD)
        .set(Key::GuestPassword, "['first-guest', 'second-guest']")
        .start()
        .await
        .unwrap();
    assert_eq!(monitor.generated_guest_password(), None);
    let app = monitor.bind(Router::new());
    for password in ["first-guest", "second-guest"] {
        let (cookie, _) = login(&app, "/dashboard", "guest", password).await;
        let (_, _, me) = send(&app, with_cookie("GET", "/dashboard/api/me", &cookie)).await;
        assert_eq!(me["role"], "guest");
    }
    let (status, _, _) = send(&app, login_request("/dashboard", "guest", "third")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_is_recorded_and_the_service_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_url(&dir)).await;
    let app = monitor.bind(app());
    assert_eq!(
        send(&app, get_request("/panic")).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        send(&app, get_request("/users/1")).await.0,
        StatusCode::OK,
        "the next request is served"
    );
    assert_eq!(
        send(&app, get_request("/items/not-a-number")).await.0,
        StatusCode::BAD_REQUEST
    );
    monitor.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let rows = overview(&app, &cookie).await;
    let row = |name: &str| rows.iter().find(|row| row.name == name).unwrap();
    let panic_row = row("GET /panic");
    assert_eq!((panic_row.hits_overall, panic_row.errors_overall), (1, 1));
    assert_eq!(
        row("GET /items/{id}").errors_overall,
        1,
        "an extractor's rejection is recorded as the client got it"
    );
}
