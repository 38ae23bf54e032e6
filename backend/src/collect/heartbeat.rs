//! The process's heartbeat: every [`HEARTBEAT_PERIOD`] it stores its figures (CPU, memory,
//! requests in flight, queue, dropped and stored measurements, writer lag) for the Servers page,
//! and forgets instances silent for a day.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::Collector;
use crate::metrics::PipelineHealth;
use crate::store::Store;
use crate::store::instances::{Beat, HEARTBEAT_PERIOD, InstanceStart};

/// When the first heartbeat comes after the start: after the first refresh of the CPU and
/// memory figures.
const FIRST_BEAT: std::time::Duration = std::time::Duration::from_secs(2);

/// What this process registered as.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub(crate) name: String,
    pub(crate) app_version: String,
    pub(crate) started: DateTime<Utc>,
}

impl Registration {
    /// This process: `INSTANCE`, or the host name and the process id.
    pub(crate) fn new(instance: Option<&str>, app_version: &str) -> Self {
        let name = instance.map_or_else(default_name, str::to_owned);
        Registration {
            name,
            app_version: app_version.to_owned(),
            started: Utc::now(),
        }
    }

    /// The registration as the store takes it.
    pub(crate) fn start(&self) -> InstanceStart<'_> {
        InstanceStart {
            name: &self.name,
            app_version: &self.app_version,
            started: self.started,
        }
    }
}

/// `host:pid`, the name of a process without `INSTANCE`.
fn default_name() -> String {
    let host = sysinfo::System::host_name().unwrap_or_else(|_| "unknown-host".to_owned());
    format!("{host}:{}", std::process::id())
}

/// This process's figures now.
pub(crate) fn beat(collector: &Collector) -> Beat {
    let system = collector.outliers.system_now();
    Beat {
        time: Utc::now(),
        cpu_percent: f64::from(system.process_cpu),
        memory_bytes: i64::try_from(system.process_memory).unwrap_or(i64::MAX),
        in_flight: collector.in_flight(),
        queued: i64::try_from(collector.queued()).unwrap_or(i64::MAX),
        dropped: i64::try_from(collector.dropped()).unwrap_or(i64::MAX),
        stored: i64::try_from(collector.written()).unwrap_or(i64::MAX),
        writer_lag_ms: collector.writer_lag().as_secs_f64() * 1000.0,
    }
}

/// Stores a heartbeat every [`HEARTBEAT_PERIOD`] until shutdown (`Dashboard::shutdown` stores
/// the last one once the writer has stored everything). A database that fails is only logged:
/// the next beat tries again.
pub(crate) async fn run(
    store: Store,
    collector: Arc<Collector>,
    registration: Arc<Registration>,
    mut shutdown: watch::Receiver<bool>,
) {
    // The first beat waits for the first CPU and memory figures (the registration already
    // shows the process).
    collector.outliers.system_now();
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + FIRST_BEAT, HEARTBEAT_PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopped = async {
            let _ = shutdown.wait_for(|stopped| *stopped).await;
        };
        tokio::select! {
            _ = ticks.tick() => {}
            () = stopped => return,
        }
        store_beat(&store, &collector, &registration).await;
    }
}

/// Stores one heartbeat and forgets the instances silent for a day.
pub(crate) async fn store_beat(store: &Store, collector: &Collector, registration: &Registration) {
    let beat = beat(collector);
    match store
        .write_heartbeat(collector.instance(), &registration.start(), &beat)
        .await
    {
        Ok(instance) => collector.set_instance(instance),
        Err(error) => tracing::warn!(%error, "cannot store the dashboard's heartbeat"),
    }
    if let Err(error) = store.forget_silent_instances(beat.time).await {
        tracing::warn!(%error, "cannot forget the instances silent for a day");
    }
}
