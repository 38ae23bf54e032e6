//! A small but realistic service with the dashboard bound to it.
//!
//! ```text
//! cargo run -p axum-monitoring-dashboard --example demo -- --bind 127.0.0.1:3000 --traffic 200
//! ```
//!
//! Prints `listening on http://ADDR`, the dashboard's URL and, on a fresh database, the admin
//! credentials.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_monitoring_dashboard::{
    Dashboard, DashboardMiddleware, PastRequest, Schedule, span_layer,
};
use clap::Parser;
use serde_json::{Value, json};
use tracing_subscriber::prelude::*;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(about = "A demo service monitored by axum-monitoring-dashboard")]
struct Options {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// Database URL (overrides the config file and DASHBOARD_DATABASE).
    #[arg(long)]
    database: Option<String>,
    /// Configuration file (TOML or Flask-MonitoringDashboard INI).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Send this many mixed requests to the service after it starts.
    #[arg(long, default_value_t = 0)]
    traffic: usize,
    /// Record this many past days of history (at most 60), in UTC: see `record_history`.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=60))]
    history: u32,
    /// In the history, version 1.1 (yesterday) takes twice as long on `GET /users/{id}`: a
    /// regression for the reports to find.
    #[arg(long)]
    slow_release: bool,
    /// Seconds between the values of the custom graph "Orders placed".
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    graph_every: u64,
    /// The service's own SQLite database (not the dashboard's), created and filled when new;
    /// by default a file in the temporary folder, removed when the demo stops.
    #[arg(long)]
    app_database: Option<PathBuf>,
}

/// Authors in the service's database; `GET /authors/books` reads the books of each one by one.
const AUTHORS: i64 = 8;

/// What the handlers share: the service's database and a client for its upstream.
#[derive(Clone)]
struct Services {
    db: sqlx::SqlitePool,
    upstream: reqwest_middleware::ClientWithMiddleware,
    /// `http://127.0.0.1:PORT` of the weather service.
    weather: String,
}

/// Opens (and on first use fills) the service's own database.
async fn open_app_database(path: &std::path::Path) -> anyhow::Result<sqlx::SqlitePool> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = sqlx::SqlitePool::connect(&url)
        .await
        .with_context(|| format!("opening the demo's own database {}", path.display()))?;
    for statement in [
        "CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL)",
    ] {
        sqlx::query(statement).execute(&db).await?;
    }
    for author in 1..=AUTHORS {
        sqlx::query("INSERT OR IGNORE INTO authors (id, name) VALUES (?, ?)")
            .bind(author)
            .bind(format!("Author {author}"))
            .execute(&db)
            .await?;
        for book in 1..=3 {
            sqlx::query("INSERT OR IGNORE INTO books (id, author_id, title) VALUES (?, ?, ?)")
                .bind(author * 10 + book)
                .bind(author)
                .bind(format!("Book {book} of author {author}"))
                .execute(&db)
                .await?;
        }
    }
    Ok(db)
}

/// Every author with their books, read one author at a time: the N+1 pattern the Queries page
/// flags (one `SELECT … WHERE author_id = ?` per author).
async fn authors_with_books(State(services): State<Services>) -> Result<Json<Value>, StatusCode> {
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let authors: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM authors ORDER BY id")
        .fetch_all(&services.db)
        .await
        .map_err(failed)?;
    let mut shelves = Vec::new();
    for (id, name) in authors {
        let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM books WHERE author_id = ?")
            .bind(id)
            .fetch_all(&services.db)
            .await
            .map_err(failed)?;
        shelves.push(json!({ "author": name, "books": titles }));
    }
    Ok(Json(json!(shelves)))
}

#[derive(serde::Deserialize)]
struct Search {
    /// Rows the search walks (about 150 ms for the default).
    rows: Option<i64>,
}

/// One slow statement: a search that walks many generated rows.
async fn search_books(
    State(services): State<Services>,
    Query(search): Query<Search>,
) -> Result<Json<Value>, StatusCode> {
    let matches: i64 = sqlx::query_scalar(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         SELECT count(*) FROM n WHERE (i * 7919) % 1000 = 7",
    )
    .bind(search.rows.unwrap_or(400_000))
    .fetch_one(&services.db)
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(json!({ "matches": matches })))
}

/// Asks the slow weather service (its delay is passed on).
async fn weather(
    State(services): State<Services>,
    Query(delay): Query<Delay>,
) -> Result<String, StatusCode> {
    let url = format!(
        "{}/forecast/{}?delay_ms={}",
        services.weather,
        1 + delay.delay_ms.unwrap_or(600) % 97,
        delay.delay_ms.unwrap_or(600)
    );
    let answer = services
        .upstream
        .get(url)
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    answer.text().await.map_err(|_| StatusCode::BAD_GATEWAY)
}

/// The upstream the demo calls: a weather service that takes `delay_ms` (600 by default) to
/// answer, on a port of its own.
async fn start_weather_service() -> anyhow::Result<String> {
    let forecast = |Path(city): Path<u64>, Query(delay): Query<Delay>| async move {
        tokio::time::sleep(Duration::from_millis(delay.delay_ms.unwrap_or(600))).await;
        format!("sunny in city {city}")
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let service = Router::new().route("/forecast/{city}", get(forecast));
        let _ = axum::serve(listener, service).await;
    });
    Ok(format!("http://{address}"))
}

/// Orders placed since the demo started: the custom graph "Orders placed".
static ORDERS_PLACED: AtomicU64 = AtomicU64::new(0);

/// Requests the demo's history has of `GET /users/{id}` in hour `hour` of each past day.
fn history_requests(hour: u32) -> u32 {
    1 + hour % 4
}

/// The users of the history's requests: the i-th request of an hour is `USERS[i]`'s.
const USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

/// Records `days` days of history through the dashboard's writer. On day d before today, hour
/// h (UTC) has `1 + h % 4` requests of `GET /users/{id}` at h:30; the i-th (from 0) takes
/// `2 + h % 7 + i` ms, is by `USERS[i]` from 192.0.2.(i + 1), and the fourth answers 500.
/// Version 1.0 served the days before yesterday; yesterday version 1.1 served them, and
/// `GET /users/{id}/posts` once an hour at h:45 (alice, 10 ms). With `slow_release`, version
/// 1.1's requests of `GET /users/{id}` take twice as long.
fn record_history(monitor: &Dashboard, days: u32, slow_release: bool) {
    let today = chrono::Utc::now().date_naive();
    let mut recorded = 0;
    for day in (1..=days).rev() {
        let Some(date) = today.checked_sub_days(chrono::Days::new(u64::from(day))) else {
            continue;
        };
        let version = if day == 1 { "1.1" } else { "1.0" };
        for hour in 0..24 {
            let (Some(half_past), Some(quarter_to)) =
                (date.and_hms_opt(hour, 30, 0), date.and_hms_opt(hour, 45, 0))
            else {
                continue;
            };
            for (i, user) in USERS
                .iter()
                .enumerate()
                .take(history_requests(hour) as usize)
            {
                let slower = if slow_release && day == 1 { 2 } else { 1 };
                let took = Duration::from_millis((2 + u64::from(hour % 7) + i as u64) * slower);
                let status = if i == 3 { 500 } else { 200 };
                let request =
                    PastRequest::new("GET", "/users/{id}", half_past.and_utc(), took, status)
                        .version(version)
                        .group_by(user)
                        .ip([192, 0, 2, i as u8 + 1].into());
                recorded += u32::from(monitor.record_historical(request));
            }
            if day == 1 {
                let took = Duration::from_millis(10);
                let request =
                    PastRequest::new("GET", "/users/{id}/posts", quarter_to.and_utc(), took, 200)
                        .version(version)
                        .group_by("alice");
                recorded += u32::from(monitor.record_historical(request));
            }
        }
    }
    println!("history: {recorded} requests over {days} days");
}

#[derive(serde::Deserialize)]
struct Delay {
    delay_ms: Option<u64>,
}

/// Loads a user; pretends to ask a database.
#[tracing::instrument]
async fn load_user(id: u64) -> Value {
    tokio::time::sleep(Duration::from_millis(2 + id % 4)).await;
    json!({ "id": id, "name": format!("user-{id}") })
}

/// Loads a user's posts, newest first.
#[tracing::instrument]
async fn load_posts(user: u64) -> Vec<Value> {
    tokio::time::sleep(Duration::from_millis(5)).await;
    rank_posts(
        (1..=3)
            .map(|n| json!({ "id": user * 10 + n, "title": format!("Post {n}") }))
            .collect(),
    )
}

/// Orders posts, newest first; a little CPU work of its own.
#[tracing::instrument(skip_all)]
fn rank_posts(mut posts: Vec<Value>) -> Vec<Value> {
    let weight = (0..200_000_u64).fold(0_u64, |acc, x| acc.wrapping_mul(31).wrapping_add(x));
    posts.sort_by_key(|post| std::cmp::Reverse(post["id"].as_u64().unwrap_or(weight % 2)));
    posts
}

/// Renders a report with some real CPU work.
#[tracing::instrument]
fn render_report(rows: u64) -> u64 {
    (0..rows * 10_000).fold(0u64, |acc, x| acc.wrapping_mul(31).wrapping_add(x))
}

async fn index() -> &'static str {
    "demo service: try /users/1, /users/1/posts, /reports/slow?delay_ms=500, POST /orders, \
     /inventory/apple (or /inventory/crash, /inventory/offline), /authors/books (N+1 \
     statements), /books/search (a slow statement), /weather (a slow upstream)"
}

async fn show_user(Path(id): Path<u64>) -> Json<Value> {
    Json(load_user(id).await)
}

/// A user's posts: the user first (a 404 would come from here), then the posts.
async fn user_posts(Path(id): Path<u64>) -> Json<Vec<Value>> {
    load_user(id).await;
    Json(load_posts(id).await)
}

/// Reads a report's rows; takes `delay_ms` (where slow reports are stuck).
#[tracing::instrument]
async fn fetch_report_rows(delay_ms: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    20
}

async fn slow_report(Query(delay): Query<Delay>) -> Json<Value> {
    let rows = fetch_report_rows(delay.delay_ms.unwrap_or(120)).await;
    Json(json!({ "checksum": render_report(rows) }))
}

/// Reserves one item; the ledger of `crash` is broken (a panic).
#[tracing::instrument]
fn reserve_stock(sku: &str) -> u64 {
    assert!(sku != "crash", "the stock ledger of {sku} is corrupt");
    sku.len() as u64
}

/// Asks the supplier, who is away for `offline`.
#[tracing::instrument]
async fn check_supplier(sku: &str) -> Result<u64, std::io::Error> {
    if sku == "offline" {
        return Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("supplier did not answer for {sku}"),
        ));
    }
    Ok(7)
}

/// Stock of an item: `crash` panics, `offline` reports a handled error and answers 503.
async fn inventory(Path(sku): Path<String>) -> Result<Json<Value>, StatusCode> {
    let reserved = reserve_stock(&sku);
    match check_supplier(&sku).await {
        Ok(stock) => Ok(Json(
            json!({ "sku": sku, "stock": stock - reserved.min(stock) }),
        )),
        Err(error) => {
            axum_monitoring_dashboard::capture_error(&error);
            Err(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// Fails for every order whose quantity is a multiple of 4.
async fn create_order(
    Json(order): Json<Value>,
) -> Result<(StatusCode, Json<Value>), (StatusCode, Json<Value>)> {
    let quantity = order.get("quantity").and_then(Value::as_u64).unwrap_or(1);
    if quantity % 4 == 0 {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "error": "out of stock" })),
        ));
    }
    ORDERS_PLACED.fetch_add(1, Ordering::Relaxed);
    Ok((StatusCode::CREATED, Json(json!({ "quantity": quantity }))))
}

fn app(services: Services) -> Router {
    let shelves = Router::new()
        .route("/authors/books", get(authors_with_books))
        .route("/books/search", get(search_books))
        .route("/weather", get(weather))
        .with_state(services);
    Router::new()
        .route("/", get(index))
        .route("/users/{id}", get(show_user))
        .route("/users/{id}/posts", get(user_posts))
        .route("/reports/slow", get(slow_report))
        .route("/orders", post(create_order))
        .route("/inventory/{sku}", get(inventory))
        .merge(shelves)
}

/// Sends `count` requests, cycling over the routes, and prints how many went to each.
async fn send_traffic(base: &str, count: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let routes = [
        "GET /",
        "GET /users/{id}",
        "GET /users/{id}/posts",
        "POST /orders",
        "GET /reports/slow",
        "GET /authors/books",
        "GET /books/search",
        "GET /weather",
    ];
    let mut sent = [0usize; 8];
    for i in 0..count {
        let n = i as u64;
        let route = i % routes.len();
        let request = match route {
            0 => client.get(format!("{base}/")),
            1 => client.get(format!("{base}/users/{n}")),
            2 => client.get(format!("{base}/users/{n}/posts")),
            3 => client
                .post(format!("{base}/orders"))
                .json(&json!({ "quantity": n % 7 })),
            4 => client.get(format!("{base}/reports/slow?delay_ms={}", 5 + n % 20)),
            5 => client.get(format!("{base}/authors/books")),
            6 => client.get(format!(
                "{base}/books/search?rows={}",
                20_000 + n % 5 * 100_000
            )),
            // Most forecasts come quickly; every fourth takes the weather service's 600 ms.
            _ => client.get(format!(
                "{base}/weather?delay_ms={}",
                if n % 4 == 3 { 600 } else { 20 }
            )),
        };
        request.send().await.context("sending demo traffic")?;
        sent[route] += 1;
    }
    for (route, count) in routes.iter().zip(sent) {
        println!("traffic: {count} × {route}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The log filter applies to the log lines only; the dashboard's SpanLayer sees every span,
    // so outliers and exceptions name the helpers they happened in.
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_filter(filter))
        .with(span_layer())
        .init();
    let options = Options::parse();
    let mut builder = Dashboard::builder().config_env("DASHBOARD_CONFIG").graph(
        "Orders placed",
        Schedule::interval(Duration::from_secs(options.graph_every)),
        || async { ORDERS_PLACED.load(Ordering::Relaxed) },
    );
    if let Some(config) = options.config {
        builder = builder.config_file(config);
    }
    if let Some(database) = options.database {
        builder = builder.database(database);
    }
    let monitor = builder.start().await?;
    let app_database = options.app_database.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("axum-dashboard-demo-app-{}.db", std::process::id()))
    });
    let services = Services {
        db: open_app_database(&app_database).await?,
        upstream: reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(DashboardMiddleware)
            .build(),
        weather: start_weather_service().await?,
    };
    if options.history > 0 {
        record_history(&monitor, options.history, options.slow_release);
    }
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .with_context(|| format!("binding {}", options.bind))?;
    let address = listener.local_addr()?;
    let base = format!("http://{address}");
    println!("listening on {base}");
    println!("dashboard: {base}/{}/", monitor.config().custom_link);
    if monitor.config().metrics {
        match monitor.metrics_address() {
            Some(address) => println!("metrics: http://{address}{}", monitor.config().metrics_path),
            None => println!("metrics: {base}{}", monitor.config().metrics_path),
        }
    }
    match monitor.generated_admin_password() {
        Some(password) => println!("admin: {} / {password}", monitor.config().username),
        None => println!(
            "admin: {} (password as configured)",
            monitor.config().username
        ),
    }
    let server = axum::serve(
        listener,
        monitor
            .bind(app(services.clone()))
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(monitor.shutdown_signal());
    let server = tokio::spawn(async move { server.await });
    if options.traffic > 0 {
        send_traffic(&base, options.traffic).await?;
    }
    println!("ready");
    server.await??;
    monitor.shutdown().await;
    services.db.close().await;
    if options.app_database.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", app_database.display()));
        }
    }
    Ok(())
}
