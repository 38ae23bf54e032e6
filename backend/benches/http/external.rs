//! CPU per request under an external load generator (`wrk`, a second process), bare and
//! monitored: hello world at full speed and paced to 2,000 requests per second, and a handler
//! that sleeps 5 ms at full speed (about 3,000 requests per second over 16 connections).
//!
//! The server runs in this process, so its CPU (every thread, the dashboard's writer and SQLite
//! included) is this process's CPU clock; `wrk`'s own CPU is another process's. A run's CPU
//! is counted until the writer has stored every request the run served, so the storing is
//! part of the cost. Each variant's handler counts its calls, and the monitored databases must
//! end up with exactly one request row per call, with the default queue capacity.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use axum_monitoring_dashboard::{Dashboard, Key};
use serde_json::json;
use tokio::runtime::Runtime;

use crate::{Summary, median, process_cpu_seconds, stored_rows};

/// Interleaved rounds per variant and load, after one that warms up and is not counted.
const ROUNDS: usize = 4;
/// Connections `wrk` keeps open.
const CONNECTIONS: u32 = 16;
/// The paced load, in requests per second in all.
const PACED_RATE: u32 = 2_000;

/// A load `wrk` puts on a variant.
#[derive(Clone, Copy)]
enum Load {
    /// `/hello` as fast as it answers.
    FullSpeed,
    /// `/hello` at [`PACED_RATE`] requests per second.
    Paced,
    /// `/sleep` (5 ms) as fast as it answers.
    Sleeping,
}

impl Load {
    const ALL: [Load; 3] = [Load::FullSpeed, Load::Paced, Load::Sleeping];

    fn name(self) -> &'static str {
        match self {
            Load::FullSpeed => "hello world, full speed",
            Load::Paced => "hello world, 2,000 req/s",
            Load::Sleeping => "5 ms sleep, full speed",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Load::FullSpeed => "full_speed",
            Load::Paced => "paced_2000",
            Load::Sleeping => "sleep_5ms",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Load::FullSpeed | Load::Paced => "/hello",
            Load::Sleeping => "/sleep",
        }
    }

    /// Seconds per run: the slower loads run longer, so that their CPU per request rests on
    /// some 20,000 requests.
    fn seconds(self) -> u32 {
        match self {
            Load::FullSpeed => 5,
            Load::Paced | Load::Sleeping => 10,
        }
    }
}

/// What one run of a variant under a load measured.
#[derive(Default, Clone, Copy)]
struct Run {
    served: u64,
    seconds: f64,
    cpu_seconds: f64,
}

/// One way of serving `/hello`.
struct Variant {
    name: &'static str,
    key: &'static str,
    url: String,
    calls: Arc<AtomicU64>,
    monitor: Option<Dashboard>,
    /// The folder of the dashboard's database, for the variants that store request rows.
    stored_in: Option<tempfile::TempDir>,
    runs: [Vec<Run>; 3],
}

impl Variant {
    fn rates(&self, load: Load) -> Vec<f64> {
        self.runs[load as usize]
            .iter()
            .map(|run| run.served as f64 / run.seconds)
            .collect()
    }

    fn cpu_per_request_us(&self, load: Load) -> Vec<f64> {
        self.runs[load as usize]
            .iter()
            .map(|run| run.cpu_seconds * 1e6 / run.served as f64)
            .collect()
    }
}

/// `/hello` and `/sleep` (5 ms), counting their calls.
fn counted_hello(calls: &Arc<AtomicU64>) -> Router {
    let (hello_calls, sleep_calls) = (Arc::clone(calls), Arc::clone(calls));
    Router::new()
        .route(
            "/hello",
            get(move || {
                hello_calls.fetch_add(1, Ordering::Relaxed);
                async { "hello" }
            }),
        )
        .route(
            "/sleep",
            get(move || {
                sleep_calls.fetch_add(1, Ordering::Relaxed);
                async {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    "slept"
                }
            }),
        )
}

fn serve(servers: &Runtime, app: Router) -> String {
    servers.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    })
}

fn variant(
    servers: &Runtime,
    name: &'static str,
    key: &'static str,
    wrap: impl FnOnce(Router) -> Router,
) -> Variant {
    let calls = Arc::new(AtomicU64::new(0));
    let url = serve(servers, wrap(counted_hello(&calls)));
    Variant {
        name,
        key,
        url,
        calls,
        monitor: None,
        stored_in: None,
        runs: [Vec::new(), Vec::new(), Vec::new()],
    }
}

/// A monitored variant on a fresh SQLite file, with the default queue capacity.
fn monitored(servers: &Runtime, name: &'static str, key: &'static str, level: &str) -> Variant {
    let dir = tempfile::tempdir().unwrap();
    let monitor = servers.block_on(async {
        Dashboard::builder()
            .database(crate::common::sqlite_url(dir.path()))
            .password(crate::common::PASSWORD)
            .set(Key::MonitorLevel, level)
            .start()
            .await
            .unwrap()
    });
    let calls = Arc::new(AtomicU64::new(0));
    let url = serve(servers, monitor.bind(counted_hello(&calls)));
    Variant {
        name,
        key,
        url,
        calls,
        monitor: Some(monitor),
        stored_in: (level != "0").then_some(dir),
        runs: [Vec::new(), Vec::new(), Vec::new()],
    }
}

/// A `wrk` script that makes each connection wait so that all of them send [`PACED_RATE`]
/// requests per second.
fn pace_script(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("pace.lua");
    let delay_ms = f64::from(CONNECTIONS) * 1000.0 / f64::from(PACED_RATE);
    std::fs::write(
        &path,
        format!("function delay()\n  return {delay_ms}\nend\n"),
    )
    .unwrap();
    path
}

/// Runs `wrk` against `url` and waits for the writer to store what the run served.
fn run(servers: &Runtime, variant: &Variant, load: Load, script: &Path) -> Run {
    let before_calls = variant.calls.load(Ordering::Relaxed);
    let cpu_before = process_cpu_seconds();
    let started = std::time::Instant::now();
    let mut wrk = Command::new("wrk");
    wrk.args([
        "-t2",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{}s", load.seconds()),
    ]);
    if matches!(load, Load::Paced) {
        wrk.arg("-s").arg(script);
    }
    let output = wrk
        .arg(format!("{}{}", variant.url, load.path()))
        .output()
        .expect("wrk is installed (cargo xtask bench installs it from Debian)");
    assert!(output.status.success(), "wrk failed: {output:?}");
    let seconds = started.elapsed().as_secs_f64();
    let served = variant.calls.load(Ordering::Relaxed) - before_calls;
    if let (Some(monitor), Some(_)) = (&variant.monitor, &variant.stored_in) {
        servers.block_on(all_handled(monitor, variant.calls.load(Ordering::Relaxed)));
    }
    Run {
        served,
        seconds,
        cpu_seconds: process_cpu_seconds() - cpu_before,
    }
}

/// Waits until the writer has stored (or dropped) `calls` measurements.
async fn all_handled(monitor: &Dashboard, calls: u64) {
    while monitor.stored_measurements() + monitor.dropped_measurements() < calls {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Runs the interleaved rounds, prints the table, records the figures and checks the rows.
pub(crate) fn run_all(servers: &Runtime, summary: &mut Summary) {
    let scripts = tempfile::tempdir().unwrap();
    let script = pace_script(scripts.path());
    let _enter = servers.enter();
    let prometheus_layer = crate::prometheus_layer();
    let mut variants = vec![
        variant(servers, "bare axum", "bare", |app| app),
        variant(servers, "axum-prometheus 0.10", "axum_prometheus", |app| {
            app.layer(prometheus_layer)
        }),
        monitored(servers, "layer, level 0", "level_0", "0"),
        monitored(servers, "layer, level 1", "level_1", "1"),
        monitored(
            servers,
            "layer, level 3 (no spans in the handler)",
            "level_3",
            "3",
        ),
    ];
    eprintln!(
        "external: wrk, {CONNECTIONS} connections, a warm-up and {ROUNDS} interleaved rounds per variant and load"
    );
    for round in 0..=ROUNDS {
        for load in Load::ALL {
            for variant in &mut variants {
                let measured = run(servers, variant, load, &script);
                if round > 0 {
                    variant.runs[load as usize].push(measured);
                }
            }
        }
        eprintln!("  round {round} of {ROUNDS} done");
    }
    for load in Load::ALL {
        report(&variants, load, summary);
    }
    check_rows(servers, &variants, summary);
}

/// Prints one load's table and records its figures.
fn report(variants: &[Variant], load: Load, summary: &mut Summary) {
    let bare_rate = median(&variants[0].rates(load));
    let bare_cpu = median(&variants[0].cpu_per_request_us(load));
    println!("\nexternal generator (wrk), {}:\n", load.name());
    println!(
        "| variant | requests/s (median) | vs bare | server CPU per request (median) | added |"
    );
    println!("|---|---:|---:|---:|---:|");
    for variant in variants {
        let rate = median(&variant.rates(load));
        let cpu = median(&variant.cpu_per_request_us(load));
        println!(
            "| {} | {rate:.0} | {:.3} | {cpu:.1} µs | {:+.1} µs |",
            variant.name,
            rate / bare_rate,
            cpu - bare_cpu
        );
        summary.record(
            &format!("external.{}.{}", load.key(), variant.key),
            json!({
                "requests_per_second": rate,
                "throughput_vs_bare": rate / bare_rate,
                "cpu_us_per_request": cpu,
                "cpu_us_added": cpu - bare_cpu,
            }),
        );
    }
}

/// Stops the monitored variants and checks that each stored one row per request it served.
fn check_rows(servers: &Runtime, variants: &[Variant], summary: &mut Summary) {
    println!();
    for variant in variants {
        let (Some(monitor), Some(dir)) = (&variant.monitor, &variant.stored_in) else {
            continue;
        };
        servers.block_on(monitor.shutdown());
        let served = variant.calls.load(Ordering::Relaxed);
        let rows = servers.block_on(stored_rows(dir.path()));
        let dropped = monitor.dropped_measurements();
        println!(
            "{}: {served} requests served, {rows} request rows stored, {dropped} dropped",
            variant.name
        );
        summary.record(
            &format!("external.rows.{}", variant.key),
            json!({ "served": served, "stored": rows, "dropped": dropped }),
        );
        assert_eq!(
            (rows, dropped),
            (served, 0),
            "{}: every request served is stored",
            variant.name
        );
    }
}
