//! Two processes sharing one database (a SQLite file, or the PostgreSQL and MariaDB servers
//! that `cargo xtask test` starts) run each tick of a custom graph once between them.
//!
//! The test runs this test binary twice more as the two processes: each runs
//! `one_process_with_a_graph_every_second` with `GRAPH_PROCESS_DATABASE` set, says `ready` once
//! its dashboard has started, and stops when its standard input closes.

use std::io::{Read, Write};
use std::time::Duration;

use axum_monitoring_dashboard::{Dashboard, Schedule};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, Statement};

const CHILD_DATABASE: &str = "GRAPH_PROCESS_DATABASE";

/// One of the two processes; does nothing in a normal run.
#[tokio::test]
async fn one_process_with_a_graph_every_second() {
    let Ok(database) = std::env::var(CHILD_DATABASE) else {
        return;
    };
    let monitor = Dashboard::builder()
        .database(database)
        .password(crate::common::PASSWORD)
        .graph(
            "ticks",
            Schedule::interval(Duration::from_secs(1)),
            || async { std::process::id() },
        )
        .start()
        .await
        .unwrap();
    println!("ready");
    std::io::stdout().flush().unwrap();
    // Until the parent closes our standard input.
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
        .await
        .unwrap()
        .unwrap();
    monitor.shutdown().await;
}

async fn two_processes_store_each_tick_of_a_graph_once(database: &str) {
    let spawn = || {
        crate::common::spawn_test_process(
            "jobs_across_processes::one_process_with_a_graph_every_second",
            CHILD_DATABASE,
            database,
        )
    };
    let mut first = spawn();
    let mut second = spawn();
    let from = Utc::now();
    // The ticks come from the wall clock: the test lets it run.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let to = Utc::now();
    for child in [&mut first, &mut second] {
        drop(child.stdin.take());
    }
    for child in [&mut first, &mut second] {
        assert!(child.wait().unwrap().success());
    }

    let db = Database::connect(database.replacen("sqlite:///", "sqlite://", 1))
        .await
        .unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT d.time, d.value FROM dashboard_custom_graph_data d \
             JOIN dashboard_custom_graph g ON g.id = d.graph_id WHERE g.title = 'ticks' \
             ORDER BY d.time",
        ))
        .await
        .unwrap();
    let points: Vec<(DateTime<Utc>, f64)> = rows
        .iter()
        .map(|row| {
            (
                row.try_get("", "time").unwrap(),
                row.try_get("", "value").unwrap(),
            )
        })
        .collect();
    let in_window: Vec<_> = points
        .iter()
        .filter(|(time, _)| *time > from && *time <= to)
        .collect();
    // Whole seconds in (from, to]: the ticks both processes were up for.
    let expected = to.timestamp() - from.timestamp();
    let found = in_window.len() as i64;
    assert!(
        (expected - 1..=expected + 1).contains(&found),
        "{found} points in {expected} s: {points:?}"
    );
    let mut times: Vec<_> = points.iter().map(|(time, _)| *time).collect();
    times.dedup();
    assert_eq!(times.len(), points.len(), "a tick stored twice: {points:?}");
}

crate::on_every_database!(two_processes_store_each_tick_of_a_graph_once);
