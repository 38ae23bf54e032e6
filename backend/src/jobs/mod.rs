//! Scheduled work on Apalis: custom graphs, pruning past the retention, comparing a new
//! version with the previous one, checking the alert rules and delivering their messages.
//!
//! Every process computes the same ticks from each schedule and pushes a job per tick into
//! Apalis's table in the dashboard's database, keyed by what it is and its tick time: the key is
//! unique, so the second process's push of a tick is dropped and each tick runs once, on
//! whichever process's worker takes it first. Workers retry a failed job twice at once; a panic
//! in a graph's function fails its tick only.

mod graphs;
mod queue;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub(crate) use graphs::GraphSpec;
pub use graphs::{GraphError, GraphValue};

use crate::config::Config;
use crate::schedule::{Schedule, ScheduleError, Ticks};
use crate::store::Store;
use graphs::GraphFn;
use queue::Queue;

/// What a scheduled job does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Work {
    /// Store a custom graph's value.
    Graph { title: String },
    /// Delete what the retention no longer keeps.
    Prune,
    /// Compare the newest version with the previous one once it has served enough requests.
    CompareVersions,
    /// Check every alert rule and queue the messages it finds.
    CheckAlerts,
    /// Attempt number `attempt` (from 1) at sending the logged message `delivery`.
    Deliver { delivery: i64, attempt: u32 },
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Work::Graph { title } => write!(f, "the custom graph `{title}`"),
            Work::Prune => f.write_str("the pruning"),
            Work::CompareVersions => f.write_str("the version comparison"),
            Work::CheckAlerts => f.write_str("the alert check"),
            Work::Deliver { delivery, attempt } => {
                write!(f, "attempt {attempt} at the alert delivery {delivery}")
            }
        }
    }
}

/// One tick of a schedule, as stored in Apalis's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Job {
    work: Work,
    /// The tick's time.
    at: DateTime<Utc>,
}

impl Job {
    /// Unique per tick of a schedule: the idempotency key, 32 hexadecimal digits of the SHA-256
    /// of the work and the tick's time (a graph's title can be longer than a key column holds).
    fn key(&self) -> String {
        crate::digest::hex_key(&format!("{} @{}", self.work, self.at.timestamp()))
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.work, self.at)
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
    /// The queue, for the jobs that jobs push (deliveries and their retries).
    queue: Queue,
    /// Graph id and function by title.
    graphs: HashMap<String, (i32, GraphFn)>,
}

/// Why a job failed; it is logged and the worker tries the job again.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JobError {
    /// A graph job pushed by a process with other graphs.
    #[error(
        "this process has no custom graph `{0}`: give every process that shares the database the \
         same graphs"
    )]
    UnknownGraph(String),
    /// The graph's function gave no value.
    #[error("the graph's function gave no value: {0}")]
    Graph(#[from] GraphError),
    /// The database refused a read or write.
    #[error("the database failed: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// The version comparison failed.
    #[error(transparent)]
    Report(#[from] crate::reports::ReportError),
    /// The alert check failed.
    #[error(transparent)]
    Alerts(#[from] crate::alerts::AlertError),
    /// A job could not be queued.
    #[error(transparent)]
    NotQueued(#[from] queue::NotQueued),
}

impl Runner {
    /// Runs one job; an error is logged here and makes the worker retry it.
    async fn run(&self, job: Job) -> Result<(), JobError> {
        let ran = match &job.work {
            Work::Graph { title } => self.measure(title, job.at).await,
            Work::Prune => self.prune(job.at).await,
            Work::CompareVersions => crate::reports::compare_new_version(&self.store, &self.config)
                .await
                .map_err(JobError::from),
            Work::CheckAlerts => self.check_alerts(job.at).await,
            Work::Deliver { delivery, attempt } => self.deliver(*delivery, *attempt).await,
        };
        if let Err(error) = &ran {
            tracing::warn!(%error, "{job} failed");
        }
        ran
    }

    async fn measure(&self, title: &str, at: DateTime<Utc>) -> Result<(), JobError> {
        let (id, function) = self
            .graphs
            .get(title)
            .ok_or_else(|| JobError::UnknownGraph(title.to_owned()))?;
        let value = graphs::measure(function).await?;
        Ok(self.store.insert_graph_value(*id, at, value).await?)
    }

    /// Checks the rules and queues a job per message to send.
    async fn check_alerts(&self, at: DateTime<Utc>) -> Result<(), JobError> {
        let deliveries = crate::alerts::check(&self.store, &self.config, at).await?;
        for delivery in deliveries {
            let work = Work::Deliver {
                delivery,
                attempt: 1,
            };
            self.queue.clone().push(Job { work, at }).await?;
        }
        Ok(())
    }

    /// Makes one attempt at a delivery; queues the next one after its wait when it failed.
    async fn deliver(&self, delivery: i64, attempt: u32) -> Result<(), JobError> {
        let outcome = crate::alerts::attempt(&self.store, &self.config, delivery, attempt).await?;
        if let crate::alerts::Attempt::Retry(wait) = outcome {
            let work = Work::Deliver {
                delivery,
                attempt: attempt + 1,
            };
            let at = Utc::now();
            self.queue
                .clone()
                .push_after(Job { work, at }, wait)
                .await?;
        }
        Ok(())
    }

    async fn prune(&self, at: DateTime<Utc>) -> Result<(), JobError> {
        let pruned = self
            .store
            .prune(
                &self.config.retention(),
                at,
                &queue_name(&self.config),
                |_| {},
            )
            .await?;
        if pruned.total() > 0 {
            tracing::info!(?pruned, "pruned rows past their retention");
        }
        Ok(())
    }
}

/// Why the jobs could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
        reason: ScheduleError,
    },
    /// A built-in job's schedule cannot be used.
    #[error("cannot schedule the dashboard's own jobs: {0}")]
    OwnSchedule(ScheduleError),
    /// The graph rows could not be set up.
    #[error("cannot set up scheduled jobs: {0}")]
    Setup(sea_orm::DbErr),
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
    let mut timers = vec![(
        Schedule::cron(config.retention_schedule.as_str()).ticks(),
        Work::Prune,
    )];
    timers.push((
        Schedule::interval(std::time::Duration::from_secs(config.alert_check_seconds)).ticks(),
        Work::CheckAlerts,
    ));
    if config.version_compare_requests > 0 {
        timers.push((
            Schedule::interval(COMPARE_VERSIONS_EVERY).ticks(),
            Work::CompareVersions,
        ));
    }
    let mut timers: Vec<(Ticks, Work)> = timers
        .into_iter()
        .map(|(ticks, work)| ticks.map(|ticks| (ticks, work)))
        .collect::<Result<_, _>>()
        .map_err(JobsError::OwnSchedule)?;
    let mut graphs = HashMap::new();
    for spec in specs {
        if graphs.contains_key(&spec.title) {
            return Err(JobsError::DuplicateTitle(spec.title));
        }
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
            .map_err(JobsError::Setup)?;
        timers.push((
            ticks,
            Work::Graph {
                title: spec.title.clone(),
            },
        ));
        graphs.insert(spec.title, (id, spec.function));
    }
    let queue = Queue::open(store, &queue_name(config));
    let runner = Arc::new(Runner {
        store: store.clone(),
        config: Arc::clone(config),
        queue: queue.clone(),
        graphs,
    });
    tokio::spawn(queue.clone().work(runner, shutdown.subscribe()));
    for (ticks, work) in timers {
        // The version comparison runs at start too, so that a deployment is compared without
        // waiting a minute; for the tick just passed, so processes starting together share it.
        let now_too = work == Work::CompareVersions;
        tokio::spawn(tick(
            queue.clone(),
            ticks,
            work,
            now_too,
            shutdown.subscribe(),
        ));
    }
    Ok(())
}

/// Pushes a job of `work` at every tick of `ticks` (with the tick's time) until `shutdown`,
/// and with `now_too` one for the latest tick before now first. A tick missed while the process
/// was busy or down is skipped, not made up.
async fn tick(
    mut queue: Queue,
    ticks: Ticks,
    work: Work,
    now_too: bool,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut after = Utc::now();
    if now_too && let Some(latest) = ticks.latest_at_or_before(after) {
        after = latest;
        push(&mut queue, &work, latest).await;
    }
    while let Some(next) = ticks.next_after(after) {
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
        push(&mut queue, &work, next).await;
        after = next.max(Utc::now());
    }
}

async fn push(queue: &mut Queue, work: &Work, at: DateTime<Utc>) {
    let job = Job {
        work: work.clone(),
        at,
    };
    if let Err(error) = queue.push(job).await {
        tracing::warn!(%error, "a scheduled job was not queued");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_has_one_key_whichever_process_pushes_it() {
        let at: DateTime<Utc> = "2026-11-22T10:00:05Z".parse().unwrap();
        let job = Job {
            work: Work::Graph {
                title: "Users".into(),
            },
            at,
        };
        assert_eq!(job.key(), job.clone().key());
        assert_eq!(job.key().len(), 32);
        let prune = Job {
            work: Work::Prune,
            at,
        };
        assert_ne!(job.key(), prune.key());
        let json = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), job);
    }
}
