//! The profiler's costs, each against a baseline measured in the same run (`cargo xtask bench`;
//! results in `docs/performance.md`):
//!
//! - `spans`: a span created, entered, left and closed outside any profiled request, with the
//!   span registry alone and with the dashboard's `SpanLayer` added (goal: ≤ 50 ns more);
//! - `queries`: sqlx's statement event (its own `QueryLogger`, formatting included) outside a
//!   monitored request and inside one at level 1, with the span registry alone and with the
//!   dashboard's layer (goals: ≤ 25 ns more outside, ≤ 200 ns more inside);
//! - `handler`: a realistic handler (five `#[instrument]`ed helpers, one awaiting 1 ms, five
//!   sqlx statements) served in process by 32 concurrent callers, bare and at levels 1 and 3
//!   (goal: level 3 ≥ 0.90 of bare), counting the time the writer takes to store each round;
//! - `grouped`: the grouped-profile API over 100 profiled requests of 220 lines (goal: ≤ 100 ms).
//!
//! `cargo bench -p axum-monitoring-dashboard --bench profiler -- spans` runs one section.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key, span_layer};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tracing_subscriber::prelude::*;

mod common;

use common::median;

const SECTIONS: [&str; 4] = ["spans", "queries", "handler", "grouped"];

fn main() {
    let asked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The subscriber of an application at level 3: the span registry with the SpanLayer.
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(span_layer()))
        .unwrap();
    let mut summary = common::Summary::new("profiler");
    for section in SECTIONS {
        if !asked.is_empty() && !asked.iter().any(|a| a == section) {
            continue;
        }
        match section {
            "spans" => spans(&mut summary),
            "queries" => runtime.block_on(queries(&mut summary)),
            "handler" => runtime.block_on(handler(&mut summary)),
            "grouped" => runtime.block_on(grouped(&mut summary)),
            _ => unreachable!(),
        }
        summary.write();
    }
}

// --- spans outside profiled requests ---------------------------------------------------------

const SPANS_PER_ROUND: u32 = 1_000_000;
const SPAN_ROUNDS: usize = 9;

/// Nanoseconds per span (created, entered, left, closed) under `subscriber`.
fn span_round(subscriber: &tracing::Dispatch) -> f64 {
    tracing::dispatcher::with_default(subscriber, || {
        let started = Instant::now();
        for _ in 0..SPANS_PER_ROUND {
            let span = tracing::info_span!("outside");
            let _entered = span.enter();
        }
        started.elapsed().as_secs_f64() * 1e9 / f64::from(SPANS_PER_ROUND)
    })
}

fn spans(summary: &mut common::Summary) {
    let registry = tracing::Dispatch::new(tracing_subscriber::registry());
    let with_layer = tracing::Dispatch::new(tracing_subscriber::registry().with(span_layer()));
    let (mut bare, mut layered) = (Vec::new(), Vec::new());
    span_round(&registry);
    span_round(&with_layer);
    for _ in 0..SPAN_ROUNDS {
        bare.push(span_round(&registry));
        layered.push(span_round(&with_layer));
    }
    let (bare, layered) = (median(&bare), median(&layered));
    println!(
        "spans outside profiled requests: {SPAN_ROUNDS} interleaved rounds × {SPANS_PER_ROUND} spans"
    );
    println!("| subscriber | per span (median) |");
    println!("|---|---:|");
    println!("| span registry | {bare:.1} ns |");
    println!("| span registry + SpanLayer | {layered:.1} ns |");
    println!(
        "| **added by the SpanLayer** | **{:.1} ns** (goal ≤ 50 ns) |",
        layered - bare
    );
    summary.record(
        "spans",
        serde_json::json!({ "registry_ns": bare, "with_span_layer_ns": layered, "added_ns": layered - bare }),
    );
    println!();
}

// --- sqlx's statement events ------------------------------------------------------------------

const EVENTS_PER_ROUND: u32 = 200_000;
const EVENT_ROUNDS: usize = 9;

/// A statement as an ORM writes it (sqlx logs a summary of its first words and the whole text).
const STATEMENT: &str =
    "SELECT id, title, author_id, published FROM books WHERE author_id = $1 ORDER BY title";

/// One statement reported the way sqlx reports it: its `QueryLogger` (which checks whether the
/// event is wanted, formats it and emits it) dropped when the statement ends.
fn statement_event() {
    use sqlx_core::sql_str::SqlSafeStr;
    drop(sqlx_core::logger::QueryLogger::new(
        STATEMENT.into_sql_str(),
        sqlx_core::connection::LogSettings::default(),
    ));
}

/// Nanoseconds per statement event, [`EVENTS_PER_ROUND`] of them.
fn event_round() -> f64 {
    let started = Instant::now();
    for _ in 0..EVENTS_PER_ROUND {
        statement_event();
    }
    started.elapsed().as_secs_f64() * 1e9 / f64::from(EVENTS_PER_ROUND)
}

/// A handler that reports [`EVENTS_PER_ROUND`] statements and answers the nanoseconds per
/// statement.
async fn statements() -> String {
    event_round().to_string()
}

/// Nanoseconds per statement inside one request to `app`, served on this thread.
async fn request_round(app: &Router) -> f64 {
    let request = Request::get("/statements").body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    std::str::from_utf8(&body).unwrap().parse().unwrap()
}

async fn queries(summary: &mut common::Summary) {
    let dir = tempfile::tempdir().unwrap();
    let monitor = monitored(dir.path(), "queries", &[(Key::MonitorLevel, "1")]).await;
    let app = || Router::new().route("/statements", get(statements));
    let (bare_app, monitored_app) = (app(), monitor.bind(app()));
    let registry = tracing::Dispatch::new(tracing_subscriber::registry());
    let with_layer = tracing::Dispatch::new(tracing_subscriber::registry().with(span_layer()));
    let mut rounds: [Vec<f64>; 4] = Default::default();
    for round in 0..=EVENT_ROUNDS {
        let figures = [
            tracing::dispatcher::with_default(&registry, event_round),
            tracing::dispatcher::with_default(&with_layer, event_round),
            {
                let _default = tracing::dispatcher::set_default(&registry);
                request_round(&bare_app).await
            },
            {
                let _default = tracing::dispatcher::set_default(&with_layer);
                request_round(&monitored_app).await
            },
        ];
        // The first round warms up.
        if round > 0 {
            for (rounds, figure) in rounds.iter_mut().zip(figures) {
                rounds.push(figure);
            }
        }
    }
    let [outside_bare, outside_layer, inside_bare, inside_layer] = rounds.map(|r| median(&r));
    println!(
        "sqlx's statement events: {EVENT_ROUNDS} interleaved rounds × {EVENTS_PER_ROUND} statements"
    );
    println!("| where | span registry | + the dashboard's layer | added |");
    println!("|---|---:|---:|---:|");
    println!(
        "| outside monitored requests | {outside_bare:.1} ns | {outside_layer:.1} ns | **{:.1} ns** (goal ≤ 25 ns) |",
        outside_layer - outside_bare
    );
    println!(
        "| inside a request at level 1 | {inside_bare:.1} ns | {inside_layer:.1} ns | **{:.1} ns** (goal ≤ 200 ns) |",
        inside_layer - inside_bare
    );
    summary.record(
        "queries",
        serde_json::json!({
            "outside_registry_ns": outside_bare, "outside_with_layer_ns": outside_layer,
            "outside_added_ns": outside_layer - outside_bare,
            "inside_registry_ns": inside_bare, "inside_with_layer_ns": inside_layer,
            "inside_added_ns": inside_layer - inside_bare,
        }),
    );
    println!();
    monitor.shutdown().await;
}

// --- a realistic handler --------------------------------------------------------------------

const CALLERS: usize = 32;
const HANDLER_ROUND: Duration = Duration::from_secs(2);
const HANDLER_ROUNDS: usize = 5;

#[tracing::instrument]
async fn authenticate(user: u64) -> u64 {
    user.wrapping_mul(2_654_435_761)
}

#[tracing::instrument]
async fn load_account(user: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    // The account's statements, reported as sqlx reports them.
    for _ in 0..5 {
        statement_event();
    }
    user + 1
}

#[tracing::instrument]
fn check_permissions(account: u64) -> bool {
    account % 7 != 3
}

#[tracing::instrument]
async fn load_items(account: u64) -> Vec<u64> {
    (0..20).map(|item| account ^ item).collect()
}

#[tracing::instrument(skip_all)]
fn render(items: &[u64]) -> String {
    items
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

async fn realistic() -> String {
    let user = authenticate(42).await;
    let account = load_account(user).await;
    if !check_permissions(account) {
        return String::new();
    }
    render(&load_items(account).await)
}

fn realistic_app() -> Router {
    Router::new().route("/items", get(realistic))
}

async fn monitored(dir: &std::path::Path, name: &str, settings: &[(Key, &str)]) -> Dashboard {
    common::dashboard_named(dir, name, settings, 1_000_000).await
}

/// Requests per second served by [`CALLERS`] concurrent callers during one round; then waits
/// until the writer has stored everything queued, so that no round pays for the last one's
/// rows. The writer stores during the round on the same runtime (it wakes when 4,000 rows wait);
/// only the rows of its last rest, at most 0.5 s of them, are stored after the round, outside
/// the count (about 1 % of a round's work). Counting that wait instead would count the rest,
/// which is idle time.
async fn handler_round(app: &Router, monitor: Option<&Dashboard>) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let before = monitor.map_or(0, Dashboard::stored_measurements);
    let started = Instant::now();
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (app, stop, served) = (app.clone(), Arc::clone(&stop), Arc::clone(&served));
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let request = Request::get("/items").body(Body::empty()).unwrap();
                    let response = app.clone().oneshot(request).await.unwrap();
                    assert!(response.status().is_success());
                    served.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(HANDLER_ROUND).await;
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }
    let served = served.load(Ordering::Relaxed);
    let round = started.elapsed();
    if let Some(monitor) = monitor {
        while monitor.stored_measurements() < before + served {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    served as f64 / round.as_secs_f64()
}

async fn handler(summary: &mut common::Summary) {
    let dir = tempfile::tempdir().unwrap();
    let level_one = monitored(dir.path(), "level1", &[(Key::MonitorLevel, "1")]).await;
    let level_three = monitored(dir.path(), "level3", &[(Key::MonitorLevel, "3")]).await;
    let variants: [(&str, Router, Option<&Dashboard>); 3] = [
        ("bare axum", realistic_app(), None),
        (
            "layer, level 1",
            level_one.bind(realistic_app()),
            Some(&level_one),
        ),
        (
            "layer, level 3 (profiled, sampled every 5 ms)",
            level_three.bind(realistic_app()),
            Some(&level_three),
        ),
    ];
    let mut rates = vec![Vec::new(); variants.len()];
    for ((_, app, monitor), _) in variants.iter().zip(&rates) {
        handler_round(app, *monitor).await; // warm-up
    }
    for _ in 0..HANDLER_ROUNDS {
        for ((_, app, monitor), rates) in variants.iter().zip(&mut rates) {
            rates.push(handler_round(app, *monitor).await);
        }
    }
    let medians: Vec<f64> = rates.iter().map(|rates| median(rates)).collect();
    println!(
        "a realistic handler (5 instrumented helpers, one awaiting 1 ms, 5 statements): {CALLERS} concurrent callers in process, \
         {HANDLER_ROUNDS} interleaved rounds of {HANDLER_ROUND:?}, the writer storing between rounds"
    );
    println!("| variant | requests/s (median) | vs bare axum |");
    println!("|---|---:|---:|");
    for ((name, ..), rate) in variants.iter().zip(&medians) {
        println!("| {name} | {rate:.0} | {:.3} |", rate / medians[0]);
        summary.record(
            &format!("handler.{name}"),
            serde_json::json!({ "requests_per_second": rate, "throughput_vs_bare": rate / medians[0] }),
        );
    }
    println!();
    level_one.shutdown().await;
    level_three.shutdown().await;
}

// --- the grouped profile --------------------------------------------------------------------

const PROFILED_REQUESTS: usize = 100;
const GROUPED_SAMPLES: usize = 20;

/// One span per callsite name, so that each name is a distinct code line.
macro_rules! named_spans {
    ($($name:ident)*) => {
        fn named_span(index: usize) -> tracing::Span {
            let spans: &[fn() -> tracing::Span] = &[$(|| tracing::info_span!(stringify!($name))),*];
            spans[index % spans.len()]()
        }
    };
}

named_spans!(s00 s01 s02 s03 s04 s05 s06 s07 s08 s09 s10 s11 s12 s13 s14 s15 s16 s17 s18 s19);

/// 20 spans, each with 10 children: 220 lines per request.
async fn wide_tree() -> &'static str {
    for outer in 0..20 {
        let span = named_span(outer);
        let _outer = span.enter();
        for inner in 0..10 {
            let span = named_span(inner);
            let _inner = span.enter();
        }
    }
    "tree"
}

async fn grouped(summary: &mut common::Summary) {
    let dir = tempfile::tempdir().unwrap();
    let monitor = monitored(
        dir.path(),
        "grouped",
        &[(Key::MonitorLevel, "3"), (Key::SamplingPeriod, "0")],
    )
    .await;
    let app = monitor.bind(Router::new().route("/tree", get(wide_tree)));
    for _ in 0..PROFILED_REQUESTS {
        let request = Request::get("/tree").body(Body::empty()).unwrap();
        assert!(
            app.clone()
                .oneshot(request)
                .await
                .unwrap()
                .status()
                .is_success()
        );
    }
    while monitor.stored_measurements() < PROFILED_REQUESTS as u64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cookie = common::login(&app).await;
    let mut took = Vec::new();
    let mut lines = 0;
    for sample in 0..GROUPED_SAMPLES + 2 {
        let request = Request::get("/dashboard/api/endpoints/1/grouped-profile")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let started = Instant::now();
        let response = app.clone().oneshot(request).await.unwrap();
        assert!(response.status().is_success());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        if sample >= 2 {
            took.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
        let grouped: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(grouped["requests"], PROFILED_REQUESTS);
        lines = grouped["lines"].as_array().unwrap().len();
    }
    println!(
        "the grouped profile: {PROFILED_REQUESTS} profiled requests × 220 lines in SQLite, {GROUPED_SAMPLES} calls of the API"
    );
    println!("| paths merged | median | slowest | goal |");
    println!("|---:|---:|---:|---:|");
    let slowest = took.iter().copied().fold(0.0, f64::max);
    println!(
        "| {lines} | {:.1} ms | {slowest:.1} ms | ≤ 100 ms |",
        median(&took)
    );
    summary.record(
        "grouped",
        serde_json::json!({ "paths": lines, "median_ms": median(&took), "slowest_ms": slowest }),
    );
    println!();
    monitor.shutdown().await;
}
