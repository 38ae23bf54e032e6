//! Faults survived, each performed under load on the demo with a PostgreSQL server of the test's
//! own: the database stopped for 30 s, one of two replicas killed with `kill -9`, a graceful
//! stop (SIGTERM), and a database whose every write waits 200 ms. Each checks the application's
//! answers (none failed, none slower), and that every request it served is either stored or
//! counted as dropped — exactly. The figures they print are in `docs/reliability.md`.
//!
//! A binary of its own, and one test at a time: they compare latencies, which other tests on
//! the same two cores would disturb.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use dashboard_e2e::Demo;
use dashboard_test_servers::postgres::TestServer;
use sqlx::{Connection, PgConnection, Row};
use tokio::sync::Mutex;

/// The tests run one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// What the load asks for: a report that waits 50 ms (a query elsewhere) and renders.
const ROUTE: &str = "/reports/slow?delay_ms=50";

/// Clients per demo, each sending its next request when the last one is answered.
const CLIENTS: usize = 16;

/// The longest a measurement waits in the queue before the writer takes it (the writer's
/// `LONGEST_REST`, in the README). A killed process loses at most the requests of one such
/// rest and of the batch it was writing, which takes less than another.
const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// The latency the application may lose under a fault, at the 99th percentile.
const P99_TOLERANCE: f64 = 1.10;

/// The tables whose writes the slow database delays: every table a batch writes.
const TABLES_SLOWED: [&str; 6] = [
    "request",
    "rollup",
    "latency_day",
    "latency_total",
    "status_total",
    "endpoint",
];

/// One answered (or failed) request.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Which demo it went to.
    target: usize,
    /// When it was sent, from the start of the load.
    sent: Duration,
    latency: Duration,
    ok: bool,
}

/// Clients sending requests to the demos until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    started: Instant,
    clients: tokio::task::JoinSet<Vec<Sample>>,
}

impl Load {
    /// [`CLIENTS`] clients for each of `bases`.
    fn start(bases: &[&str]) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a client");
        let mut clients = tokio::task::JoinSet::new();
        for (target, base) in bases.iter().enumerate() {
            for _ in 0..CLIENTS {
                let (stop, http, url) = (Arc::clone(&stop), http.clone(), format!("{base}{ROUTE}"));
                clients.spawn(async move {
                    let mut samples = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let sent = Instant::now();
                        let ok = http
                            .get(&url)
                            .send()
                            .await
                            .is_ok_and(|response| response.status().is_success());
                        samples.push(Sample {
                            target,
                            sent: sent - started,
                            latency: sent.elapsed(),
                            ok,
                        });
                        if !ok {
                            // A refused connection (a stopped process) would spin.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                    samples
                });
            }
        }
        Load {
            stop,
            started,
            clients,
        }
    }

    /// Time since the load started.
    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Stops the clients: every request they sent.
    async fn stop(mut self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        let mut samples = Vec::new();
        while let Some(client) = self.clients.join_next().await {
            samples.extend(client.expect("a client"));
        }
        samples
    }
}

/// The 99th percentile of the latencies of `samples` sent within `window`.
fn p99(samples: &[Sample], window: std::ops::Range<Duration>) -> Duration {
    let mut latencies: Vec<Duration> = samples
        .iter()
        .filter(|sample| window.contains(&sample.sent))
        .map(|sample| sample.latency)
        .collect();
    latencies.sort();
    latencies
        .get(latencies.len() * 99 / 100)
        .copied()
        .unwrap_or_default()
}

/// Requests of demo `target` answered with success.
fn served(samples: &[Sample], target: usize) -> u64 {
    samples
        .iter()
        .filter(|sample| sample.target == target && sample.ok)
        .count() as u64
}

/// What the dashboard's database holds of the instance `name`: its request rows, and the
/// stored and dropped counts of its latest heartbeat.
async fn stored_and_dropped(database: &str, name: &str) -> Result<(u64, u64, u64)> {
    let mut db = PgConnection::connect(database).await?;
    let rows: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM dashboard_request r \
         JOIN dashboard_instance i ON i.id = r.instance_id WHERE i.name = $1",
    )
    .bind(name)
    .fetch_one(&mut db)
    .await?
    .try_get("n")?;
    let beat = sqlx::query(
        "SELECT h.stored, h.dropped FROM dashboard_heartbeat h \
         JOIN dashboard_instance i ON i.id = h.instance_id WHERE i.name = $1 \
         ORDER BY h.time DESC LIMIT 1",
    )
    .bind(name)
    .fetch_optional(&mut db)
    .await?;
    let (stored, dropped): (i64, i64) = match beat {
        Some(beat) => (beat.try_get("stored")?, beat.try_get("dropped")?),
        None => (0, 0),
    };
    Ok((
        u64::try_from(rows)?,
        u64::try_from(stored)?,
        u64::try_from(dropped)?,
    ))
}

/// What the demo made of a fault: its answers before and during the fault (times since the
/// load started), and what it stored and dropped.
#[derive(Debug)]
struct Outcome {
    served: u64,
    failed: usize,
    p99_before: Duration,
    p99_during: Duration,
    rows: u64,
    stored: u64,
    dropped: u64,
}

impl Outcome {
    /// The outcome for the only demo, named `name`, of `samples`.
    async fn of(
        samples: &[Sample],
        database: &str,
        name: &str,
        fault: std::ops::Range<Duration>,
    ) -> Result<Outcome> {
        let (rows, stored, dropped) = stored_and_dropped(database, name).await?;
        Ok(Outcome {
            served: served(samples, 0),
            failed: samples.iter().filter(|sample| !sample.ok).count(),
            p99_before: p99(samples, Duration::from_secs(2)..fault.start),
            p99_during: p99(samples, fault),
            rows,
            stored,
            dropped,
        })
    }

    /// No answer failed or got slower (p99 within [`P99_TOLERANCE`]), and every request served
    /// was stored or counted as dropped.
    fn cost_the_application_nothing(&self) -> Result<()> {
        ensure!(self.failed == 0, "{} requests failed", self.failed);
        ensure!(
            self.p99_during.as_secs_f64() <= self.p99_before.as_secs_f64() * P99_TOLERANCE,
            "p99 {:?} during the fault, {:?} before",
            self.p99_during,
            self.p99_before
        );
        ensure!(
            self.rows == self.stored,
            "the heartbeat says {} stored, the table holds {}",
            self.stored,
            self.rows
        );
        ensure!(
            self.stored + self.dropped == self.served,
            "stored {} + dropped {} != served {}",
            self.stored,
            self.dropped,
            self.served
        );
        Ok(())
    }
}

/// What a test with one demo starts with: its turn, a PostgreSQL server of its own, the demo
/// on it named `name` with a queue of `queue`, and the load on it.
async fn one_loaded_demo(
    name: &str,
    queue: &str,
) -> Result<(tokio::sync::MutexGuard<'static, ()>, TestServer, Demo, Load)> {
    let turn = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start_own()?;
    let app = demo(server.url(), name, queue)?;
    let load = Load::start(&[&app.base]);
    Ok((turn, server, app, load))
}

/// A demo named `name` on `database`, its queue holding `queue` measurements.
fn demo(database: &str, name: &str, queue: &str) -> Result<Demo> {
    Demo::start_on(
        Some(database),
        &[],
        &[
            ("DASHBOARD_INSTANCE", name),
            ("DASHBOARD_QUEUE_CAPACITY", queue),
        ],
    )
}

#[tokio::test]
#[ignore = "needs the demo binary and PostgreSQL's programs: run `cargo xtask test`"]
async fn the_database_stopped_for_30_seconds_costs_the_application_nothing() -> Result<()> {
    let (_turn, server, mut app, load) = one_loaded_demo("outage", "10000").await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let stopped_at = load.elapsed();
    server.stop()?;
    tokio::time::sleep(Duration::from_secs(30)).await;
    server.start_again()?;
    let restarted_at = load.elapsed();
    tokio::time::sleep(Duration::from_secs(15)).await;
    let samples = load.stop().await;
    ensure!(app.signal_and_wait("TERM", Duration::from_secs(30))?);

    let outcome = Outcome::of(&samples, server.url(), "outage", stopped_at..restarted_at).await?;
    let mut db = PgConnection::connect(server.url()).await?;
    let after_restart: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM dashboard_request \
         WHERE time_us > (SELECT MAX(time_us) FROM dashboard_request) - 5000000",
    )
    .fetch_one(&mut db)
    .await?
    .try_get("n")?;
    eprintln!("FIGURES outage: {outcome:?}, stored in the last 5 s {after_restart}");
    outcome.cost_the_application_nothing()?;
    ensure!(
        after_restart > 0,
        "collection did not resume after the restart"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs the demo binary and PostgreSQL's programs: run `cargo xtask test`"]
async fn a_replica_killed_loses_at_most_its_queue_and_the_other_goes_on() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start_own()?;
    let mut killed = demo(server.url(), "killed", "10000")?;
    let mut survivor = demo(server.url(), "survivor", "10000")?;
    let load = Load::start(&[&killed.base, &survivor.base]);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let killed_at = chrono::Utc::now();
    ensure!(!killed.signal_and_wait("KILL", Duration::from_secs(10))?);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let samples = load.stop().await;
    ensure!(survivor.signal_and_wait("TERM", Duration::from_secs(30))?);

    // What a killed process had not stored is what it served after its last commit: its
    // queue, which the writer takes at least every `LONGEST_REST` (500 ms), and the batch it
    // was writing.
    let served_killed = served(&samples, 0);
    let (rows_killed, _, _) = stored_and_dropped(server.url(), "killed").await?;
    let lost = served_killed.saturating_sub(rows_killed);
    let mut db = PgConnection::connect(server.url()).await?;
    let last_stored: i64 = sqlx::query(
        "SELECT MAX(r.time_us) AS t FROM dashboard_request r \
         JOIN dashboard_instance i ON i.id = r.instance_id WHERE i.name = 'killed'",
    )
    .fetch_one(&mut db)
    .await?
    .try_get("t")?;
    let unstored = Duration::from_micros(
        u64::try_from(killed_at.timestamp_micros() - last_stored).unwrap_or(0),
    );
    let served_survivor = served(&samples, 1);
    let (rows, stored, dropped) = stored_and_dropped(server.url(), "survivor").await?;
    let survivor_failed = samples
        .iter()
        .filter(|sample| sample.target == 1 && !sample.ok)
        .count();
    eprintln!(
        "FIGURES kill -9: the killed replica served {served_killed}, stored {rows_killed}, lost \
         {lost}: the requests of its last {unstored:?}; the other served {served_survivor}, \
         failed {survivor_failed}, stored {stored} (rows {rows}), dropped {dropped}"
    );
    ensure!(
        unstored <= FLUSH_INTERVAL * 2,
        "the killed process lost the requests of its last {unstored:?}: more than a rest of the \
         writer and the batch it was writing"
    );
    ensure!(survivor_failed == 0 && dropped == 0 && rows == stored);
    ensure!(
        stored == served_survivor,
        "{stored} stored of {served_survivor}"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs the demo binary and PostgreSQL's programs: run `cargo xtask test`"]
async fn a_graceful_stop_under_load_loses_nothing() -> Result<()> {
    let (_turn, server, mut app, load) = one_loaded_demo("stopped", "10000").await?;
    tokio::time::sleep(Duration::from_secs(6)).await;
    ensure!(app.signal_and_wait("TERM", Duration::from_secs(30))?);
    let samples = load.stop().await;
    let served = served(&samples, 0);
    let (rows, stored, dropped) = stored_and_dropped(server.url(), "stopped").await?;
    eprintln!("FIGURES SIGTERM: served {served}, stored {stored} (rows {rows}), dropped {dropped}");
    ensure!(
        dropped == 0 && stored == served && rows == stored,
        "served {served}, stored {stored}, rows {rows}, dropped {dropped}"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs the demo binary and PostgreSQL's programs: run `cargo xtask test`"]
async fn a_slow_database_slows_the_writer_not_the_application() -> Result<()> {
    // A small queue, so that it fills while the slowed writer falls behind.
    let (_turn, server, mut app, load) = one_loaded_demo("slowed", "300").await?;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let slowed_at = load.elapsed();
    let mut db = PgConnection::connect(server.url())
        .await
        .context("the test's own connection")?;
    // Every write statement of the dashboard's tables waits 200 ms.
    sqlx::raw_sql(
        "CREATE FUNCTION slow() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.2); \
         RETURN NULL; END $$ LANGUAGE plpgsql",
    )
    .execute(&mut db)
    .await?;
    for table in TABLES_SLOWED {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON dashboard_{table} \
             FOR EACH STATEMENT EXECUTE FUNCTION slow()"
        )))
        .execute(&mut db)
        .await?;
    }
    tokio::time::sleep(Duration::from_secs(15)).await;
    let samples = load.stop().await;
    // The database recovers before the stop, so that the last heartbeat has the final counts.
    for table in TABLES_SLOWED {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP TRIGGER slow ON dashboard_{table}"
        )))
        .execute(&mut db)
        .await?;
    }
    ensure!(app.signal_and_wait("TERM", Duration::from_secs(60))?);
    let outcome = Outcome::of(&samples, server.url(), "slowed", slowed_at..Duration::MAX).await?;
    eprintln!("FIGURES slow database: {outcome:?}");
    outcome.cost_the_application_nothing()?;
    ensure!(
        outcome.dropped > 0,
        "the queue never filled: make the database slower"
    );
    Ok(())
}
