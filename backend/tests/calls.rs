//! Statements and outgoing calls, end to end: an application with a database of its own
//! (through sqlx) and an upstream (called with `reqwest` through the dashboard's middleware),
//! monitored at level 2; then what the dashboard stored, read through its API.
//!
//! Its own test binary: sqlx's SQLite driver reports statements from its worker threads, so the
//! dashboard's layer must be in the global subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use std::sync::Once;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum_monitoring_dashboard::{DashboardMiddleware, Key};
use dashboard_shared::api;
use dashboard_shared::{
    ChartQuery, DependencyKind, DependencyList, DependencyQuery, DependencyRow, ExceptionQuery,
    ExportQuery, NoQuery, PageQuery,
};
use sqlx::{PgPool, SqlitePool};
use tracing_subscriber::prelude::*;

use crate::common::*;

/// The secret a client sends and the application writes into its own database in a statement's
/// text: it must never reach the dashboard's.
const SECRET: &str = "pa55-Wo7d-0f-the-Client";

/// Authors in the application's database: the N+1 route runs one statement per author.
const AUTHORS: i64 = 6;

/// The export token of these tests.
const TOKEN: &str = "calls-export-token-0123456789";

/// The subscriber the README shows: a log layer with its own filter (at `info`, so sqlx's
/// statements, logged at `debug`, are not its) and the dashboard's layer.
fn install_subscriber() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::sink)
                    .with_filter(tracing_subscriber::filter::LevelFilter::INFO),
            )
            .with(axum_monitoring_dashboard::span_layer())
            .init();
    });
}

/// The application's own database.
#[derive(Clone)]
enum AppDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl AppDb {
    /// A placeholder in this database's syntax.
    fn bind(&self, position: usize) -> String {
        match self {
            AppDb::Sqlite(_) => "?".to_owned(),
            AppDb::Postgres(_) => format!("${position}"),
        }
    }

    async fn execute(&self, sql: &str, binds: &[i64]) {
        match self {
            AppDb::Sqlite(pool) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                for bind in binds {
                    query = query.bind(*bind);
                }
                query.execute(pool).await.unwrap();
            }
            AppDb::Postgres(pool) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                for bind in binds {
                    query = query.bind(*bind);
                }
                query.execute(pool).await.unwrap();
            }
        }
    }

    async fn ids(&self, sql: &str) -> Vec<i64> {
        match self {
            AppDb::Sqlite(pool) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_all(pool)
                .await
                .unwrap(),
            AppDb::Postgres(pool) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_all(pool)
                .await
                .unwrap(),
        }
    }

    async fn seed(&self) {
        let serial = match self {
            AppDb::Sqlite(_) => "INTEGER PRIMARY KEY",
            AppDb::Postgres(_) => "BIGSERIAL PRIMARY KEY",
        };
        self.execute(
            &format!("CREATE TABLE authors (id {serial}, name TEXT NOT NULL)"),
            &[],
        )
        .await;
        self.execute(
            &format!("CREATE TABLE books (id {serial}, author_id BIGINT NOT NULL, title TEXT)"),
            &[],
        )
        .await;
        self.execute(
            &format!("CREATE TABLE notes (id {serial}, body TEXT NOT NULL)"),
            &[],
        )
        .await;
        for author in 1..=AUTHORS {
            self.execute(
                &format!(
                    "INSERT INTO authors (id, name) VALUES ({}, 'author')",
                    self.bind(1)
                ),
                &[author],
            )
            .await;
        }
    }
}

#[derive(Clone)]
struct App {
    db: AppDb,
    client: reqwest_middleware::ClientWithMiddleware,
    upstream: String,
}

/// Exactly three statements.
async fn three(State(app): State<App>) -> &'static str {
    app.db.execute("SELECT 1", &[]).await;
    app.db.ids("SELECT id FROM authors").await;
    app.db
        .execute(
            &format!("SELECT title FROM books WHERE id = {}", app.db.bind(1)),
            &[1],
        )
        .await;
    "three"
}

/// The N+1 loop: the authors, then one statement per author.
async fn authors(State(app): State<App>) -> String {
    let ids = app.db.ids("SELECT id FROM authors ORDER BY id").await;
    for id in &ids {
        app.db
            .execute(
                &format!(
                    "SELECT title FROM books WHERE author_id = {}",
                    app.db.bind(1)
                ),
                &[*id],
            )
            .await;
    }
    ids.len().to_string()
}

/// A statement with its value written into the text.
async fn note(State(app): State<App>, Path(id): Path<i64>) -> &'static str {
    app.db
        .ids(&format!("SELECT id FROM notes WHERE id = {id}"))
        .await;
    "note"
}

#[derive(serde::Deserialize)]
struct NewNote {
    body: String,
}

/// Writes what the client sent into the statement's text (as careless applications do).
async fn add_note(State(app): State<App>, Query(note): Query<NewNote>) -> StatusCode {
    let body = note.body.replace('\'', "''");
    app.db
        .execute(&format!("INSERT INTO notes (body) VALUES ('{body}')"), &[])
        .await;
    StatusCode::CREATED
}

/// Two calls to the upstream, one it answers 503.
async fn profile(State(app): State<App>) -> &'static str {
    for path in ["/users/42?key=s3cret", "/users/7", "/broken"] {
        app.client
            .get(format!("{}{path}", app.upstream))
            .send()
            .await
            .unwrap();
    }
    "profile"
}

#[derive(serde::Deserialize)]
struct Stuck {
    slow: Option<bool>,
}

/// Reads the authors, waits when asked to (long enough to become an outlier), then reads a
/// book: the outlier card lists only what came before it was caught.
async fn stuck(State(app): State<App>, Query(stuck): Query<Stuck>) -> &'static str {
    app.db.ids("SELECT id FROM authors").await;
    if stuck.slow == Some(true) {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    app.db
        .execute(
            &format!("SELECT title FROM books WHERE id = {}", app.db.bind(1)),
            &[1],
        )
        .await;
    "stuck"
}

/// Reads the authors, then fails: an exception whose detail lists the statement.
async fn failing(State(app): State<App>) -> StatusCode {
    app.db.ids("SELECT id FROM authors").await;
    StatusCode::INTERNAL_SERVER_ERROR
}

/// A driver and a client the dashboard does not know, reporting through the public API.
async fn reported() -> &'static str {
    let took = std::time::Duration::from_millis(3);
    assert!(axum_monitoring_dashboard::record_query(
        "PostgreSQL",
        "UPDATE accounts SET balance = 10 WHERE owner = 'ann'",
        took,
        1
    ));
    assert!(axum_monitoring_dashboard::record_call(
        &axum::http::Method::POST,
        "https://payments.example.com/v2/charges/ch_81a9c?api_key=s3cret",
        None,
        took
    ));
    "reported"
}

fn application(app: App) -> Router {
    Router::new()
        .route("/reported", get(reported))
        .route("/three", get(three))
        .route("/failing", get(failing))
        .route("/stuck", get(stuck))
        .route("/authors", get(authors))
        .route("/notes/{id}", get(note))
        .route("/notes", post(add_note))
        .route("/profile", get(profile))
        .with_state(app)
}

/// A local upstream on a free port, stopped when the guard is dropped.
struct Upstream {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn upstream() -> Upstream {
    let router = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .route("/broken", get(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Upstream { url, task }
}

fn the<'a>(list: &'a DependencyList, name: &str) -> &'a DependencyRow {
    list.rows
        .iter()
        .find(|row| row.name == name)
        .unwrap_or_else(|| panic!("no {name:?} in {:#?}", list.rows))
}

/// Serves every route of [`application`] on `app_db`, monitored at level 2 on `dashboard_db`,
/// and checks what was stored.
async fn calls_end_to_end(
    dashboard_db: &str,
    app_db: AppDb,
) -> axum_monitoring_dashboard::Dashboard {
    install_subscriber();
    app_db.seed().await;
    let upstream = upstream().await;
    let monitor = builder(dashboard_db)
        .monitor_level(2)
        .set(Key::SlowQuery, "0")
        .set(Key::OutlierMinSamples, "3")
        .set(Key::Metrics, "true")
        .set(Key::SecurityToken, TOKEN)
        .start()
        .await
        .unwrap();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(DashboardMiddleware)
        .build();
    let app = monitor.bind(application(App {
        db: app_db.clone(),
        client,
        upstream: upstream.url.clone(),
    }));
    // Outside a monitored request nothing is recorded.
    assert!(!axum_monitoring_dashboard::record_query(
        "sqlite",
        "SELECT 1",
        std::time::Duration::ZERO,
        0
    ));
    for uri in [
        "/three",
        "/authors",
        "/notes/42",
        "/notes/7",
        "/profile",
        "/reported",
    ] {
        assert_eq!(
            send(&app, get_request(uri)).await.0,
            StatusCode::OK,
            "{uri}"
        );
    }
    assert_eq!(
        send(&app, get_request("/failing")).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // Three quick ones make the endpoint's mean, stored before the slow one starts.
    for _ in 0..3 {
        assert_eq!(send(&app, get_request("/stuck")).await.0, StatusCode::OK);
    }
    while monitor.stored_measurements() < 3 + 7 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        send(&app, get_request("/stuck?slow=true")).await.0,
        StatusCode::OK
    );
    let add = Request::post(format!("/notes?body={SECRET}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, add).await.0, StatusCode::CREATED);
    monitor.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;

    // Counts per request are exact.
    let exported = export_route::<api::ExportRequests>(&app, TOKEN, &ExportQuery::default()).await;
    let counts: Vec<(String, u64, u64)> = exported
        .requests
        .iter()
        .map(|request| {
            (
                request.endpoint.clone(),
                request.query_count,
                request.call_count,
            )
        })
        .collect();
    for expected in [
        ("GET /three", 3, 0),
        ("GET /authors", 1 + AUTHORS as u64, 0),
        ("GET /notes/{id}", 1, 0),
        ("POST /notes", 1, 0),
        ("GET /profile", 0, 3),
        ("GET /failing", 1, 0),
        ("GET /reported", 1, 1),
    ] {
        assert!(
            counts.iter().any(
                |(endpoint, queries, calls)| (endpoint.as_str(), *queries, *calls) == expected
            ),
            "{expected:?} in {counts:?}"
        );
    }

    let statements =
        get_route::<api::Dependencies>(&app, &cookie, None, &DependencyQuery::default()).await;
    // The N+1 statement, flagged, with its count.
    let per_author = the(&statements, "SELECT title FROM books WHERE author_id = ?");
    assert_eq!(
        (per_author.calls, per_author.requests, per_author.n_plus_one),
        (AUTHORS as u64, 1, 1)
    );
    assert_eq!(per_author.endpoints[0].name, "GET /authors");
    assert_eq!(per_author.operation, "SELECT");
    // `WHERE id = 42` and `WHERE id = 7`: one statement.
    let by_id = the(&statements, "SELECT id FROM notes WHERE id = ?");
    assert_eq!((by_id.calls, by_id.requests, by_id.n_plus_one), (2, 2, 0));
    the(&statements, "INSERT INTO notes (body) VALUES (?)");
    // Only the application's statements: none of the dashboard's own.
    assert!(
        statements
            .rows
            .iter()
            .all(|row| !row.name.contains("dashboard_")),
        "{:#?}",
        statements.rows
    );
    // The reported statement, named by its driver, blanked like the others.
    let update = the(
        &statements,
        "UPDATE accounts SET balance = ? WHERE owner = ?",
    );
    assert_eq!(
        (update.system.as_str(), update.operation.as_str()),
        ("postgresql", "UPDATE")
    );
    assert_eq!(statements.rows.len(), 8, "{:#?}", statements.rows);

    // The outlier card lists what its request had run when it was caught: the authors, not the
    // book it read after its wait.
    let stuck_id = overview(&app, &cookie)
        .await
        .into_iter()
        .find(|row| row.name == "GET /stuck")
        .unwrap()
        .id;
    let outliers =
        get_route::<api::EndpointOutliers>(&app, &cookie, Some(stuck_id), &PageQuery::default())
            .await;
    let caught: Vec<Vec<(&str, u64)>> = outliers
        .outliers
        .iter()
        .map(|card| {
            card.calls
                .iter()
                .map(|call| (call.name.as_str(), call.count))
                .collect()
        })
        .collect();
    assert_eq!(caught, [[("SELECT id FROM authors", 1)]]);

    // The exception's detail lists what its request ran.
    let groups =
        get_route::<api::Exceptions>(&app, &cookie, None, &ExceptionQuery::default()).await;
    let failed = groups
        .groups
        .iter()
        .find(|group| group.endpoint.as_deref() == Some("GET /failing"))
        .expect("the failing request's exception");
    let detail = get_route::<api::Exception>(&app, &cookie, Some(failed.id), &NoQuery {}).await;
    let listed: Vec<(&str, u64)> = detail
        .calls
        .iter()
        .map(|call| (call.name.as_str(), call.count))
        .collect();
    assert_eq!(listed, [("SELECT id FROM authors", 1)]);

    let authors_id = overview(&app, &cookie)
        .await
        .into_iter()
        .find(|row| row.name == "GET /authors")
        .unwrap()
        .id;
    let summary =
        get_route::<api::EndpointCalls>(&app, &cookie, Some(authors_id), &ChartQuery::default())
            .await;
    assert_eq!(summary.flagged_requests, 1);
    assert_eq!(summary.n_plus_one[0].count, AUTHORS as u64);
    assert_eq!(summary.n_plus_one[0].statement, per_author.name);
    assert_eq!(summary.queries_per_request.median, 1 + AUTHORS as u64);
    assert!(summary.query_ms > 0.0 && summary.query_ms <= summary.request_ms);
    // Level 2 with SLOW_QUERY_MS = 0: every statement is slow, and keeps a sample.
    assert_eq!(summary.slow.len(), 1 + AUTHORS as usize);

    let upstreams = get_route::<api::Dependencies>(
        &app,
        &cookie,
        None,
        &DependencyQuery {
            kind: DependencyKind::Http,
            ..DependencyQuery::default()
        },
    )
    .await;
    let users = the(&upstreams, "/users/{id}");
    assert_eq!(
        (users.operation.as_str(), users.calls, users.server_errors),
        ("GET", 2, 0)
    );
    assert_eq!(users.system, upstream.url.trim_start_matches("http://"));
    assert_eq!(the(&upstreams, "/broken").server_errors, 1);
    let charges = the(&upstreams, "/v2/charges/{id}");
    assert_eq!(
        (
            charges.system.as_str(),
            charges.operation.as_str(),
            charges.failed
        ),
        ("payments.example.com", "POST", 1)
    );

    // The exporter's statement histogram: bounded labels, no statement text.
    let (_, _, metrics) = send_for_text(&app, get_request("/metrics")).await;
    let system = per_author.system.clone();
    let count = |operation: &str| {
        let series = format!(
            "db_client_operation_duration_seconds_count{{db_operation=\"{operation}\",db_system=\"{system}\"}} "
        );
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(&series))
            .unwrap_or_else(|| panic!("no {series} in {metrics}"))
            .to_owned()
    };
    // /three 3, /authors 1 + 6, the two notes 2, /failing 1, /stuck 4 × 2: 21 SELECTs and one
    // INSERT.
    assert_eq!(
        (count("SELECT").as_str(), count("INSERT").as_str()),
        ("21", "1")
    );
    assert!(!metrics.contains("books"), "{metrics}");
    monitor
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_and_calls_of_requests_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    // One connection, opened while seeding: a connection opened inside a request runs its
    // set-up statements there (and they count, as they should).
    let app_db = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("app.db").display()
        ))
        .await
        .unwrap();
    let dashboard_db = sqlite_in(&dir);
    calls_end_to_end(&dashboard_db, AppDb::Sqlite(app_db)).await;
    // No literal reaches the dashboard's database file (or its write-ahead log).
    for file in ["d.db", "d.db-wal"] {
        let path = dir.path().join(file);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes
                    .windows(SECRET.len())
                    .any(|window| window == SECRET.as_bytes()),
                "{} holds the secret",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run `cargo xtask test`"]
async fn statements_and_calls_of_requests_on_postgres() {
    use sea_orm::ConnectionTrait;
    let database = fresh_database().await;
    let app_db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&database)
        .await
        .unwrap();
    calls_end_to_end(&database, AppDb::Postgres(app_db)).await;
    // No literal in any of the dashboard's tables (the application's `notes` holds it).
    let db = sea_orm::Database::connect(&database).await.unwrap();
    for table in dashboard_migration::schema::Table::current() {
        let name = format!("dashboard_{}", table.base_name());
        let found = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM \"{name}\" t WHERE t::text LIKE '%{SECRET}%'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(found, 0, "{name} holds the secret");
    }
}
