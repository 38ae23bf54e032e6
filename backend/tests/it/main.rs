//! The backend's integration tests, in one binary: a monitored app driven with `oneshot` (or over
//! HTTP), answers read as `dashboard-shared` DTOs. Tests that need a process of their own (a
//! global subscriber, a counting allocator, the process's memory, sampled time) are the other
//! files of `tests/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod access;
mod alerts;
mod charts;
#[cfg(feature = "cli")]
mod cli;
mod database_servers;
mod endpoint_views;
mod export;
mod frontend;
mod host_login;
mod incidents;
mod jobs;
mod jobs_across_processes;
mod level_one;
mod levels;
mod metrics;
mod replicas;
mod reports;
mod resilience;
mod retention;
mod security;
mod upgrade;
mod users;
