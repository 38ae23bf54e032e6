//! The Apalis queue in the dashboard's own database: `apalis-sqlite` or `apalis-postgres` on the
//! sqlx pool that sea-orm opened, so jobs need no other connection. On MySQL, whose Apalis
//! storage (`apalis-mysql` 1.0.0-rc.8) does not build with Apalis 1.0, a tick is claimed in the
//! `job_claim` table instead and run by the process that claimed it.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use sea_orm::DbBackend;
use tokio::sync::{mpsc, watch};

use super::{Job, Runner};
use crate::store::Store;

/// How often an idle worker looks for due jobs.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// How often a job is retried in a row after it failed, before its tick is given up.
const RETRIES: usize = 2;

/// Pause before a worker whose backend failed (the database was unreachable) starts again.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// The queue of one dashboard: its jobs live in Apalis's tables (`Jobs` on SQLite, the `apalis`
/// schema on PostgreSQL) under a queue named after the table prefix, so that two dashboards in
/// one database keep apart.
#[derive(Clone)]
pub(crate) enum Queue {
    Sqlite(SqliteStorage<Job>),
    Postgres(PostgresStorage<Job>),
    /// MySQL: ticks claimed in the database, then handed to this process's worker.
    Claimed(Claims),
}

/// The MySQL queue: a tick claimed by this process goes to its worker through a channel.
#[derive(Clone)]
pub(crate) struct Claims {
    store: Store,
    sender: mpsc::UnboundedSender<Job>,
    receiver: Arc<std::sync::Mutex<Option<mpsc::UnboundedReceiver<Job>>>>,
}

/// How long a claimed tick's key is kept (a tick is claimed within moments by every process).
const CLAIMS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);

impl Queue {
    /// The queue named `name` in the store's database, whose migrations made Apalis's tables.
    pub(crate) fn open(store: &Store, name: &str) -> Queue {
        let db = store.db();
        match db.get_database_backend() {
            DbBackend::MySql => {
                let (sender, receiver) = mpsc::unbounded_channel();
                Queue::Claimed(Claims {
                    store: store.clone(),
                    sender,
                    receiver: Arc::new(std::sync::Mutex::new(Some(receiver))),
                })
            }
            DbBackend::Postgres => {
                let config = apalis_postgres::Config::default().queue(name);
                Queue::Postgres(
                    PostgresStorage::new(db.get_postgres_connection_pool()).with_config(config),
                )
            }
            _ => {
                let config = apalis_sqlite::Config::default().queue(name);
                Queue::Sqlite(
                    SqliteStorage::new(db.get_sqlite_connection_pool()).with_config(config),
                )
            }
        }
    }

    /// Queues `job` to run now, once: a second push of the same key (by any process) is dropped
    /// (silently on SQLite, as a unique violation on PostgreSQL).
    pub(crate) async fn push(&mut self, job: Job) -> Result<(), NotQueued> {
        self.push_after(job, Duration::ZERO).await
    }

    /// Queues `job` to run once after `wait` (on MySQL, this process's worker gets it then).
    pub(crate) async fn push_after(&mut self, job: Job, wait: Duration) -> Result<(), NotQueued> {
        let mut task = TaskBuilder::new(job.clone()).idempotency_key(job.key());
        if !wait.is_zero() {
            task = task.run_after(wait);
        }
        let task = task.build();
        let pushed: Result<(), Box<dyn std::error::Error + Send + Sync>> = match self {
            Queue::Sqlite(storage) => storage.push_task(task).await.map_err(Box::from),
            Queue::Postgres(storage) => storage.push_task(task).await.map_err(Box::from),
            Queue::Claimed(claims) => {
                let now = chrono::Utc::now();
                match claims
                    .store
                    .claim_job(&job.key(), now, now - CLAIMS_KEPT)
                    .await
                {
                    Ok(true) => {
                        // The worker ended only at shutdown: a tick then is not run.
                        let sender = claims.sender.clone();
                        let job = job.clone();
                        if wait.is_zero() {
                            let _ = sender.send(job);
                        } else {
                            tokio::spawn(async move {
                                tokio::time::sleep(wait).await;
                                let _ = sender.send(job);
                            });
                        }
                        Ok(())
                    }
                    Ok(false) => Ok(()),
                    Err(error) => Err(Box::from(error)),
                }
            }
        };
        match pushed {
            Ok(()) => Ok(()),
            Err(error) if is_unique_violation(error.as_ref()) => Ok(()),
            Err(error) => Err(NotQueued {
                job: job.to_string(),
                error,
            }),
        }
    }

    /// Runs this process's worker until `shutdown`, starting it again after a database failure.
    pub(crate) async fn work(self, runner: Arc<Runner>, mut shutdown: watch::Receiver<bool>) {
        if let Queue::Claimed(claims) = self {
            return claims.work(runner, shutdown).await;
        }
        let worker_name = worker_name();
        loop {
            let stopped = {
                let mut shutdown = shutdown.clone();
                async move {
                    let _ = shutdown.wait_for(|stopped| *stopped).await;
                    Ok::<(), WorkerError>(())
                }
            };
            // The same worker on either storage; their types differ, so a macro spells it once.
            macro_rules! run_worker {
                ($storage:expr) => {
                    WorkerBuilder::new(worker_name.as_str())
                        .backend($storage.poll_with_strategy(
                            Strategy::new().apply(EveryPeriod::new(POLL_INTERVAL)),
                        ))
                        .retry(RetryPolicy::retries(RETRIES))
                        .data(Arc::clone(&runner))
                        .build(run)
                        .run_until(stopped)
                        .await
                };
            }
            let ran = match self.clone() {
                Queue::Sqlite(storage) => run_worker!(storage),
                Queue::Postgres(storage) => run_worker!(storage),
                Queue::Claimed(_) => return,
            };
            if *shutdown.borrow() {
                return;
            }
            if let Err(error) = ran {
                tracing::warn!(%error, "the dashboard's job worker stopped; starting it again");
            }
            tokio::select! {
                _ = tokio::time::sleep(RESTART_PAUSE) => {}
                _ = shutdown.wait_for(|stopped| *stopped) => return,
            }
        }
    }
}

impl Claims {
    /// Runs the jobs this process claimed, one at a time, each tried [`RETRIES`] more times
    /// after a failure, until `shutdown`.
    async fn work(self, runner: Arc<Runner>, mut shutdown: watch::Receiver<bool>) {
        let taken = self
            .receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let Some(mut jobs) = taken else { return };
        loop {
            let job = tokio::select! {
                job = jobs.recv() => job,
                _ = shutdown.wait_for(|stopped| *stopped) => None,
            };
            let Some(job) = job else { return };
            for attempt in 0..=RETRIES {
                match runner.run(job.clone()).await {
                    Ok(()) => break,
                    Err(error) if attempt == RETRIES => {
                        tracing::warn!(%error, %job, "a scheduled job failed; its tick is given up");
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

/// A job that Apalis's storage refused.
#[derive(Debug, thiserror::Error)]
#[error("cannot queue {job}: {error}")]
pub(crate) struct NotQueued {
    job: String,
    error: Box<dyn std::error::Error + Send + Sync>,
}

/// Wakes the worker every `period` to look for due jobs.
///
/// Apalis's own `IntervalStrategy` replaces a delay that fired with a new one it does not poll,
/// so when the delay fires in the same wake-up as an empty fetch, nothing is left to wake the
/// worker until its heartbeat 30 s later: under load, scheduled ticks then stalled for seconds.
/// This one polls its interval until it is pending, so the next tick is always armed.
struct EveryPeriod(tokio::time::Interval);

impl EveryPeriod {
    fn new(period: Duration) -> EveryPeriod {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        EveryPeriod(interval)
    }
}

impl PollStrategy for EveryPeriod {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _: &PollSnapshot) -> Poll<Option<()>> {
        let mut ticked = false;
        while self.0.poll_tick(cx).is_ready() {
            ticked = true;
        }
        if ticked {
            Poll::Ready(Some(()))
        } else {
            Poll::Pending
        }
    }
}

/// Runs one job; an error makes the worker retry it.
async fn run(job: Job, runner: Data<Arc<Runner>>) -> Result<(), BoxDynError> {
    runner.run(job).await.map_err(BoxDynError::from)
}

/// A name no other worker has: Apalis registers workers by name.
fn worker_name() -> String {
    // Without randomness from the OS the name is only less unique: the pid still tells apart
    // the processes of one machine.
    let suffix = crate::accounts::random_token(8).unwrap_or_default();
    format!("dashboard-{}-{suffix}", std::process::id())
}

/// Whether a push failed because the job's idempotency key is taken.
fn is_unique_violation(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(sea_orm::sqlx::Error::Database(database)) =
            error.downcast_ref::<sea_orm::sqlx::Error>()
        {
            return database.is_unique_violation();
        }
        source = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    use super::*;

    /// Counts its wake-ups.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_period_wakes_the_worker_after_each_tick_it_reported() {
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut strategy = EveryPeriod::new(POLL_INTERVAL);
        let snapshot = PollSnapshot::default();
        assert_eq!(
            strategy.poll_drive(&mut cx, &snapshot),
            Poll::Ready(Some(()))
        );
        for tick in 1..=3 {
            tokio::time::advance(POLL_INTERVAL).await;
            assert_eq!(wakes.0.load(Ordering::SeqCst), tick, "woken at tick {tick}");
            assert_eq!(
                strategy.poll_drive(&mut cx, &snapshot),
                Poll::Ready(Some(()))
            );
        }
        assert_eq!(strategy.poll_drive(&mut cx, &snapshot), Poll::Pending);
    }
}
