//! The hot path: the tower layer that measures every request of the monitored router, the live
//! table of endpoints and their levels, and the facts taken from each request.
//!
//! Nothing here awaits the database: a level lookup is a lock-free read of an immutable map. At
//! level 0 the request's time goes into the endpoint's entry (an atomic maximum); above, the
//! measurement is handed to the writer with `try_send`, and when the queue is full it is dropped
//! and counted. Allocations are the `group_by` value's and, for an endpoint the writer has not
//! registered yet, its route. At level 2 the request is also watched (`crate::outlier`): a copy
//! of its head, a root span and a deadline queued under a short lock (never held across an
//! await). Panics and reported errors of a request are collected while it is polled
//! (`crate::exception`).

mod client_ip;
mod endpoints;
mod group;
pub(crate) mod heartbeat;
mod layer;
mod levels;
mod measurement;
mod past;

pub use group::GroupValue;

pub(crate) use client_ip::client_ip;
pub use layer::{MonitorLayer, MonitorService};
pub use past::PastRequest;

pub(crate) use endpoints::{Endpoints, endpoint_method};
pub(crate) use levels::{follow_levels, load_endpoints};
pub(crate) use measurement::{EndpointRef, Extra, Measurement};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU64, Ordering};

use std::time::Duration;

use axum::extract::Request;
use tokio::sync::mpsc;

use crate::config::{Config, MonitorLevel};
use crate::metrics::{AtomicHistogram, PipelineHealth, ServiceMetrics};
use crate::outlier::Outliers;
use crate::profiler::Profiler;
use crate::store::instances::InstanceId;

/// A function of the request that names its group (usually the user); `None` for no group.
pub(crate) type GroupBy = Arc<dyn Fn(&Request) -> Option<GroupValue> + Send + Sync>;

/// What every clone of the layer shares.
pub(crate) struct Collector {
    pub(crate) endpoints: Endpoints,
    /// `MAX_ENDPOINTS`: past it, requests of new endpoints are dropped and counted.
    max_endpoints: usize,
    /// Whether reaching `MAX_ENDPOINTS` has been logged.
    endpoint_cap_logged: AtomicBool,
    pub(crate) default_level: MonitorLevel,
    pub(crate) group_by: Option<GroupBy>,
    /// Request metrics for the Prometheus exporter, when `METRICS` is on.
    pub(crate) metrics: Option<Arc<ServiceMetrics>>,
    /// Level 2: the outlier watchdog and what it needs.
    pub(crate) outliers: Outliers,
    /// Level 3: the sampler of profiled requests.
    pub(crate) profiler: Profiler,
    /// `SLOW_QUERY_MS` and `SLOW_CALL_MS`: the statements and calls that keep a sample (level 2).
    pub(crate) slow_query: Duration,
    pub(crate) slow_call: Duration,
    /// `TRUSTED_PROXIES`: peers whose forwarding headers are believed.
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// `/{CUSTOM_LINK}`: the dashboard's own routes are never measured.
    own_prefix: String,
    /// `METRICS_PATH` when the exporter shares the app's router: never measured either.
    metrics_path: Option<String>,
    sender: mpsc::Sender<Measurement>,
    dropped: AtomicU64,
    written: AtomicU64,
    write_failures: AtomicU64,
    batch_duration: AtomicHistogram,
    /// Monitored requests being served.
    pub(crate) in_flight: AtomicI64,
    /// How old the oldest measurement of the latest batch was when it was stored, in µs.
    writer_lag_us: AtomicU64,
    /// This process's instance id, which its rows carry (the heartbeat registers the process
    /// again when its row was forgotten).
    instance: AtomicI32,
}

impl Collector {
    pub(crate) fn new(
        config: &Config,
        group_by: Option<GroupBy>,
        sender: mpsc::Sender<Measurement>,
    ) -> Self {
        Collector {
            endpoints: Endpoints::default(),
            max_endpoints: config.max_endpoints,
            endpoint_cap_logged: AtomicBool::new(false),
            default_level: config.monitor_level,
            group_by,
            metrics: config.metrics.then(Arc::default),
            outliers: Outliers::new(config),
            profiler: Profiler::new(config),
            slow_query: Duration::from_millis(config.slow_query_ms),
            slow_call: Duration::from_millis(config.slow_call_ms),
            trusted_proxies: config.trusted_proxies.clone(),
            own_prefix: format!("/{}", config.custom_link),
            metrics_path: (config.metrics && config.metrics_listen.is_none())
                .then(|| config.metrics_path.clone()),
            sender,
            dropped: AtomicU64::new(0),
            written: AtomicU64::new(0),
            write_failures: AtomicU64::new(0),
            batch_duration: AtomicHistogram::new(),
            in_flight: AtomicI64::new(0),
            writer_lag_us: AtomicU64::new(0),
            instance: AtomicI32::new(InstanceId::GONE.0),
        }
    }

    /// This process's instance.
    pub(crate) fn instance(&self) -> InstanceId {
        InstanceId(self.instance.load(Ordering::Relaxed))
    }

    /// Sets this process's instance (at start, and when the heartbeat registered it again).
    pub(crate) fn set_instance(&self, instance: InstanceId) {
        self.instance.store(instance.0, Ordering::Relaxed);
    }

    /// Whether a route template is one of the dashboard's own (pages, API, metrics).
    pub(crate) fn is_own_route(&self, route: &str) -> bool {
        let under_link = route
            .strip_prefix(&self.own_prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        under_link || self.metrics_path.as_deref() == Some(route)
    }

    /// Whether a new endpoint may be registered; past `MAX_ENDPOINTS` it may not, and its
    /// request is counted as dropped (logged once per process).
    pub(crate) fn admits_new_endpoint(&self) -> bool {
        if self.endpoints.len() < self.max_endpoints {
            return true;
        }
        self.dropped.fetch_add(1, Ordering::Relaxed);
        if !self.endpoint_cap_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                max_endpoints = self.max_endpoints,
                "MAX_ENDPOINTS reached: requests of further endpoints are dropped and counted"
            );
        }
        false
    }

    /// Hands a measurement to the writer without waiting; counts it as dropped when the queue is
    /// full or closed.
    /// Returns whether it was queued.
    pub(crate) fn submit(&self, measurement: Measurement) -> bool {
        let queued = self.sender.try_send(measurement).is_ok();
        if !queued {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(
                    dropped,
                    "measurement queue full or closed: measurements are being dropped"
                );
            }
        }
        queued
    }

    /// Counts a stored batch, how long storing it took and how long its oldest measurement
    /// waited until it was stored.
    pub(crate) fn count_written(&self, written: u64, took: Duration, lag: Duration) {
        self.written.fetch_add(written, Ordering::Relaxed);
        self.batch_duration.observe(took);
        self.writer_lag_us.store(
            u64::try_from(lag.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Counts a batch that the database refused (it is tried again).
    pub(crate) fn count_write_failure(&self) {
        self.write_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts measurements that the writer could not store.
    pub(crate) fn count_lost(&self, lost: u64) {
        self.dropped.fetch_add(lost, Ordering::Relaxed);
    }
}

impl PipelineHealth for Collector {
    fn queued(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn write_failures(&self) -> u64 {
        self.write_failures.load(Ordering::Relaxed)
    }

    fn batch_duration(&self) -> &AtomicHistogram {
        &self.batch_duration
    }

    fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    fn writer_lag(&self) -> Duration {
        Duration::from_micros(self.writer_lag_us.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::endpoint::EndpointState;

    fn measurement() -> Measurement {
        Measurement {
            endpoint: EndpointRef::Known(Arc::new(EndpointState::new(
                1,
                MonitorLevel::PERFORMANCE,
            ))),
            time_requested: Utc::now(),
            duration: Duration::from_millis(3),
            status: 200,
            group_by: None,
            ip: None,
            version: None,
            calls: None,
            extra: None,
        }
    }

    #[test]
    fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let (sender, mut receiver) = mpsc::channel(2);
        let collector = Collector::new(&Config::default(), None, sender);
        for _ in 0..5 {
            collector.submit(measurement());
        }
        assert_eq!(collector.dropped(), 3);
        assert!(receiver.try_recv().is_ok() && receiver.try_recv().is_ok());
        receiver.close();
        collector.submit(measurement());
        assert_eq!(collector.dropped(), 4, "a closed queue drops too");
        assert!(
            collector.is_own_route("/dashboard") && collector.is_own_route("/dashboard/api/me")
        );
        assert!(!collector.is_own_route("/dashboards") && !collector.is_own_route("/users/{id}"));
    }
}
