//! The Prometheus exporter: request metrics after the OpenTelemetry HTTP semantic conventions,
//! the service's version, process metrics and the dashboard's own health, in the text format
//! 0.0.4 or OpenMetrics.
//!
//! Counting a request is a lock-free lookup of its series and a few relaxed atomic additions;
//! the exposition is written by hand because the Prometheus client crates keep labelled series
//! behind a lock and allocate label sets per update.

mod db;
mod exposition;
mod histogram;
mod process;
mod series;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(crate) use db::DbOperations;
pub(crate) use histogram::AtomicHistogram;
pub(crate) use series::{OTHER_METHOD, method_label};

use crate::config::{Config, Secret};
use crate::version::AppVersion;
use exposition::{Exposition, Format, Kind};
use histogram::HistogramSnapshot;
use series::{RouteSeries, SeriesTable, UNMATCHED_ROUTE};

/// What the exporter (and the deployment API) reads of the measurement pipeline, at the one
/// boundary where the collector's counters become figures; the collector implements it.
pub(crate) trait PipelineHealth: Send + Sync {
    /// Measurements waiting in the queue.
    fn queued(&self) -> usize;
    /// Measurements stored so far.
    fn written(&self) -> u64;
    /// Measurements lost so far: the queue was full or closed, or the database refused them.
    fn dropped(&self) -> u64;
    /// Failed attempts to store a batch so far (each is tried again).
    fn write_failures(&self) -> u64;
    /// Durations of the writer's batches.
    fn batch_duration(&self) -> &AtomicHistogram;
    /// Monitored requests being served.
    fn in_flight(&self) -> i64;
    /// How long the oldest measurement of the latest batch waited until it was stored.
    fn writer_lag(&self) -> Duration;
}

/// The service's metrics: requests, updated on the hot path, and statements, updated by the
/// writer.
#[derive(Default)]
pub(crate) struct ServiceMetrics {
    series: SeriesTable,
    active: AtomicI64,
    /// Statement durations per database system and operation.
    pub(crate) db: DbOperations,
}

impl ServiceMetrics {
    /// Starts counting a request of `route` (`None` when no route matched).
    pub(crate) fn begin(self: &Arc<Self>, method: &Method, route: Option<&str>) -> InFlight {
        let series = self
            .series
            .get_or_create(method, route.unwrap_or(UNMATCHED_ROUTE));
        self.active.fetch_add(1, Ordering::Relaxed);
        InFlight {
            series,
            metrics: Arc::clone(self),
        }
    }
}

/// A request being counted. However it ends (answered, or dropped when the client goes away),
/// it leaves the active-requests gauge.
pub(crate) struct InFlight {
    series: Arc<RouteSeries>,
    metrics: Arc<ServiceMetrics>,
}

impl InFlight {
    /// Counts the answered request.
    pub(crate) fn finish(self, status: u16, elapsed: Duration) {
        self.series.observe(status, elapsed);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.metrics.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves the metrics.
#[derive(Clone)]
pub(crate) struct Exporter {
    inner: Arc<ExporterInner>,
}

struct ExporterInner {
    metrics: Arc<ServiceMetrics>,
    pipeline: Arc<dyn PipelineHealth>,
    version: String,
    git_commit: Option<String>,
    legacy_names: bool,
    token: Option<Secret>,
}

impl Exporter {
    pub(crate) fn new(
        metrics: Arc<ServiceMetrics>,
        pipeline: Arc<dyn PipelineHealth>,
        config: &Config,
        version: &AppVersion,
    ) -> Self {
        Exporter {
            inner: Arc::new(ExporterInner {
                metrics,
                pipeline,
                version: version.version.clone(),
                git_commit: version.git_commit.clone(),
                legacy_names: config.metrics_legacy_names,
                token: config.metrics_token.clone(),
            }),
        }
    }

    /// A router serving the metrics at `path`.
    pub(crate) fn router(&self, path: &str) -> Router {
        Router::new()
            .route(path, get(scrape))
            .with_state(self.clone())
    }

    /// Whether the request carries the configured bearer token (or none is configured).
    fn authorized(&self, headers: &HeaderMap) -> bool {
        self.inner
            .token
            .as_ref()
            .is_none_or(|token| token.is_bearer_in(headers))
    }

    /// The whole exposition.
    pub(crate) fn render(&self, format: Format) -> String {
        let mut out = Exposition::new(format);
        let series = self.inner.metrics.series.all();
        let by_status: Vec<(&RouteSeries, String, HistogramSnapshot)> = series
            .iter()
            .flat_map(|route| {
                route
                    .by_status()
                    .into_iter()
                    .map(move |(status, histogram)| (&**route, status, histogram))
            })
            .collect();
        out.family(
            "http_server_request_duration_seconds",
            "Duration of HTTP server requests.",
            Kind::Histogram,
        );
        for (route, status, histogram) in &by_status {
            let labels = request_labels(route, status);
            out.histogram("http_server_request_duration_seconds", &labels, histogram);
        }
        // The histogram's `_count` under the name most dashboards expect of a request counter.
        out.family(
            "http_server_requests_total",
            "HTTP server requests answered.",
            Kind::Counter,
        );
        for (route, status, histogram) in &by_status {
            let labels = request_labels(route, status);
            out.sample(
                "http_server_requests_total",
                &labels,
                histogram.count() as f64,
            );
        }
        out.family(
            "http_server_active_requests",
            "Number of active HTTP server requests.",
            Kind::Gauge,
        );
        out.sample(
            "http_server_active_requests",
            &[],
            self.inner.metrics.active.load(Ordering::Relaxed) as f64,
        );
        out.family(
            "service_info",
            "The monitored service's version.",
            Kind::Info,
        );
        match &self.inner.git_commit {
            Some(commit) => out.sample(
                "service_info",
                &[
                    ("service_version", &self.inner.version),
                    ("vcs_revision", commit),
                ],
                1.0,
            ),
            None => out.sample(
                "service_info",
                &[("service_version", &self.inner.version)],
                1.0,
            ),
        }
        out.family(
            "db_client_operation_duration_seconds",
            "Duration of database client operations.",
            Kind::Histogram,
        );
        for (system, operation, histogram) in self.inner.metrics.db.all() {
            let labels = [("db_operation", operation), ("db_system", system)];
            out.histogram("db_client_operation_duration_seconds", &labels, &histogram);
        }
        self.write_health(&mut out);
        process::write(&mut out);
        if self.inner.legacy_names {
            self.write_legacy(&mut out, &series);
        }
        out.finish()
    }

    /// The dashboard's own pipeline: queue, stored and lost measurements, batch durations.
    fn write_health(&self, out: &mut Exposition) {
        let collector = &self.inner.pipeline;
        out.family(
            "dashboard_measurements_queued",
            "Measurements waiting for the writer.",
            Kind::Gauge,
        );
        out.sample(
            "dashboard_measurements_queued",
            &[],
            collector.queued() as f64,
        );
        out.family(
            "dashboard_measurements_written_total",
            "Measurements stored in the database.",
            Kind::Counter,
        );
        out.sample(
            "dashboard_measurements_written_total",
            &[],
            collector.written() as f64,
        );
        out.family(
            "dashboard_measurements_dropped_total",
            "Measurements lost: queue full or closed, or the database failed.",
            Kind::Counter,
        );
        out.sample(
            "dashboard_measurements_dropped_total",
            &[],
            collector.dropped() as f64,
        );
        out.family(
            "dashboard_writer_failures_total",
            "Attempts to store a batch that the database refused; the batch is tried again.",
            Kind::Counter,
        );
        out.sample(
            "dashboard_writer_failures_total",
            &[],
            collector.write_failures() as f64,
        );
        out.family(
            "dashboard_writer_batch_duration_seconds",
            "Time to store one batch of measurements.",
            Kind::Histogram,
        );
        out.histogram(
            "dashboard_writer_batch_duration_seconds",
            &[],
            &collector.batch_duration().snapshot(),
        );
    }

    /// The metric names of Flask-Prometheus and flask_prometheus_metrics, for dashboards that
    /// still use them.
    fn write_legacy(&self, out: &mut Exposition, series: &[Arc<RouteSeries>]) {
        for (latency, count, help) in [
            (
                "flask_request_latency_seconds",
                "flask_request_count",
                "Flask",
            ),
            (
                "app_request_latency_seconds",
                "app_request_count_total",
                "Application",
            ),
        ] {
            out.family(latency, &format!("{help} Request Latency"), Kind::Histogram);
            for route in series {
                let labels = [("endpoint", &*route.route), ("method", route.method)];
                out.histogram(latency, &labels, &route.all_statuses());
            }
            out.family(count, &format!("{help} Request Count"), Kind::Counter);
            for route in series {
                for (status, histogram) in route.by_status() {
                    let labels = [
                        ("endpoint", &*route.route),
                        ("http_status", status.as_str()),
                        ("method", route.method),
                    ];
                    out.sample(count, &labels, histogram.count() as f64);
                }
            }
        }
        out.family("app_version_info", "Application Version", Kind::Gauge);
        out.sample("app_version_info", &[("version", &self.inner.version)], 1.0);
    }
}

/// The labels of a request series, after the OpenTelemetry HTTP semantic conventions.
fn request_labels<'a>(route: &'a RouteSeries, status: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("http_request_method", route.method),
        ("http_route", &route.route),
        ("http_response_status_code", status),
    ]
}

/// `GET {METRICS_PATH}`.
async fn scrape(State(exporter): State<Exporter>, headers: HeaderMap) -> Response {
    if !exporter.authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Bearer")],
            "a valid bearer token is required\n",
        )
            .into_response();
    }
    let format = Format::negotiate(headers.get(ACCEPT).and_then(|accept| accept.to_str().ok()));
    (
        [(CONTENT_TYPE, format.content_type())],
        exporter.render(format),
    )
        .into_response()
}
