//! The level-1 path against a real PostgreSQL server (`DASHBOARD_TEST_POSTGRES_URL`, which
//! `cargo xtask test` starts on 127.0.0.1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use sea_orm::{ConnectionTrait, Database};

/// A fresh database on the test server, so runs never see each other's rows.
async fn fresh_database() -> String {
    let server = std::env::var("DASHBOARD_TEST_POSTGRES_URL")
        .expect("DASHBOARD_TEST_POSTGRES_URL: run `cargo xtask test`");
    let name = format!(
        "dashboard_test_{}_{}",
        std::process::id(),
        chrono_free_nanos()
    );
    let admin = Database::connect(&server).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

fn chrono_free_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run `cargo xtask test`"]
async fn requests_reach_the_overview_on_postgres() {
    common::level_one_round_trip(&fresh_database().await).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: run `cargo xtask test`"]
async fn two_processes_migrating_postgres_at_once_both_succeed() {
    let url = fresh_database().await;
    // Two pools, as two processes would have: both start, one migrating after the other.
    tokio::join!(common::start(&url), common::start(&url));
}
