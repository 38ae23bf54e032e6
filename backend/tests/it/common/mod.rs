//! Helpers shared by the backend's integration tests: a monitored app driven with `oneshot`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod views;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::{get, post};
use axum_monitoring_dashboard::{Dashboard, DashboardBuilder};
use dashboard_shared::api::{self, Route};
use dashboard_shared::{InstanceQuery, OverviewRow};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub(crate) const PASSWORD: &str = "integration-password";

/// The URL of a SQLite file `d.db` in the temporary folder `dir`.
pub(crate) fn sqlite_in(dir: &tempfile::TempDir) -> String {
    format!("sqlite:///{}", dir.path().join("d.db").display())
}

/// The URL of a SQLite file in `dir` (as [`sqlite_in`]), and a connection of the test's own to
/// it, for rows no API writes.
pub(crate) async fn sqlite_with_connection(
    dir: &tempfile::TempDir,
) -> (String, sea_orm::DatabaseConnection) {
    let path = dir.path().join("d.db");
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    (sqlite_in(dir), db)
}

/// A builder on `database` with the test admin password.
pub(crate) fn builder(database: &str) -> DashboardBuilder {
    Dashboard::builder().database(database).password(PASSWORD)
}

/// A dashboard on `database` with the test admin password.
pub(crate) async fn start(database: &str) -> Dashboard {
    builder(database).start().await.unwrap()
}

/// Why `builder` refuses to start.
pub(crate) async fn start_error(builder: DashboardBuilder) -> String {
    builder
        .start()
        .await
        .expect_err("the start should fail")
        .to_string()
}

/// Declares the module `$body` of three tests that run `$body(database_url)`: `sqlite` on a
/// fresh SQLite file, `postgres` on a fresh PostgreSQL database and `mysql` on a fresh MariaDB
/// (or MySQL) database, the servers `cargo xtask test` starts.
#[macro_export]
macro_rules! on_every_database {
    ($body:ident) => {
        $crate::on_databases!($body: sqlite, postgres, mysql);
    };
}

/// [`on_every_database`] for the tests that only apply to SQLite and PostgreSQL (the upgrade
/// of databases from before MySQL was supported).
#[macro_export]
macro_rules! on_sqlite_and_postgres {
    ($body:ident) => {
        $crate::on_databases!($body: sqlite, postgres);
    };
}

/// The module `$body` with a test of `$body` per database named.
#[macro_export]
macro_rules! on_databases {
    ($body:ident: $($database:ident),+) => {
        mod $body {
            $($crate::database_test!($body, $database);)+
        }
    };
}

/// The test named after its database that runs `super::$body` on a fresh database there.
#[macro_export]
macro_rules! database_test {
    ($body:ident, sqlite) => {
        #[tokio::test]
        async fn sqlite() {
            let dir = tempfile::tempdir().unwrap();
            super::$body(&$crate::common::sqlite_in(&dir)).await;
        }
    };
    ($body:ident, postgres) => {
        #[tokio::test]
        #[ignore = "needs PostgreSQL: run `cargo xtask test`"]
        async fn postgres() {
            super::$body(&$crate::common::fresh_database().await).await;
        }
    };
    ($body:ident, mysql) => {
        #[tokio::test]
        #[ignore = "needs MariaDB: run `cargo xtask test`"]
        async fn mysql() {
            super::$body(&$crate::common::fresh_mysql_database().await).await;
        }
    };
}

/// A small app: a route with a parameter, one that fails, one that changes something.
pub(crate) fn app() -> Router {
    Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .route("/fail", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/orders", post(|| async { StatusCode::CREATED }))
        .route("/panic", get(panicking_handler))
        .route(
            "/items/{id}",
            get(|axum::extract::Path(id): axum::extract::Path<u32>| async move { id.to_string() }),
        )
}

async fn panicking_handler() -> &'static str {
    panic!("the handler broke")
}

/// Sends one request through the router.
pub(crate) async fn send(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, body)
}

/// Sends one request and returns its status, headers and body as text.
pub(crate) async fn send_for_text(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

pub(crate) fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub(crate) fn login_request(prefix: &str, username: &str, password: &str) -> Request<Body> {
    Request::post(format!("{prefix}/api/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "username": username, "password": password }).to_string(),
        ))
        .unwrap()
}

/// Logs in and returns the cookie pair and the CSRF token.
pub(crate) async fn login(
    app: &Router,
    prefix: &str,
    username: &str,
    password: &str,
) -> (String, String) {
    let (status, headers, body) = send(app, login_request(prefix, username, password)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    (pair, body["csrf_token"].as_str().unwrap().to_owned())
}

/// A GET with the export API's bearer token.
pub(crate) fn with_token(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

pub(crate) fn with_cookie(method: &str, uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// The level-1 path against any database: requests in, rows and rollups stored, overview out.
pub(crate) async fn level_one_round_trip(database: &str) {
    let monitor = start(database).await;
    let app = monitor.bind(app());
    for id in 0..3 {
        assert_eq!(
            send(&app, get_request(&format!("/users/{id}"))).await.0,
            StatusCode::OK
        );
    }
    for _ in 0..2 {
        assert_eq!(
            send(&app, get_request("/fail")).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    assert_eq!(
        send(&app, get_request("/not/a/route")).await.0,
        StatusCode::NOT_FOUND
    );
    monitor.shutdown().await;

    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let rows = overview(&app, &cookie).await;
    assert_eq!(
        rows.len(),
        2,
        "unmatched requests make no endpoint: {rows:?}"
    );
    let fail = &rows[0];
    assert_eq!(fail.name, "GET /fail");
    assert_eq!(
        (fail.hits_today, fail.hits_week, fail.hits_overall),
        (2, 2, 2)
    );
    assert_eq!((fail.errors_today, fail.errors_overall), (2, 2));
    let users = &rows[1];
    assert_eq!(users.name, "GET /users/{id}");
    assert_eq!(
        (users.method.as_str(), users.route.as_str()),
        ("GET", "/users/{id}")
    );
    assert_eq!(users.monitor_level, 1);
    assert_eq!((users.hits_overall, users.errors_overall), (3, 0));
    let median = users.median_overall_ms.unwrap();
    assert!(median > 0.0 && median < 1000.0, "{median}");
    assert!(users.last_requested.is_some());
    assert_eq!(monitor.dropped_measurements(), 0);
}

/// A request with the session cookie, the CSRF header and a JSON body.
pub(crate) fn json_request(
    method: &str,
    uri: &str,
    cookie: &str,
    csrf: &str,
    body: Value,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(dashboard_shared::api::CSRF_HEADER, csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Sends the route `R` (for the resource `id`) with `body` as `cookie` with its CSRF token:
/// the status and the JSON answer.
pub(crate) async fn call_route<R: Route>(
    app: &Router,
    (cookie, csrf): (&str, &str),
    id: Option<i64>,
    body: &R::Body,
) -> (StatusCode, Value) {
    let uri = route_uri::<R>(id, &serde_json::from_value(json!({})).unwrap());
    let body = serde_json::to_value(body).unwrap();
    let (status, _, answer) = send(
        app,
        json_request(R::METHOD.as_str(), &uri, cookie, csrf, body),
    )
    .await;
    (status, answer)
}

/// Calls every readable `GET` operation of the OpenAPI document as `cookie` and returns the
/// bodies, to check what a caller can see.
pub(crate) async fn every_readable_response(app: &Router, cookie: &str) -> Vec<(String, String)> {
    let (_, _, document) = send(
        app,
        with_cookie("GET", "/dashboard/api/openapi.json", cookie),
    )
    .await;
    let (_, _, overview) = send(app, with_cookie("GET", "/dashboard/api/overview", cookie)).await;
    // Endpoint routes are read for the first endpoint, exception routes for the latest group,
    // custom graph routes for the first graph; the caller made sure there are all three.
    let endpoint = overview[0]["id"].to_string();
    let (_, _, exceptions) =
        send(app, with_cookie("GET", "/dashboard/api/exceptions", cookie)).await;
    let group = exceptions["groups"][0]["id"].to_string();
    let (_, _, graphs) = send(
        app,
        with_cookie("GET", "/dashboard/api/custom-graphs", cookie),
    )
    .await;
    let graph = graphs[0]["id"]
        .as_i64()
        .expect("the caller registers a custom graph")
        .to_string();
    let mut responses = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        if operations
            .get("get")
            .is_some_and(|op| op["tags"][0] == "read")
        {
            let id = if path.starts_with("/exceptions/") {
                &group
            } else if path.starts_with("/custom-graphs/") {
                &graph
            } else {
                &endpoint
            };
            let uri = format!("/dashboard/api{}", path.replace("{id}", id));
            let response = app
                .clone()
                .oneshot(with_cookie("GET", &uri, cookie))
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "GET {path}: {}",
                response.status()
            );
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            responses.push((path.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    responses
}

/// A fresh database on the test PostgreSQL server (`DASHBOARD_TEST_POSTGRES_URL`, started by
/// `cargo xtask test`), so runs never see each other's rows.
pub(crate) async fn fresh_database() -> String {
    fresh_database_on("DASHBOARD_TEST_POSTGRES_URL").await
}

/// A fresh database on the test MariaDB server (`DASHBOARD_TEST_MYSQL_URL`, started by `cargo
/// xtask test`).
pub(crate) async fn fresh_mysql_database() -> String {
    fresh_database_on("DASHBOARD_TEST_MYSQL_URL").await
}

/// A fresh database on the server the environment variable `server` names.
async fn fresh_database_on(server: &str) -> String {
    use sea_orm::ConnectionTrait;
    let url = std::env::var(server).unwrap_or_else(|_| panic!("{server}: run `cargo xtask test`"));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("dashboard_test_{}_{nanos}", std::process::id());
    let admin = sea_orm::Database::connect(&url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// `GET uri` as `cookie`, which must answer 200 with JSON.
pub(crate) async fn get_json(app: &Router, cookie: &str, uri: &str) -> Value {
    let (status, _, body) = send(app, with_cookie("GET", uri, cookie)).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// `GET uri` as JSON once `done` holds for it, read every 100 ms for at most 20 s: for what
/// scheduled jobs write, which nothing announces.
pub(crate) async fn get_json_once(
    app: &Router,
    cookie: &str,
    uri: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..200 {
        let body = get_json(app, cookie, uri).await;
        if done(&body) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{uri} did not get there in 20 s");
}

/// The URI of the route `R` of `dashboard_shared::api` under `/dashboard/api`, for the resource
/// `id` when its path has one, with `query`.
pub(crate) fn route_uri<R: Route>(id: Option<i64>, query: &R::Query) -> String {
    let path = id.map_or_else(|| R::PATH.to_owned(), R::path_of);
    let query = serde_urlencoded::to_string(query).unwrap();
    if query.is_empty() {
        format!("/dashboard/api{path}")
    } else {
        format!("/dashboard/api{path}?{query}")
    }
}

/// `body`, which `uri` answered with 200, read as the answer of the route `R`.
fn answer_of<R: Route>(uri: &str, status: StatusCode, body: Value) -> R::Response {
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_value(body.clone())
        .unwrap_or_else(|error| panic!("{uri} answered no {}: {error}: {body}", R::PATH))
}

/// `GET` the route `R` (for the resource `id`, with `query`) as `cookie`, which must answer 200:
/// the route's answer, read as its DTO.
pub(crate) async fn get_route<R: Route>(
    app: &Router,
    cookie: &str,
    id: Option<i64>,
    query: &R::Query,
) -> R::Response {
    let uri = route_uri::<R>(id, query);
    let (status, _, body) = send(app, with_cookie("GET", &uri, cookie)).await;
    answer_of::<R>(&uri, status, body)
}

/// `GET` the export route `R` with `query` and the security token, which must answer 200: the
/// route's answer, read as its DTO.
pub(crate) async fn export_route<R: Route>(
    app: &Router,
    token: &str,
    query: &R::Query,
) -> R::Response {
    let uri = route_uri::<R>(None, query);
    let (status, _, body) = send(app, with_token(&uri, token)).await;
    answer_of::<R>(&uri, status, body)
}

/// The overview's rows, as `cookie` reads them.
pub(crate) async fn overview(app: &Router, cookie: &str) -> Vec<OverviewRow> {
    get_route::<api::Overview>(app, cookie, None, &InstanceQuery::default()).await
}

/// The id of the endpoint `name` (e.g. `GET /users/{id}`), from the overview.
pub(crate) async fn endpoint_id(app: &Router, cookie: &str, name: &str) -> i64 {
    let overview = overview(app, cookie).await;
    overview
        .iter()
        .find(|row| row.name == name)
        .unwrap_or_else(|| panic!("{name} in {overview:?}"))
        .id
}

/// Runs the test `test` of this test binary as a process of its own with the environment
/// variable `variable` set to `value` (which makes that test do its part instead of returning),
/// once it says `ready` on its standard output. Closing its standard input tells it to stop.
pub(crate) fn spawn_test_process(test: &str, variable: &str, value: &str) -> std::process::Child {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            test,
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(variable, value)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines
            .next()
            .expect("the process ended before it was ready")
            .unwrap();
        // The harness may print `test … ` on the same line first.
        if line.trim_end().ends_with("ready") {
            break;
        }
    }
    // Keep reading, so the process can still write its test report.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

/// Records `count` past `GET route` requests at `time` that took `ms` milliseconds and answered
/// 200; each must be queued.
pub(crate) fn record_gets(
    monitor: &Dashboard,
    route: &str,
    time: chrono::DateTime<chrono::Utc>,
    count: usize,
    ms: u64,
) {
    for _ in 0..count {
        assert!(
            monitor.record_historical(axum_monitoring_dashboard::PastRequest::new(
                "GET",
                route,
                time,
                std::time::Duration::from_millis(ms),
                200,
            ))
        );
    }
}
