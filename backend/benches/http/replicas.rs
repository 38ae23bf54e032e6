//! 1, 2 and 4 processes on one PostgreSQL database, each under full HTTP load at level 1: the
//! requests served, the rows stored, the measurements dropped, the failed batches and the
//! database's deadlocks, and then the overview's latency over what they stored.
//!
//! Each process is this benchmark binary again, started with [`REPLICA_DATABASE`] set: it
//! serves `/hello` with the dashboard at level 1, prints `listening ADDR`, and when its standard
//! input closes stops (storing its queue) and prints its counts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum_monitoring_dashboard::{Dashboard, Key};
use dashboard_test_servers::postgres::TestServer;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

use crate::common::{PASSWORD, login};
use crate::{Summary, hello, load, median};

/// Set in a replica process: the database it writes to.
pub(crate) const REPLICA_DATABASE: &str = "BENCH_REPLICA_DATABASE";

/// How long every process is loaded.
const LOAD: Duration = Duration::from_secs(20);

/// The processes of each round, at full speed, then sharing [`PACED_RATE`].
const ROUNDS: [(usize, Option<u32>); 6] = [
    (1, None),
    (2, None),
    (4, None),
    (1, Some(PACED_RATE)),
    (2, Some(PACED_RATE)),
    (4, Some(PACED_RATE)),
];

/// Requests per second in all of a paced round: within what one process stores, so that a
/// round with more processes shows what their writers cost each other rather than the CPU.
const PACED_RATE: u32 = 20_000;

/// Runs one replica process (the child side).
pub(crate) fn replica(database: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let monitor = Dashboard::builder()
            .database(database)
            .password(PASSWORD)
            .set(Key::MonitorLevel, "1")
            .start()
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("listening {}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        let app = monitor.bind(hello());
        let stopped = async {
            tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
                .await
                .ok();
        };
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
            .unwrap();
        monitor.shutdown().await;
        println!(
            "counts {}",
            json!({
                "stored": monitor.stored_measurements(),
                "dropped": monitor.dropped_measurements(),
                "failures": monitor.writer_failures(),
            })
        );
    });
}

/// A replica process and where it listens.
struct Replica {
    child: Child,
    address: SocketAddr,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Replica {
    fn start(database: &str) -> Replica {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(REPLICA_DATABASE, database)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("the replica ended").unwrap();
            if let Some(address) = line.strip_prefix("listening ") {
                break address.parse().unwrap();
            }
        };
        Replica {
            child,
            address,
            lines,
        }
    }

    /// Stops it: its stored, dropped and failed-batch counts.
    fn stop(mut self) -> serde_json::Value {
        drop(self.child.stdin.take());
        let counts = self
            .lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("counts ").map(str::to_owned))
            .expect("the replica's counts");
        assert!(self.child.wait().unwrap().success());
        serde_json::from_str(&counts).unwrap()
    }
}

/// One number a statement answers.
async fn number(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// Runs the rounds against a PostgreSQL server of its own.
pub(crate) fn run(
    servers: &tokio::runtime::Runtime,
    clients: &tokio::runtime::Runtime,
    summary: &mut Summary,
) {
    let server = TestServer::start_own().unwrap();
    let mut rows = Vec::new();
    for (round, (processes, rate)) in ROUNDS.into_iter().enumerate() {
        let name = format!("replicas_{round}");
        let database = servers.block_on(async {
            let admin = Database::connect(server.url()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let (base, _) = server.url().rsplit_once('/').unwrap();
            format!("{base}/{name}")
        });
        let replicas: Vec<Replica> = (0..processes).map(|_| Replica::start(&database)).collect();
        let addresses: Vec<SocketAddr> = replicas.iter().map(|replica| replica.address).collect();
        let started = Instant::now();
        let served: u64 = clients.block_on(async {
            let loads: Vec<_> = addresses
                .iter()
                .map(|address| {
                    let share = rate.map(|rate| rate / processes as u32);
                    tokio::spawn(load::generate(*address, LOAD, share))
                })
                .collect();
            let mut served = 0;
            for load in loads {
                served += load.await.unwrap();
            }
            served
        });
        let loaded = started.elapsed();
        let counts: Vec<serde_json::Value> = replicas.into_iter().map(Replica::stop).collect();
        let sum = |key: &str| -> u64 { counts.iter().filter_map(|c| c[key].as_u64()).sum() };
        let (stored, dropped, failures) = (sum("stored"), sum("dropped"), sum("failures"));
        let (rows_stored, deadlocks, overview_ms) = servers.block_on(async {
            let db = Database::connect(&database).await.unwrap();
            let rows_stored = number(&db, "SELECT COUNT(*) AS n FROM dashboard_request").await;
            let deadlocks = number(
                &db,
                "SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()",
            )
            .await;
            (rows_stored, deadlocks, overview_latency(&database).await)
        });
        let per_second = served as f64 / loaded.as_secs_f64();
        let pace = rate.map_or_else(
            || "full speed".to_owned(),
            |rate| format!("{rate}/s in all"),
        );
        println!(
            "\nreplicas: {processes} process(es) on one PostgreSQL database at {pace}: {served} \
             requests served ({per_second:.0} per second), {rows_stored} rows stored, {dropped} \
             dropped, {failures} failed batches, {deadlocks} deadlocks; the overview then takes \
             {overview_ms:.1} ms"
        );
        assert_eq!(deadlocks, 0, "deadlocks with {processes} processes");
        assert_eq!(failures, 0, "failed batches with {processes} processes");
        assert_eq!(
            stored,
            u64::try_from(rows_stored).unwrap(),
            "every stored row is there"
        );
        assert_eq!(stored + dropped, served, "stored + dropped = served");
        rows.push(json!({
            "processes": processes,
            "paced_rate": rate,
            "served": served,
            "served_per_second": per_second,
            "rows_stored": rows_stored,
            "dropped": dropped,
            "failed_batches": failures,
            "deadlocks": deadlocks,
            "overview_ms": overview_ms,
        }));
    }
    summary.record("replicas", json!(rows));
}

/// The overview's median latency over 5 calls, through a dashboard on `database`, in ms.
async fn overview_latency(database: &str) -> f64 {
    let monitor = Dashboard::builder()
        .database(database)
        .password(PASSWORD)
        .start()
        .await
        .unwrap();
    let app = monitor.routes();
    let cookie = login(&app).await;
    let mut times = Vec::new();
    for _ in 0..5 {
        let request = axum::http::Request::get("/dashboard/api/overview")
            .header(axum::http::header::COOKIE, &cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        let started = Instant::now();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        assert!(response.status().is_success());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    monitor.shutdown().await;
    median(&times)
}
