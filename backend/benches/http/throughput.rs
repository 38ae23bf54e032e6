//! Throughput of a hello-world handler, bare and monitored, over loopback.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum_monitoring_dashboard::{Dashboard, Key};
use tokio::runtime::Runtime;

use crate::load::{self, CONNECTIONS};
use crate::{dashboard, drained, hello, median, stored_rows};

const ROUNDS: usize = 7;
const ROUND: Duration = Duration::from_secs(2);

/// One way of serving `/hello`.
struct Variant {
    name: &'static str,
    address: SocketAddr,
    /// The dashboard, for the monitored variants.
    monitor: Option<Dashboard>,
    /// Requests answered per second, per round.
    rates: Vec<f64>,
    /// The same including the time the writer took afterwards to store the round.
    sustained: Vec<f64>,
    served: u64,
}

fn serve(servers: &Runtime, app: Router) -> SocketAddr {
    servers.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        address
    })
}

fn monitored(
    servers: &Runtime,
    dir: &std::path::Path,
    name: &'static str,
    settings: &[(Key, &str)],
) -> Variant {
    let monitor = servers.block_on(dashboard(dir, settings, 4_000_000));
    let address = serve(servers, monitor.bind(hello()));
    variant(name, address, Some(monitor))
}

fn variant(name: &'static str, address: SocketAddr, monitor: Option<Dashboard>) -> Variant {
    Variant {
        name,
        address,
        monitor,
        rates: Vec::new(),
        sustained: Vec::new(),
        served: 0,
    }
}

/// Runs the interleaved rounds and prints the table and the row count check.
pub(crate) fn run(servers: &Runtime, clients: &Runtime, summary: &mut crate::Summary) {
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    // Its handle spawns an upkeep task, so it is made inside the servers' runtime.
    let _enter = servers.enter();
    let prometheus_layer = crate::prometheus_layer();
    let mut variants = vec![
        variant("bare axum", serve(servers, hello()), None),
        monitored(
            servers,
            dirs[0].path(),
            "layer, level 0",
            &[(Key::MonitorLevel, "0")],
        ),
        monitored(
            servers,
            dirs[1].path(),
            "layer, level 1",
            &[(Key::MonitorLevel, "1")],
        ),
        monitored(
            servers,
            dirs[2].path(),
            "layer, level 1 + metrics",
            &[(Key::MonitorLevel, "1"), (Key::Metrics, "true")],
        ),
        variant(
            "axum-prometheus 0.10 layer",
            serve(servers, hello().layer(prometheus_layer)),
            None,
        ),
        monitored(
            servers,
            dirs[3].path(),
            "layer, level 3 (no spans in the handler)",
            &[(Key::MonitorLevel, "3")],
        ),
    ];
    eprintln!(
        "throughput: {ROUNDS} interleaved rounds of {ROUND:?} per variant, {CONNECTIONS} keep-alive connections"
    );
    for round in 0..=ROUNDS {
        for variant in &mut variants {
            let answered = clients.block_on(load::generate(variant.address, ROUND, None));
            variant.served += answered;
            let drain = match &variant.monitor {
                Some(monitor) => servers.block_on(drained(monitor)),
                None => Duration::ZERO,
            };
            // Round 0 warms up: endpoints registered, connections and caches in place.
            if round > 0 {
                variant.rates.push(answered as f64 / ROUND.as_secs_f64());
                variant
                    .sustained
                    .push(answered as f64 / (ROUND + drain).as_secs_f64());
            }
        }
        eprintln!("  round {round} of {ROUNDS} done");
    }
    let bare = median(&variants[0].rates);
    println!(
        "| variant | requests/s (median) | vs bare axum | requests/s incl. storing them | vs bare axum |"
    );
    println!("|---|---:|---:|---:|---:|");
    for variant in &variants {
        let (rate, sustained) = (median(&variant.rates), median(&variant.sustained));
        println!(
            "| {} | {rate:.0} | {:.3} | {sustained:.0} | {:.3} |",
            variant.name,
            rate / bare,
            sustained / bare
        );
        summary.record(
            &format!("throughput.{}", variant.name),
            serde_json::json!({
                "requests_per_second": rate,
                "throughput_vs_bare": rate / bare,
                "including_storing_per_second": sustained,
                "including_storing_vs_bare": sustained / bare,
            }),
        );
    }
    for (variant, dir) in [(&variants[2], &dirs[1]), (&variants[5], &dirs[3])] {
        let Some(monitor) = &variant.monitor else {
            continue;
        };
        servers.block_on(monitor.shutdown());
        let rows = servers.block_on(stored_rows(dir.path()));
        println!(
            "\n{}: {} requests served, {rows} request rows stored, {} dropped",
            variant.name,
            variant.served,
            monitor.dropped_measurements()
        );
        assert_eq!(rows, variant.served, "every request served is stored");
    }
}
