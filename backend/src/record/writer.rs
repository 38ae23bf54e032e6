//! The single writer task.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use crate::collect::{Collector, EndpointRef, EndpointState, Extra, Measurement};
use crate::exception;
use crate::outlier::{self, ContextRenderer};
use crate::profiler::{Frame, Profile};
use crate::store::Store;
use crate::store::incidents::{ExceptionStack, StoredException, StoredExtra, StoredOutlier};
use crate::store::profiles::{CodeLocation, StoredLine, StoredProfile};
use crate::store::writes::StoredMeasurement;

/// The first pause before storing a failed batch again; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause between two tries.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);
/// Tries of a failing batch left once the dashboard is stopping.
const RETRIES_WHEN_STOPPING: u32 = 3;

/// How often the latest request times of level-0 endpoints are stored.
const TOUCH_INTERVAL: Duration = Duration::from_secs(1);

/// Most measurements stored in one transaction.
const BATCH_SIZE: usize = 1_000;

/// How long the writer rests after a batch: the most a measurement waits before it is stored
/// (besides the batch's own time), and what spares requests from waking the writer one by one.
const REST_BETWEEN_BATCHES: Duration = Duration::from_millis(50);

/// Takes measurements off the queue and stores them, until shut down.
pub(crate) struct Writer {
    pub(crate) store: Store,
    pub(crate) collector: Arc<Collector>,
    pub(crate) receiver: mpsc::Receiver<Measurement>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) version: Arc<str>,
    /// `TIMEZONE`: the daily latency histograms count local days.
    pub(crate) timezone: chrono_tz::Tz,
    pub(crate) log_requests: bool,
    /// Renders outlier snapshots and exception contexts, redacted.
    pub(crate) context: ContextRenderer,
    /// The ids of the code lines stored so far, by span callsite (its address).
    pub(crate) code_lines: HashMap<usize, i32>,
}

impl Writer {
    /// Stores batches as they come; on shutdown, closes the queue and stores what is left.
    ///
    /// After a batch that emptied the queue, the writer rests for [`REST_BETWEEN_BATCHES`]
    /// before it looks again: measurements sent meanwhile wait in the queue without waking the
    /// writer, so requests do not pay for waking another thread one by one, and batches grow.
    /// A full batch is followed by the next at once.
    ///
    /// Every [`TOUCH_INTERVAL`] it also stores the latest request times of level-0 endpoints,
    /// which the layer keeps in the endpoint table instead of queueing.
    pub(crate) async fn run(mut self) {
        let mut batch = Vec::with_capacity(BATCH_SIZE);
        let mut touches = tokio::time::interval(TOUCH_INTERVAL);
        touches.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                received = self.receiver.recv_many(&mut batch, BATCH_SIZE) => {
                    if received == 0 {
                        return self.store_touches().await;
                    }
                    self.store_batch(&mut batch).await;
                    if received == BATCH_SIZE {
                        continue; // more is waiting: no rest under load
                    }
                }
                _ = touches.tick() => {
                    self.store_touches().await;
                    continue;
                }
                _ = self.shutdown.changed() => return self.drain(&mut batch).await,
            }
            tokio::select! {
                _ = tokio::time::sleep(REST_BETWEEN_BATCHES) => {}
                _ = self.shutdown.changed() => return self.drain(&mut batch).await,
            }
        }
    }

    /// Closes the queue and stores everything in it, and the level-0 request times.
    async fn drain(&mut self, batch: &mut Vec<Measurement>) {
        self.receiver.close();
        while self.receiver.recv_many(batch, BATCH_SIZE).await > 0 {
            self.store_batch(batch).await;
        }
        self.store_touches().await;
    }

    /// Stores the latest request times that level-0 endpoints noted since the last time; on
    /// failure they are tried again at the next interval.
    async fn store_touches(&self) {
        let touched: Vec<_> = self
            .collector
            .endpoints
            .all()
            .into_iter()
            .filter_map(|endpoint| Some((endpoint.unstored_touch()?, endpoint)))
            .collect();
        if touched.is_empty() {
            return;
        }
        let latest = touched
            .iter()
            .map(|(time, endpoint)| (endpoint.id, *time))
            .collect();
        match self.store.write_last_requested(latest).await {
            Ok(()) => {
                for (time, endpoint) in touched {
                    endpoint.touch_stored(time);
                }
            }
            Err(error) => {
                self.collector.count_write_failure();
                tracing::warn!(%error, "cannot store the last request times of level-0 endpoints; retrying");
            }
        }
    }

    /// Stores a batch, retrying with growing pauses while the database fails: measurements keep
    /// waiting in the queue meanwhile (and are dropped and counted once it is full). When the
    /// dashboard stops, a failing batch gets [`RETRIES_WHEN_STOPPING`] more tries, then counts
    /// as lost.
    async fn store_batch(&mut self, batch: &mut Vec<Measurement>) {
        let count = batch.len() as u64;
        let mut pause = FIRST_RETRY_PAUSE;
        let mut tries_left_when_stopping = RETRIES_WHEN_STOPPING;
        loop {
            let started = Instant::now();
            let Err(error) = self.try_store(batch).await else {
                self.collector.count_written(count, started.elapsed());
                break;
            };
            self.collector.count_write_failure();
            let stopping = self.stopping();
            if stopping {
                if tries_left_when_stopping == 0 {
                    tracing::error!(%error, lost = count, "cannot store measurements while stopping; they are lost");
                    self.collector.count_lost(count);
                    break;
                }
                tries_left_when_stopping -= 1;
            }
            tracing::warn!(%error, waiting = count, retry_in = ?pause, "cannot store measurements; retrying");
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = self.shutdown.changed(), if !stopping => {}
            }
            pause = (pause * 2).min(MAX_RETRY_PAUSE);
        }
        batch.clear();
    }

    /// Whether the dashboard is shutting down (or was dropped without shutting down).
    fn stopping(&self) -> bool {
        *self.shutdown.borrow() || self.shutdown.has_changed().is_err()
    }

    async fn try_store(&mut self, batch: &[Measurement]) -> Result<(), sea_orm::DbErr> {
        let mut rows = Vec::with_capacity(batch.len());
        let mut endpoints = Vec::with_capacity(batch.len());
        for measurement in batch {
            let version = Arc::clone(measurement.version.as_ref().unwrap_or(&self.version));
            let endpoint = self
                .resolve(&measurement.endpoint, &version, measurement.time_requested)
                .await?;
            if self.log_requests {
                tracing::debug!(endpoint = endpoint.id, status = measurement.status, duration = ?measurement.duration, "request measured");
            }
            let extra = match &measurement.extra {
                Some(extra) => Some(Box::new(
                    self.extra(&endpoint, extra, &version, measurement.duration)
                        .await?,
                )),
                None => None,
            };
            rows.push(StoredMeasurement {
                endpoint_id: endpoint.id,
                level: endpoint.level(),
                time_requested: measurement.time_requested,
                duration_ms: measurement.duration.as_secs_f64() * 1000.0,
                status: measurement.status,
                group_by: measurement.group_by.clone(),
                ip: measurement.ip.map(|ip| ip.to_string()),
                version,
                day: measurement
                    .time_requested
                    .with_timezone(&self.timezone)
                    .date_naive(),
                extra,
            });
            endpoints.push(endpoint);
        }
        self.store.write_measurements(&rows).await?;
        for (endpoint, measurement) in endpoints.iter().zip(batch) {
            endpoint.add_durations(1, measurement.duration);
        }
        Ok(())
    }

    /// What a request leaves besides its row, ready to store: its outlier, exceptions and
    /// profile (built here from its span tree, off the request path).
    async fn extra(
        &mut self,
        endpoint: &EndpointState,
        extra: &Extra,
        version: &str,
        duration: Duration,
    ) -> Result<StoredExtra, sea_orm::DbErr> {
        let profile = extra
            .watch
            .as_ref()
            .and_then(|watch| watch.spans.profile(duration));
        let profile = match profile {
            Some(profile) => Some(self.profile(&profile).await?),
            None => None,
        };
        let (outlier, exceptions) = self.render(endpoint, extra, version);
        Ok(StoredExtra {
            outlier,
            exceptions,
            profile,
        })
    }

    /// A request's profile for storage, with the ids of its code lines (stored when new).
    async fn profile(&mut self, profile: &Profile) -> Result<StoredProfile, sea_orm::DbErr> {
        let mut lines = Vec::with_capacity(profile.lines.len());
        for line in &profile.lines {
            lines.push(StoredLine {
                code_id: self.code_line_id(line.frame).await?,
                indent: i32::from(line.indent),
                duration_ms: line.duration.as_secs_f64() * 1000.0,
                wall_ms: line.wall.as_secs_f64() * 1000.0,
                calls: i64::try_from(line.calls).unwrap_or(i64::MAX),
            });
        }
        Ok(StoredProfile {
            samples: profile.samples,
            sampling_period_ms: self.collector.profiler.sampling_period_ms,
            lines,
        })
    }

    /// The id of a span callsite's code line: from the cache, or stored and cached.
    async fn code_line_id(&mut self, frame: Frame) -> Result<i32, sea_orm::DbErr> {
        let callsite = std::ptr::from_ref(frame).addr();
        if let Some(id) = self.code_lines.get(&callsite) {
            return Ok(*id);
        }
        let location = CodeLocation {
            function: frame.name().to_owned(),
            module: frame.module_path().unwrap_or(frame.target()).to_owned(),
            file: frame.file().unwrap_or_default().to_owned(),
            line: frame.line().unwrap_or(0),
        };
        let id = self.store.code_line_id(&location).await?;
        self.code_lines.insert(callsite, id);
        Ok(id)
    }

    /// Renders a request's outlier snapshot and exceptions for storage, redacted and capped
    /// (only requests that have either pay for rendering their context).
    fn render(
        &self,
        endpoint: &EndpointState,
        extra: &Extra,
        version: &str,
    ) -> (Option<StoredOutlier>, Vec<StoredException>) {
        if extra.snapshot.is_none() && extra.occurrences.is_empty() {
            return (None, Vec::new());
        }
        let (method, route) = self
            .collector
            .endpoints
            .name_of(endpoint.id)
            .map(|(method, route)| (method.to_string(), route))
            .unwrap_or_default();
        let system = extra.snapshot.as_ref().map_or_else(
            || self.collector.outliers.system(),
            |s| Arc::clone(&s.system),
        );
        let context = self
            .context
            .request(extra.watch.as_deref(), &method, &route, system.threads);
        let outlier = extra.snapshot.as_ref().map(|snapshot| StoredOutlier {
            context: {
                let mut context = context.clone();
                context.environment.push([
                    "running when captured".to_owned(),
                    format!("{} ms", snapshot.running_for.as_millis()),
                ]);
                context
            },
            stack: outlier::frames(&snapshot.stack),
            cpu: outlier::cpu(&snapshot.system),
            memory: outlier::memory(&snapshot.system),
            time_captured: snapshot.time,
        });
        let exceptions = extra
            .occurrences
            .iter()
            .map(|occurrence| StoredException {
                signature: exception::signature(endpoint.id, occurrence),
                endpoint_id: endpoint.id,
                type_name: outlier::cap(&occurrence.type_name, outlier::MAX_VALUE_BYTES),
                message: outlier::cap(&occurrence.message, outlier::MAX_VALUE_BYTES),
                stack: ExceptionStack {
                    location: occurrence.location.clone(),
                    frames: outlier::frames(&occurrence.stack),
                },
                context: context.clone(),
                time: occurrence.time,
                version: version.to_owned(),
            })
            .collect();
        (outlier, exceptions)
    }

    /// The endpoint's id and level, registering it in the database and the live table when new
    /// (as added by `version` at `time`, its first request's).
    async fn resolve(
        &self,
        endpoint: &EndpointRef,
        version: &str,
        time: DateTime<Utc>,
    ) -> Result<Arc<EndpointState>, sea_orm::DbErr> {
        let (method, route) = match endpoint {
            EndpointRef::Known(state) => return Ok(Arc::clone(state)),
            EndpointRef::New { method, route } => (method, &**route),
        };
        if let Some(state) = self.collector.endpoints.get(method, route) {
            return Ok(state);
        }
        let (id, level) = self
            .store
            .ensure_endpoint(
                method.as_str(),
                route,
                self.collector.default_level,
                version,
                time,
            )
            .await?;
        Ok(self
            .collector
            .endpoints
            .insert(method, route, Arc::new(EndpointState::new(id, level))))
    }
}
