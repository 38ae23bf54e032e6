//! Project commands, run with `cargo xtask <command>`:
//!
//! - `demo [--bind ADDR] [--traffic N]`: installs what is missing, builds the frontend, starts the
//!   demo service on a fresh SQLite file, sends it traffic, prints the URL and credentials.
//! - `test`: installs what is missing, then runs rustfmt, clippy (native and wasm), every test
//!   (PostgreSQL, Prometheus, browser tests and the API fuzzing with schemathesis included) and
//!   the frontend build.
//! - `bench`: the benchmarks against bare Axum (in process, the profiler, over HTTP), in release
//!   mode.
//! - `dist`: the frontend as users get it, built for release into `ui/dist` and compressed.
//! - `layers`: fails when the backend's top-level modules import each other in a cycle.

mod dist;
mod layers;
mod outside;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("dist") => dist::dist().map(drop),
        Some("layers") => layers::check(),
        _ => {
            eprintln!(
                "usage: cargo xtask demo [--bind ADDR] [--traffic N] | cargo xtask test | cargo xtask bench | cargo xtask dist | cargo xtask layers"
            );
            bail!("unknown or missing command")
        }
    }
}

/// Prints a step, like cargo's own progress lines.
pub(crate) use dashboard_test_servers::step;

/// The workspace root (the parent of `xtask/`). `cargo run` names the manifest folder of this
/// very checkout at run time; the compile-time path may be another clone's when a shared target
/// folder reuses the build.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Cargo's target directory for this workspace.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Runs a command in the workspace root, failing on a non-zero exit.
pub(crate) fn run(command: &mut Command) -> Result<()> {
    let description = format!("{command:?}");
    let status = command
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("cannot run {description}"))?;
    if !status.success() {
        bail!("{description} failed with {status}");
    }
    Ok(())
}

/// `cargo`, the one running this command.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn demo(args: &[String]) -> Result<()> {
    let mut bind = "127.0.0.1:3000".to_owned();
    let mut traffic = "200".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--bind", Some(value)) => bind = value.clone(),
            ("--traffic", Some(value)) => traffic = value.clone(),
            _ => bail!("usage: cargo xtask demo [--bind ADDR] [--traffic N]"),
        }
    }
    dist::dist()?;
    let demo_dir = target_dir().join("demo");
    std::fs::create_dir_all(&demo_dir)?;
    let database = demo_dir.join("dashboard.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", database.display()));
        if file.exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("removing the old demo database {}", file.display()))?;
        }
    }
    step(&format!(
        "starting the demo on {bind} with a fresh database {}",
        database.display()
    ));
    run(cargo()
        .args([
            "run",
            "-p",
            "axum-monitoring-dashboard",
            "--example",
            "demo",
            "--features",
            "reqwest",
            "--",
        ])
        .args([
            "--bind",
            &bind,
            "--traffic",
            &traffic,
            "--database",
            &format!("sqlite:///{}", database.display()),
            // A week of history, so the charts have something to show.
            "--history",
            "7",
        ])
        // Show the Prometheus exporter too, unless told otherwise.
        .env(
            "DASHBOARD_METRICS",
            std::env::var("DASHBOARD_METRICS").unwrap_or_else(|_| "true".to_owned()),
        ))
}

/// Runs the benchmarks in release mode and prints their tables: the hot path in process, the
/// profiler, then over HTTP (throughput, writer capacity, query latency over 10M requests, memory over 10
/// minutes; about 20 minutes in all).
fn bench() -> Result<()> {
    tools::ensure_bench_tools()?;
    step("benchmarking the hot path against bare Axum (release build)");
    run(cargo().args([
        "bench",
        "-p",
        "axum-monitoring-dashboard",
        "--bench",
        "hot_path",
    ]))?;
    step("benchmarking the profiler: spans, a realistic handler at level 3, the grouped profile");
    run(cargo().args([
        "bench",
        "-p",
        "axum-monitoring-dashboard",
        "--bench",
        "profiler",
    ]))?;
    step("benchmarking over HTTP: wrk, throughput, capacity, queries, memory (about 25 minutes)");
    run(cargo().args([
        "bench",
        "-p",
        "axum-monitoring-dashboard",
        "--bench",
        "http",
    ]))?;
    gather_figures()
}

/// Gathers the figures the benchmarks wrote (`target/bench/*.json`) into
/// `docs/performance.json`, beside `docs/performance.md`, so that a later run can be compared.
fn gather_figures() -> Result<()> {
    let mut all = serde_json::Map::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(target_dir().join("bench"))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for path in files {
        let figures: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)
            .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        all.insert(name.into_owned(), figures);
    }
    let out = workspace_root().join("docs").join("performance.json");
    std::fs::write(&out, serde_json::to_string_pretty(&all)? + "\n")?;
    step(&format!("figures gathered into {}", out.display()));
    Ok(())
}

fn test() -> Result<()> {
    tools::ensure_wasm_tools()?;
    tools::ensure_test_tools()?;
    let schemathesis = tools::ensure_fuzzer()?;
    let smtp_python = tools::ensure_smtp_server()?;
    let axe = tools::ensure_axe()?;
    step("cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--check"]))?;
    layers::check()?;
    step("cargo clippy (native)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--exclude",
        "dashboard-frontend",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo clippy (the library without optional features)");
    run(cargo().args([
        "clippy",
        "-p",
        "axum-monitoring-dashboard",
        "--lib",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo clippy (frontend, wasm32)");
    run(cargo().args([
        "clippy",
        "-p",
        "dashboard-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo doc (no warnings)");
    run(cargo()
        .args([
            "doc",
            "--no-deps",
            "--workspace",
            "--exclude",
            "dashboard-frontend",
            "--all-features",
        ])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    dist::dist()?;
    step("building the demo for the browser tests");
    run(cargo().args([
        "build",
        "-p",
        "axum-monitoring-dashboard",
        "--example",
        "demo",
        "--features",
        "reqwest",
    ]))?;
    let outside_address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let outside = outside::build(outside_address)?;
    let postgres = dashboard_test_servers::postgres::TestServer::start()?;
    let mariadb = dashboard_test_servers::mariadb::TestServer::start()?;
    step("cargo test (unit, integration, PostgreSQL, MariaDB, Prometheus and browser tests)");
    let result = run(cargo()
        .args([
            "test",
            "--workspace",
            "--all-features",
            "--",
            "--include-ignored",
        ])
        .env("DASHBOARD_TEST_POSTGRES_URL", postgres.url())
        .env("DASHBOARD_TEST_MYSQL_URL", mariadb.url())
        .env(
            "DASHBOARD_DEMO_BIN",
            target_dir().join("debug/examples/demo"),
        )
        .env("DASHBOARD_E2E_ARTIFACTS", target_dir().join("e2e"))
        .env("DASHBOARD_SCHEMATHESIS", &schemathesis)
        .env("DASHBOARD_TEST_SMTP_PYTHON", &smtp_python)
        .env("DASHBOARD_AXE_JS", &axe)
        .env("DASHBOARD_OUTSIDE_BIN", &outside)
        .env("DASHBOARD_OUTSIDE_ADDR", outside_address.to_string())
        .env("PATH", tools::path_with_cargo_bin()));
    drop(mariadb);
    drop(postgres);
    result
}
