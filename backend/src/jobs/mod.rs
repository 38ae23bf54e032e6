//! Scheduled work on Apalis: custom graphs, pruning past the retention, and comparing a new
//! version with the previous one.
//!
//! Every process computes the same ticks from each schedule and pushes a job per tick into
//! Apalis's table in the dashboard's database, keyed by what it is and its tick time: the key is
//! unique, so the second process's push of a tick is dropped and each tick runs once, on
//! whichever process's worker takes it first. Workers retry a failed job twice at once; a panic
//! in a graph's function fails its tick only.

mod graphs;
mod queue;
mod schedule;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub(crate) use graphs::GraphSpec;
pub use graphs::GraphValue;
pub use schedule::Schedule;

use crate::config::Config;
use crate::store::Store;
use graphs::GraphFn;
use queue::Queue;
use schedule::Ticks;

/// One tick of a schedule, as stored in Apalis's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Job {
    /// Store a custom graph's value for the tick `at`.
    Graph { title: String, at: DateTime<Utc> },
    /// Delete what the retention no longer keeps.
    Prune { at: DateTime<Utc> },
    /// Compare the newest version with the previous one once it has served enough requests.
    CompareVersions { at: DateTime<Utc> },
}

impl Job {
    /// Unique per tick of a schedule: the idempotency key.
    fn key(&self) -> String {
        match self {
            Job::Graph { title, at } => format!("graph {title} @{}", at.timestamp()),
            Job::Prune { at } => format!("prune @{}", at.timestamp()),
            Job::CompareVersions { at } => format!("compare versions @{}", at.timestamp()),
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Job::Graph { title, at } => write!(f, "the custom graph `{title}` at {at}"),
            Job::Prune { at } => write!(f, "the pruning at {at}"),
            Job::CompareVersions { at } => write!(f, "the version comparison at {at}"),
        }
    }
}

/// The Apalis queue name of a dashboard: its table prefix keeps two dashboards in one database
/// apart.
pub(crate) fn queue_name(config: &Config) -> String {
    format!("{}jobs", config.table_prefix)
}

/// How often the newest version is checked for a comparison with the previous one.
const COMPARE_VERSIONS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the jobs this process's worker takes.
pub(crate) struct Runner {
    store: Store,
    config: Arc<Config>,
    /// Graph id and function by title.
    graphs: HashMap<String, (i32, GraphFn)>,
}

impl Runner {
    /// Runs one job; an error is logged here and makes the worker retry it.
    async fn run(&self, job: Job) -> Result<(), String> {
        let ran = match &job {
            Job::Graph { title, at } => self.measure(title, *at).await,
            Job::Prune { at } => self.prune(*at).await,
            Job::CompareVersions { .. } => {
                crate::reports::compare_new_version(&self.store, &self.config)
                    .await
                    .map_err(|error| error.to_string())
            }
        };
        if let Err(error) = &ran {
            tracing::warn!(%error, "{job} failed");
        }
        ran
    }

    async fn measure(&self, title: &str, at: DateTime<Utc>) -> Result<(), String> {
        let (id, function) = self.graphs.get(title).ok_or_else(|| {
            format!(
                "this process has no custom graph `{title}`: give every process that shares the \
                 database the same graphs"
            )
        })?;
        let value = graphs::measure(function).await?;
        self.store
            .insert_graph_value(*id, at, value)
            .await
            .map_err(|error| format!("cannot store its value: {error}"))
    }

    async fn prune(&self, at: DateTime<Utc>) -> Result<(), String> {
        let pruned = self
            .store
            .prune(
                &self.config.retention,
                at,
                &queue_name(&self.config),
                |_| {},
            )
            .await
            .map_err(|error| error.to_string())?;
        if pruned.total() > 0 {
            tracing::info!(?pruned, "pruned rows past their retention");
        }
        Ok(())
    }
}

/// Why the jobs could not start.
#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    /// Two graphs have the same title.
    #[error("two custom graphs are titled `{0}`; titles name graphs and must differ")]
    DuplicateTitle(String),
    /// A schedule that cannot be used.
    #[error("the custom graph `{title}` has a bad schedule: {reason}")]
    Schedule {
        /// The graph.
        title: String,
        /// Why.
        reason: String,
    },
    /// Apalis's tables or the graph rows could not be set up.
    #[error("cannot set up scheduled jobs: {0}")]
    Setup(String),
}

/// Sets up the queue, registers the graphs and starts this process's worker and tickers; they
/// stop when `shutdown` turns true.
pub(crate) async fn start(
    store: &Store,
    config: &Arc<Config>,
    version: &str,
    specs: Vec<GraphSpec>,
    shutdown: &watch::Sender<bool>,
) -> Result<(), JobsError> {
    let mut timers: Vec<(Ticks, Job)> = Vec::new();
    let mut graphs = HashMap::new();
    for spec in specs {
        let ticks = spec
            .schedule
            .ticks()
            .map_err(|reason| JobsError::Schedule {
                title: spec.title.clone(),
                reason,
            })?;
        let id = store
            .graph_id(&spec.title, version)
            .await
            .map_err(|error| JobsError::Setup(error.to_string()))?;
        let job = Job::Graph {
            title: spec.title.clone(),
            at: DateTime::UNIX_EPOCH,
        };
        if graphs
            .insert(spec.title.clone(), (id, spec.function))
            .is_some()
        {
            return Err(JobsError::DuplicateTitle(spec.title));
        }
        timers.push((ticks, job));
    }
    let retention = Schedule::cron(config.retention.schedule.as_str())
        .ticks()
        .map_err(JobsError::Setup)?;
    timers.push((
        retention,
        Job::Prune {
            at: DateTime::UNIX_EPOCH,
        },
    ));
    if config.version_compare_requests > 0 {
        timers.push((
            Schedule::interval(COMPARE_VERSIONS_EVERY)
                .ticks()
                .map_err(JobsError::Setup)?,
            Job::CompareVersions {
                at: DateTime::UNIX_EPOCH,
            },
        ));
    }
    let queue = Queue::open(store, &queue_name(config));
    let runner = Arc::new(Runner {
        store: store.clone(),
        config: Arc::clone(config),
        graphs,
    });
    tokio::spawn(queue.clone().work(runner, shutdown.subscribe()));
    if config.version_compare_requests > 0 {
        // At start too, so a deployment is compared without waiting for the first tick; the
        // tick-aligned time keeps processes starting together from comparing twice.
        let at = DateTime::from_timestamp(
            Utc::now().timestamp() / COMPARE_VERSIONS_EVERY.as_secs() as i64
                * COMPARE_VERSIONS_EVERY.as_secs() as i64,
            0,
        )
        .unwrap_or_default();
        if let Err(error) = queue.clone().push(Job::CompareVersions { at }).await {
            tracing::warn!(%error, "the version comparison was not queued");
        }
    }
    for (ticks, job) in timers {
        tokio::spawn(tick(queue.clone(), ticks, job, shutdown.subscribe()));
    }
    Ok(())
}

/// Pushes `job` at every tick of `ticks` (with the tick's time) until `shutdown`. A tick missed
/// while the process was busy or down is skipped, not made up.
async fn tick(mut queue: Queue, ticks: Ticks, job: Job, mut shutdown: watch::Receiver<bool>) {
    let mut after = Utc::now();
    while let Some(next) = ticks.next_after(after) {
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
        let due = at_tick(&job, next);
        if let Err(error) = queue.push(due).await {
            tracing::warn!(%error, "a scheduled job was not queued");
        }
        after = next.max(Utc::now());
    }
}

/// `job` for the tick at `at`.
fn at_tick(job: &Job, at: DateTime<Utc>) -> Job {
    match job {
        Job::Graph { title, .. } => Job::Graph {
            title: title.clone(),
            at,
        },
        Job::Prune { .. } => Job::Prune { at },
        Job::CompareVersions { .. } => Job::CompareVersions { at },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_has_one_key_whichever_process_pushes_it() {
        let at: DateTime<Utc> = "2026-11-22T10:00:05Z".parse().unwrap();
        let job = at_tick(
            &Job::Graph {
                title: "Users".into(),
                at: DateTime::UNIX_EPOCH,
            },
            at,
        );
        assert_eq!(job.key(), "graph Users @1795341605");
        assert_ne!(job.key(), at_tick(&Job::Prune { at }, at).key());
        let json = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), job);
    }
}
