//! Resident size of a monitored service under a steady load.

use std::time::{Duration, Instant};

use axum_monitoring_dashboard::Key;
use tokio::runtime::Runtime;

use crate::{dashboard, hello, load, resident_mib};

/// Requests per second of the steady load.
const RATE: u32 = 2_000;
/// Seconds between samples.
const SAMPLE: u64 = 30;

/// Serves at level 1 with the exporter on, under [`RATE`] requests per second for
/// `BENCH_MEMORY_SECONDS` (default 600), sampling the resident size.
pub(crate) fn run(servers: &Runtime, clients: &Runtime, summary: &mut crate::Summary) {
    let seconds: u64 = std::env::var("BENCH_MEMORY_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(600);
    let dir = tempfile::tempdir().unwrap();
    let monitor = servers.block_on(dashboard(
        dir.path(),
        &[(Key::MonitorLevel, "1"), (Key::Metrics, "true")],
        100_000,
    ));
    let address = servers.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = monitor.bind(hello());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        address
    });
    eprintln!("memory: {RATE} requests per second for {seconds} s, a sample every {SAMPLE} s");
    println!("\n| time | resident size | requests stored |");
    println!("|---:|---:|---:|");
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut served = 0;
    while started.elapsed().as_secs() < seconds {
        served += clients.block_on(load::generate(
            address,
            Duration::from_secs(SAMPLE),
            Some(RATE),
        ));
        let resident = resident_mib();
        samples.push(resident);
        println!(
            "| {} s | {resident:.1} MiB | {} |",
            started.elapsed().as_secs(),
            monitor.stored_measurements()
        );
    }
    servers.block_on(monitor.shutdown());
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    let peak = samples.iter().copied().fold(0.0, f64::max);
    println!(
        "\nmemory: {served} requests; resident {first:.1} MiB after {SAMPLE} s, {last:.1} MiB at the end, peak {peak:.1} MiB ({:+.1} %)",
        (last - first) / first * 100.0
    );
    summary.record(
        "memory",
        serde_json::json!({
            "requests": served,
            "first_mib": first,
            "last_mib": last,
            "peak_mib": peak,
        }),
    );
}
