//! The single writer task.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use super::CallResolver;
use dashboard_shared::RequestCall;

use crate::collect::{Collector, EndpointRef, Extra, Measurement};
use crate::endpoint::EndpointState;
use crate::exception;
use crate::outlier::{self, ContextRenderer};
use crate::profiler::{Frame, Profile};
use crate::store::Store;
use crate::store::incidents::{ExceptionStack, StoredException, StoredExtra, StoredOutlier};
use crate::store::labels::Labels;
use crate::store::profiles::{CodeLocation, StoredLine, StoredProfile};
use crate::store::writes::StoredMeasurement;

/// The first pause before storing a failed batch again; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause between two tries.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);
/// The longest [`crate::Dashboard::shutdown`] waits for the queue to be stored; what is not
/// stored by then is counted as dropped.
pub(crate) const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Failed tries of a batch after which, if the database still answers, its measurements are
/// stored one by one: the database refuses something in the batch, not the batch.
const TRIES_BEFORE_SPLITTING: u32 = 2;

/// Tries in a row that found no free connection, after which the writer's pool is rebuilt.
const ACQUIRE_FAILURES_BEFORE_REBUILD: u32 = 3;

/// How often the latest request times of level-0 endpoints are stored.
const TOUCH_INTERVAL: Duration = Duration::from_secs(1);

/// Most measurements stored in one transaction: larger transactions write the pages they share
/// (index tails, rollups) to the WAL fewer times; 4,000 instead of 1,000 took a fifth off the
/// writer's CPU per measurement.
const BATCH_SIZE: usize = 4_000;

/// The longest the writer rests after a batch that emptied the queue: the most a measurement
/// waits before it is stored (besides the batch's own time). Resting spares requests from
/// waking the writer one by one and lets batches grow, so that a moderate rate pays the
/// per-batch work (a transaction, the rollup upserts) once per many rows.
const LONGEST_REST: Duration = Duration::from_millis(500);

/// How often a resting writer looks whether a full batch is waiting, which ends the rest.
const REST_CHECK: Duration = Duration::from_millis(20);

/// How long ago the oldest request of `batch` arrived.
fn oldest_age(batch: &[Measurement]) -> Duration {
    batch
        .iter()
        .map(|measurement| measurement.time_requested)
        .min()
        .and_then(|oldest| (Utc::now() - oldest).to_std().ok())
        .unwrap_or_default()
}

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
    /// The ids of the versions, users and addresses stored so far.
    pub(crate) labels: Labels,
    /// Statements' fingerprints and dependencies' ids so far, and the hour's slow samples.
    pub(crate) calls: CallResolver,
    /// Once stopping: when whatever is not stored yet counts as dropped.
    pub(crate) deadline: Option<Instant>,
    /// `DATABASE`, to rebuild the writer's pool when it stops handing out connections.
    pub(crate) database_url: crate::config::Secret,
}

impl Writer {
    /// Stores batches as they come; on shutdown, closes the queue and stores what is left.
    ///
    /// After a batch that emptied the queue, the writer rests (see [`Writer::rest`]):
    /// measurements sent meanwhile wait in the queue without waking the writer, so requests do
    /// not pay for waking another thread one by one, and batches grow. A full batch is followed
    /// by the next at once.
    ///
    /// Every [`TOUCH_INTERVAL`] it also stores the latest request times of level-0 endpoints,
    /// which the layer keeps in the endpoint table instead of queueing.
    pub(crate) async fn run(mut self) {
        let mut batch = Vec::with_capacity(BATCH_SIZE);
        let mut touches = tokio::time::interval(TOUCH_INTERVAL);
        touches.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if self.stopping() {
                return self.drain(&mut batch).await;
            }
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
            if self.rest().await.is_break() {
                return self.drain(&mut batch).await;
            }
        }
    }

    /// Waits until a full batch is queued or [`LONGEST_REST`] has passed, looking every
    /// [`REST_CHECK`]; breaks when the dashboard is stopping.
    async fn rest(&mut self) -> std::ops::ControlFlow<()> {
        let until = tokio::time::Instant::now() + LONGEST_REST;
        while self.receiver.len() < BATCH_SIZE && tokio::time::Instant::now() < until {
            tokio::select! {
                _ = tokio::time::sleep(REST_CHECK) => {}
                _ = self.shutdown.changed() => return std::ops::ControlFlow::Break(()),
            }
        }
        std::ops::ControlFlow::Continue(())
    }

    /// Closes the queue and stores everything in it, and the level-0 request times, within
    /// [`STOP_TIMEOUT`]; what is left then is counted as dropped.
    async fn drain(&mut self, batch: &mut Vec<Measurement>) {
        self.receiver.close();
        let deadline = *self
            .deadline
            .get_or_insert_with(|| Instant::now() + STOP_TIMEOUT);
        while self.receiver.recv_many(batch, BATCH_SIZE).await > 0 {
            self.store_batch(batch).await;
            if Instant::now() >= deadline {
                let mut left = 0;
                while self.receiver.try_recv().is_ok() {
                    left += 1;
                }
                if left > 0 {
                    tracing::error!(
                        lost = left,
                        "the dashboard stopped before storing every measurement"
                    );
                    self.collector.count_lost(left);
                }
                return;
            }
        }
        let _ = tokio::time::timeout_at(deadline.into(), self.store_touches()).await;
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
    /// waiting in the queue meanwhile (and are dropped and counted once it is full). A batch
    /// that fails [`TRIES_BEFORE_SPLITTING`] times while the database answers other statements
    /// holds something the database refuses: it is stored one measurement at a time, and only
    /// those that still fail are dropped and counted. Once stopping, nothing is tried past the
    /// deadline; what is left counts as dropped.
    async fn store_batch(&mut self, batch: &mut Vec<Measurement>) {
        let mut pause = FIRST_RETRY_PAUSE;
        let mut failures = 0;
        let mut acquire_failures = 0;
        while !batch.is_empty() {
            let started = Instant::now();
            let error = match self.attempt(batch).await {
                Ok(stored) => {
                    self.collector
                        .count_written(stored, started.elapsed(), oldest_age(batch));
                    break;
                }
                Err(error) => error,
            };
            self.collector.count_write_failure();
            failures += 1;
            if matches!(error, sea_orm::DbErr::ConnectionAcquire(_)) {
                acquire_failures += 1;
                if acquire_failures >= ACQUIRE_FAILURES_BEFORE_REBUILD {
                    self.rebuild_pool().await;
                    acquire_failures = 0;
                }
            }
            if failures >= TRIES_BEFORE_SPLITTING && !is_unavailable(&error) && self.answers().await
            {
                tracing::warn!(%error, rows = batch.len(), "the database refuses this batch but answers: storing its measurements one by one");
                self.store_one_by_one(batch).await;
                failures = 0;
                continue;
            }
            if self.past_deadline() {
                tracing::error!(%error, lost = batch.len(), "cannot store measurements while stopping; they are lost");
                self.collector.count_lost(batch.len() as u64);
                break;
            }
            tracing::warn!(%error, waiting = batch.len(), retry_in = ?pause, "cannot store measurements; retrying");
            let stopping = self.deadline.is_some();
            let wake = self.deadline.map_or(Instant::now() + pause, |deadline| {
                deadline.min(Instant::now() + pause)
            });
            tokio::select! {
                _ = tokio::time::sleep_until(wake.into()) => {}
                _ = self.shutdown.changed(), if !stopping && !self.stopping() => {}
            }
            pause = (pause * 2).min(MAX_RETRY_PAUSE);
        }
        batch.clear();
    }

    /// Stores the measurements of a batch the database refused one at a time, dropping and
    /// counting those it refuses on their own. Leaves in `batch` what it could not try because
    /// the database stopped answering or the stop's deadline passed.
    async fn store_one_by_one(&mut self, batch: &mut Vec<Measurement>) {
        let mut refused = 0_u64;
        let mut tried = 0;
        while tried < batch.len() && !self.past_deadline() {
            let started = Instant::now();
            match self.attempt(&batch[tried..=tried]).await {
                Ok(stored) => self.collector.count_written(
                    stored,
                    started.elapsed(),
                    oldest_age(&batch[tried..=tried]),
                ),
                Err(error) if !is_unavailable(&error) && self.answers().await => {
                    refused += 1;
                    if refused.is_power_of_two() {
                        tracing::warn!(%error, refused, "the database refuses a measurement; it is dropped");
                    }
                    self.collector.count_lost(1);
                }
                Err(_) => break, // the database is gone: the caller retries the rest
            }
            tried += 1;
        }
        batch.drain(..tried);
    }

    /// One try at storing `batch`; the measurements stored. Before the stop it takes as long as
    /// the database needs, but once the stop begins (even in the middle of it) the stop's
    /// deadline bounds it.
    async fn attempt(&mut self, batch: &[Measurement]) -> Result<u64, sea_orm::DbErr> {
        let past_deadline =
            || sea_orm::DbErr::Custom("the dashboard's stop deadline passed".to_owned());
        if let Some(deadline) = self.deadline {
            return tokio::time::timeout_at(deadline.into(), self.try_store(batch))
                .await
                .unwrap_or_else(|_| Err(past_deadline()));
        }
        let mut shutdown = self.shutdown.clone();
        let (result, deadline) = {
            let store = self.try_store(batch);
            tokio::pin!(store);
            tokio::select! {
                result = &mut store => (result, None),
                () = async { drop(shutdown.wait_for(|stopped| *stopped).await) } => {
                    let deadline = Instant::now() + STOP_TIMEOUT;
                    let result = tokio::time::timeout_at(deadline.into(), store)
                        .await
                        .unwrap_or_else(|_| Err(past_deadline()));
                    (result, Some(deadline))
                }
            }
        };
        if deadline.is_some() {
            self.deadline = deadline;
        }
        result
    }

    /// Replaces the writer's pool with a new one (the old one closes when its last connection
    /// is returned).
    async fn rebuild_pool(&mut self) {
        match self.store.own_pool(self.database_url.expose()).await {
            Ok(store) => {
                tracing::warn!("the writer's connection pool handed out no connection; rebuilt it");
                self.store = store;
            }
            Err(error) => tracing::warn!(%error, "cannot rebuild the writer's connection pool"),
        }
    }

    /// Whether the database answers a trivial statement now (within a second).
    async fn answers(&self) -> bool {
        tokio::time::timeout(Duration::from_secs(1), self.store.ping())
            .await
            .is_ok_and(|answered| answered.is_ok())
    }

    /// Whether the dashboard is shutting down (or was dropped without shutting down).
    fn stopping(&self) -> bool {
        *self.shutdown.borrow() || self.shutdown.has_changed().is_err()
    }

    /// Whether the stop's deadline has passed.
    fn past_deadline(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
    }

    /// Stores `batch` in one transaction; the measurements stored (those of endpoints past
    /// `MAX_ENDPOINTS` are dropped and counted instead).
    async fn try_store(&mut self, batch: &[Measurement]) -> Result<u64, sea_orm::DbErr> {
        self.calls.forget_observed();
        for calls in batch
            .iter()
            .filter_map(|measurement| measurement.calls.as_deref())
        {
            self.calls.learn_system(calls);
        }
        let mut rows = Vec::with_capacity(batch.len());
        let mut endpoints = Vec::with_capacity(batch.len());
        let mut durations = Vec::with_capacity(batch.len());
        for measurement in batch {
            let version = Arc::clone(measurement.version.as_ref().unwrap_or(&self.version));
            let Some(endpoint) = self
                .resolve(&measurement.endpoint, &version, measurement.time_requested)
                .await?
            else {
                continue;
            };
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
            let calls = match &measurement.calls {
                Some(calls) => Some(Box::new(
                    self.calls
                        .stored(&self.store, endpoint.id, measurement.time_requested, calls)
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
                group_by: measurement
                    .group_by
                    .as_deref()
                    .map(|group| outlier::cap(group, outlier::MAX_VALUE_BYTES)),
                ip: measurement.ip.map(|ip| ip.to_string()),
                version,
                day: measurement
                    .time_requested
                    .with_timezone(&self.timezone)
                    .date_naive(),
                calls,
                extra,
            });
            endpoints.push(endpoint);
            durations.push(measurement.duration);
        }
        self.store
            .write_measurements(&rows, &mut self.labels, self.collector.instance())
            .await?;
        for (endpoint, duration) in endpoints.iter().zip(durations) {
            endpoint.add_durations(1, duration);
        }
        let observed = self.calls.take_observed();
        if let Some(metrics) = &self.collector.metrics {
            for (system, operation, durations) in &observed {
                metrics.db.observe(system, operation, durations);
            }
        }
        Ok(rows.len() as u64)
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
        let outlier_calls = extra
            .snapshot
            .as_ref()
            .map(|snapshot| self.calls.shown(&snapshot.calls))
            .unwrap_or_default();
        let occurrence_calls = extra
            .occurrences
            .iter()
            .map(|occurrence| self.calls.shown(&occurrence.calls))
            .collect();
        let (outlier, exceptions) =
            self.render(endpoint, extra, version, outlier_calls, occurrence_calls);
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
        outlier_calls: Vec<RequestCall>,
        occurrence_calls: Vec<Vec<RequestCall>>,
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
            calls: outlier_calls,
        });
        let exceptions = extra
            .occurrences
            .iter()
            .zip(occurrence_calls)
            .map(|(occurrence, calls)| StoredException {
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
                calls,
            })
            .collect();
        (outlier, exceptions)
    }

    /// The endpoint's id and level, registering it in the database and the live table when new
    /// (as added by `version` at `time`, its first request's); `None` for a new endpoint past
    /// `MAX_ENDPOINTS` (counted as dropped).
    async fn resolve(
        &self,
        endpoint: &EndpointRef,
        version: &str,
        time: DateTime<Utc>,
    ) -> Result<Option<Arc<EndpointState>>, sea_orm::DbErr> {
        let (method, route) = match endpoint {
            EndpointRef::Known(state) => return Ok(Some(Arc::clone(state))),
            EndpointRef::New { method, route } => (method, &**route),
        };
        if let Some(state) = self.collector.endpoints.get(method, route) {
            return Ok(Some(state));
        }
        if !self.collector.admits_new_endpoint() {
            return Ok(None);
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
        Ok(Some(self.collector.endpoints.insert(
            method,
            route,
            Arc::new(EndpointState::new(id, level)),
        )))
    }
}

/// Whether an error says the database cannot be reached or is busy (try again later), rather
/// than that it refuses what it was given.
fn is_unavailable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            let message = error.to_string().to_ascii_lowercase();
            !matches!(error.as_ref(), sea_orm::sqlx::Error::Database(_))
                || [
                    "locked",
                    "busy",
                    "deadlock",
                    "could not serialize",
                    "read-only",
                    "shutting down",
                ]
                .iter()
                .any(|word| message.contains(word))
        }
        _ => false,
    }
}
