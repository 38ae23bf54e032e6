//! Level 3, end to end through the router: the profile tree of a request of known structure,
//! sampled and exact, and the grouped profile of requests of known durations.
//!
//! Its own test binary, and its tests one at a time: the sampled profile is checked against
//! measured time, so it shares the cores with no other test (the MariaDB variants, run beside
//! the others, once made a sampled span 23 % short).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};
use dashboard_shared::api;
use dashboard_shared::{
    GroupedLine, GroupedProfile, GroupedQuery, PageQuery, ProfileLine, ProfilePage,
};
use tracing_subscriber::prelude::*;

/// How long each helper really took, measured inside it.
#[derive(Clone, Default)]
struct Truth(Arc<Mutex<HashMap<&'static str, Duration>>>);

impl Truth {
    fn add(&self, name: &'static str, since: Instant) {
        *self.0.lock().unwrap().entry(name).or_default() += since.elapsed();
    }

    fn ms(&self, name: &str) -> f64 {
        self.0.lock().unwrap()[name].as_secs_f64() * 1000.0
    }
}

/// Each test holds it while it runs: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tracing::instrument(skip_all)]
async fn load_user(truth: &Truth) {
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(40)).await;
    truth.add("load_user", started);
}

#[tracing::instrument(skip_all)]
async fn query_items(truth: &Truth) {
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    truth.add("query_items", started);
}

/// 32 ms on the CPU, without yielding.
#[tracing::instrument(skip_all)]
fn render(truth: &Truth) {
    let started = Instant::now();
    let mut spins = 0_u64;
    while started.elapsed() < Duration::from_millis(32) {
        spins = std::hint::black_box(spins + 1);
    }
    truth.add("render", started);
}

#[derive(serde::Deserialize)]
struct Wait {
    ms: u64,
    #[serde(default)]
    extra: bool,
}

#[tracing::instrument]
async fn wait(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[tracing::instrument]
async fn sometimes() {}

fn routes(truth: &Truth) -> Router {
    let truth = truth.clone();
    Router::new()
        .route(
            "/items",
            get(move || async move {
                load_user(&truth).await;
                for _ in 0..3 {
                    query_items(&truth).await;
                }
                render(&truth);
                "items"
            }),
        )
        .route(
            "/wait",
            get(|Query(wait_for): Query<Wait>| async move {
                wait(wait_for.ms).await;
                if wait_for.extra {
                    sometimes().await;
                }
                "waited"
            }),
        )
        .merge(app())
}

async fn level_three(database: &str, sampling_period_ms: &str) -> Dashboard {
    Dashboard::builder()
        .database(database)
        .password(PASSWORD)
        .monitor_level(3)
        .set(Key::SamplingPeriod, sampling_period_ms)
        .start()
        .await
        .unwrap()
}

/// The dashboard's layer as this thread's subscriber.
fn with_spans() -> tracing::subscriber::DefaultGuard {
    tracing::subscriber::set_default(
        tracing_subscriber::registry().with(axum_monitoring_dashboard::span_layer()),
    )
}

/// Logs in as admin and returns the cookie and the id of the endpoint `name`.
/// The admin's reader of one endpoint's views.
struct EndpointViews<'a> {
    app: &'a Router,
    cookie: String,
    id: i64,
}

impl EndpointViews<'_> {
    /// The first page of the endpoint's profiles.
    async fn profiles(&self) -> ProfilePage {
        self.profiles_page(PageQuery::default()).await
    }

    /// A page of the endpoint's profiles.
    async fn profiles_page(&self, query: PageQuery) -> ProfilePage {
        get_route::<api::EndpointProfiles>(self.app, &self.cookie, Some(self.id), &query).await
    }

    /// The endpoint's grouped profile.
    async fn grouped(&self) -> GroupedProfile {
        self.grouped_of(None).await
    }

    /// The grouped profile of the endpoint's requests in `version` (`None`: every version).
    async fn grouped_of(&self, version: Option<&str>) -> GroupedProfile {
        let query = GroupedQuery {
            version: version.map(str::to_owned),
        };
        get_route::<api::EndpointGroupedProfile>(self.app, &self.cookie, Some(self.id), &query)
            .await
    }
}

async fn endpoint<'a>(app: &'a Router, name: &str) -> EndpointViews<'a> {
    let (cookie, _) = login(app, "/dashboard", "admin", PASSWORD).await;
    let id = endpoint_id(app, &cookie, name).await;
    EndpointViews { app, cookie, id }
}

/// Indent, function and calls of each line.
fn summary(lines: &[ProfileLine]) -> Vec<(u16, String, u64)> {
    lines
        .iter()
        .map(|line| (line.indent, line.code.function.clone(), line.calls))
        .collect()
}

/// Indent, function and hits of each grouped line.
fn grouped_summary(lines: &[GroupedLine]) -> Vec<(u16, String, u64)> {
    lines
        .iter()
        .map(|line| (line.indent, line.code.function.clone(), line.hits))
        .collect()
}

fn assert_near(what: &str, measured: f64, truth: f64, tolerance: f64) {
    assert!(
        (measured - truth).abs() <= truth * tolerance,
        "{what}: {measured:.2} ms, truly {truth:.2} ms (± {:.0} %)",
        tolerance * 100.0
    );
}

crate::on_every_database!(known_structure);

async fn known_structure(database: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let monitor = level_three(database, "2").await;
    let _spans = with_spans();
    let truth = Truth::default();
    let app = monitor.bind(routes(&truth));
    assert_eq!(
        send_for_text(&app, get_request("/items")).await.0,
        StatusCode::OK
    );
    monitor.shutdown().await;

    let views = endpoint(&app, "GET /items").await;
    let page = views.profiles().await;
    assert_eq!(page.total, 1, "{page:?}");
    let profile = &page.profiles[0];
    let lines = &profile.lines;
    assert_eq!(
        summary(lines),
        [
            (0, "load_user".to_owned(), 1),
            (0, "query_items".to_owned(), 3),
            (0, "render".to_owned(), 1)
        ],
        "three children of the request, in call order: {profile:?}"
    );
    let samples = profile.samples;
    assert!(samples >= 20, "sampled every 2 ms for ~140 ms: {samples}");
    assert_eq!(profile.sampling_period_ms, 2);
    let request_ms = profile.duration_ms;
    let mut shares = 0.0;
    for (index, name) in ["load_user", "query_items", "render"]
        .into_iter()
        .enumerate()
    {
        let line = &lines[index];
        assert_near(name, line.duration_ms, truth.ms(name), 0.2);
        assert_near(name, line.wall_ms, truth.ms(name), 0.05);
        shares += line.duration_ms;
    }
    assert!(
        // A request's duration is stored to the microsecond (rounded), its lines' shares not.
        shares <= request_ms + 0.001 && shares >= request_ms * 0.9,
        "the children's shares add up to the request: {shares:.2} of {request_ms:.2} ms"
    );
    assert_eq!(lines[0].code.module.as_deref(), Some("profiler"));
    assert!(lines[0].code.line.is_some_and(|line| line > 0));
}

#[tokio::test]
async fn the_grouped_profile_merges_paths_with_hits_mean_and_std() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let monitor = level_three(&sqlite_in(&dir), "0").await;
    let _spans = with_spans();
    let app = monitor.bind(routes(&Truth::default()));
    for uri in ["/wait?ms=10", "/wait?ms=10&extra=true", "/wait?ms=40"] {
        assert_eq!(
            send_for_text(&app, get_request(uri)).await.0,
            StatusCode::OK
        );
    }
    monitor.shutdown().await;

    let views = endpoint(&app, "GET /wait").await;
    let page = views.profiles().await;
    let waits: Vec<f64> = page
        .profiles
        .iter()
        .map(|profile| {
            assert_eq!(profile.samples, 0, "SAMPLING_PERIOD = 0: exact span times");
            let line = &profile.lines[0];
            assert_eq!(line.duration_ms, line.wall_ms);
            line.duration_ms
        })
        .collect();
    assert_eq!(waits.len(), 3);

    let grouped = views.grouped().await;
    assert_eq!(grouped.requests, 3);
    assert_eq!(
        grouped_summary(&grouped.lines),
        [
            (0, "GET /wait".to_owned(), 3),
            (1, "wait".to_owned(), 3),
            (1, "sometimes".to_owned(), 1)
        ],
        "{grouped:?}"
    );
    let wait = &grouped.lines[1];
    let mean = waits.iter().sum::<f64>() / 3.0;
    let std = (waits.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert!((wait.mean_ms - mean).abs() < 1e-9, "{wait:?}");
    assert!((wait.std_ms - std).abs() < 1e-9, "{wait:?}");
    assert_near("std of 10, 10, 40 ms", std, 200_f64.sqrt(), 0.15);
    let sometimes = &grouped.lines[2];
    assert!((sometimes.hits_percent - 100.0 / 3.0).abs() < 1e-9);
    let root = &grouped.lines[0];
    assert_eq!(root.time_percent, 100.0);
    assert!(root.self_ms >= 0.0);
}

#[tokio::test]
async fn the_grouped_profile_of_one_version_merges_only_that_versions_requests() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let mut app = None;
    // Version 1.0 waits once; version 1.1 twice, each time calling `sometimes` as well.
    for (version, uris) in [
        ("1.0", &["/wait?ms=5"][..]),
        (
            "1.1",
            &["/wait?ms=5&extra=true", "/wait?ms=5&extra=true"][..],
        ),
    ] {
        let monitor = Dashboard::builder()
            .database(&database)
            .password(PASSWORD)
            .monitor_level(3)
            .app_version(version)
            .set(Key::SamplingPeriod, "0")
            .start()
            .await
            .unwrap();
        let _spans = with_spans();
        let bound = monitor.bind(routes(&Truth::default()));
        for uri in uris {
            assert_eq!(
                send_for_text(&bound, get_request(uri)).await.0,
                StatusCode::OK
            );
        }
        monitor.shutdown().await;
        app = Some(bound);
    }
    let app = app.unwrap();
    let views = endpoint(&app, "GET /wait").await;
    let functions = |grouped: &GroupedProfile| {
        grouped_summary(&grouped.lines)
            .into_iter()
            .map(|(_, function, hits)| (function, hits))
            .collect::<Vec<_>>()
    };
    let old = views.grouped_of(Some("1.0")).await;
    assert_eq!(old.requests, 1);
    assert_eq!(
        functions(&old),
        [("GET /wait".to_owned(), 1), ("wait".to_owned(), 1)]
    );
    let new = views.grouped_of(Some("1.1")).await;
    assert_eq!(new.requests, 2);
    assert_eq!(
        functions(&new),
        [
            ("GET /wait".to_owned(), 2),
            ("wait".to_owned(), 2),
            ("sometimes".to_owned(), 2)
        ]
    );
    assert_eq!(views.grouped().await.requests, 3, "every version");
    let unknown = views.grouped_of(Some("9.9")).await;
    assert_eq!((unknown.requests, unknown.lines.len()), (0, 0));
}

#[tokio::test]
async fn profiles_are_kept_at_level_three_only_and_bad_paging_is_refused() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let monitor = Dashboard::builder()
        .database(&database)
        .password(PASSWORD)
        .monitor_level(2)
        .start()
        .await
        .unwrap();
    let _spans = with_spans();
    let app = monitor.bind(routes(&Truth::default()));
    send_for_text(&app, get_request("/wait?ms=1")).await;
    monitor.shutdown().await;

    let views = endpoint(&app, "GET /wait").await;
    let page = views.profiles().await;
    assert_eq!((page.total, page.profiles.len()), (0, 0));
    let grouped = views.grouped().await;
    assert!(grouped.lines.is_empty(), "{grouped:?}");
    for (uri, status) in [
        (
            format!("/dashboard/api/endpoints/{}/profiles?limit=0", views.id),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/dashboard/api/endpoints/{}/profiles?limit=101", views.id),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/dashboard/api/endpoints/999/profiles".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        (
            "/dashboard/api/endpoints/999/grouped-profile".to_owned(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (got, _, body) = send(&app, with_cookie("GET", &uri, &views.cookie)).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
}

crate::on_every_database!(profiles_of_one_batch);

/// Twenty requests of different durations at once, so that the writer stores them (and their
/// ids come back) together: every profile's span must have taken nearly its request's time.
async fn profiles_of_one_batch(database: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let monitor = level_three(database, "0").await;
    let _spans = with_spans();
    let app = monitor.bind(routes(&Truth::default()));
    let mut requests = tokio::task::JoinSet::new();
    // 5 to 100 ms: a swapped profile would miss its request by far more than the tolerance,
    // even when a busy runtime wakes the shortest waits late.
    for ms in (0..20).map(|n| 5 + 5 * n) {
        let app = app.clone();
        requests.spawn(async move {
            send_for_text(&app, get_request(&format!("/wait?ms={ms}")))
                .await
                .0
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    monitor.shutdown().await;

    let views = endpoint(&app, "GET /wait").await;
    let page = views
        .profiles_page(PageQuery {
            offset: None,
            limit: Some(20),
        })
        .await;
    assert_eq!(page.total, 20);
    let mut waits = Vec::new();
    for profile in &page.profiles {
        let request_ms = profile.duration_ms;
        let wait_ms = profile.lines[0].wall_ms;
        assert!(
            wait_ms <= request_ms && wait_ms >= request_ms - 2.5,
            "a {wait_ms:.1} ms wait in a {request_ms:.1} ms request: {profile:?}"
        );
        waits.push(wait_ms);
    }
    waits.sort_by(f64::total_cmp);
    assert!(
        waits[19] - waits[0] > 50.0,
        "different durations: {waits:?}"
    );
}
