//! Level 2: outliers. A request is an outlier when it is still running after its endpoint's
//! average duration × `OUTLIER_DETECTION_CONSTANT` (once the endpoint has
//! `OUTLIER_MIN_SAMPLES` requests). One watchdog task serves every deadline from a timer queue
//! and, at the deadline, takes a snapshot: the spans the request is in, CPU and memory (refreshed
//! in the background), and the request's head and body fields copied when it started.
//!
//! Requests that finish in time cost a copy of their head, a root span and a queued deadline;
//! everything else (redaction, JSON) happens in the writer, for outliers only.

mod context;
mod redact;
mod request;
mod system;
mod watchdog;

pub(crate) use context::{ContextRenderer, cpu, frames, memory};
pub(crate) use redact::{MAX_VALUE_BYTES, cap};
pub(crate) use watchdog::{Snapshot, Watch};

use std::sync::Arc;

use std::time::Instant;

use axum::extract::Request;
use tokio::sync::watch;

use crate::calls::CallLog;
use crate::config::Config;
use crate::endpoint::EndpointState;
use crate::profiler::RequestSpans;
use request::RequestCopy;
use system::{SystemMonitor, SystemState};
use watchdog::Watchdog;

/// What the layer needs to watch requests, shared by every clone of it.
pub(crate) struct Outliers {
    watchdog: Arc<Watchdog>,
    system: Arc<SystemMonitor>,
    constant: f64,
    min_samples: u64,
}

impl Outliers {
    pub(crate) fn new(config: &Config) -> Self {
        Outliers {
            watchdog: Arc::default(),
            system: Arc::default(),
            constant: config.outlier_detection_constant,
            min_samples: config.outlier_min_samples,
        }
    }

    /// Starts the watchdog and the background refresh of CPU and memory figures.
    pub(crate) fn spawn(&self, shutdown: &watch::Sender<bool>) {
        tokio::spawn(
            Arc::clone(&self.watchdog).run(Arc::clone(&self.system), shutdown.subscribe()),
        );
        tokio::spawn(Arc::clone(&self.system).run(shutdown.subscribe()));
    }

    /// The latest CPU and memory figures.
    pub(crate) fn system(&self) -> Arc<SystemState> {
        self.system.latest()
    }

    /// The latest CPU and memory figures, starting their refreshes if they have not started
    /// (the heartbeat reads them whatever the level).
    pub(crate) fn system_now(&self) -> Arc<SystemState> {
        self.system.want();
        self.system.latest()
    }

    /// Starts watching a request at level 2 or more: copies its head and, when the endpoint has
    /// enough history, queues its deadline.
    pub(crate) fn watch(
        &self,
        request: &mut Request,
        endpoint: Option<&EndpointState>,
        started: Instant,
        spans: Arc<RequestSpans>,
        calls: Arc<CallLog>,
    ) -> Arc<Watch> {
        self.system.want();
        let started = tokio::time::Instant::from_std(started);
        let watch = Arc::new(Watch::new(
            RequestCopy::take(request),
            spans,
            calls,
            started,
        ));
        if let Some(threshold) = endpoint
            .and_then(|endpoint| endpoint.outlier_threshold(self.constant, self.min_samples))
        {
            self.watchdog.watch(&watch, started + threshold);
        }
        watch
    }
}
