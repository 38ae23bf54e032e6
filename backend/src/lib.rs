//! # axum-monitoring-dashboard
//!
//! An embedded performance dashboard for [Axum](https://docs.rs/axum) services, after
//! Flask-MonitoringDashboard: per-endpoint timing and utilisation at `/dashboard`, stored in
//! SQLite or PostgreSQL, measured without slowing the service down.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use axum_monitoring_dashboard as dashboard;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = dashboard::Dashboard::builder().config_env("DASHBOARD_CONFIG").start().await?;
//! let app = monitor.bind(Router::new().route("/", get(|| async { "hello" })));
//! # Ok(()) }
//! ```
//!
//! See the README for the configuration keys.

/// Every Rust block of the README, compiled (and run, unless `no_run`) as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod accounts;
mod alerts;
mod api;
mod assets;
mod calls;
#[cfg(feature = "cli")]
pub mod cli;
mod collect;
pub mod config;
mod dashboard;
mod digest;
mod endpoint;
mod exception;
mod headers;
mod histogram;
mod jobs;
mod metrics;
mod outlier;
mod profiler;
mod record;
mod reports;
mod schedule;
mod store;
mod version;

pub use accounts::AccountError;
pub use api::HostUser;
#[cfg(feature = "reqwest")]
pub use calls::DashboardMiddleware;
pub use calls::{record_call, record_query};
pub use collect::{GroupValue, MonitorLayer, MonitorService, PastRequest};
pub use config::{Config, ConfigError, Key, MonitorLevel};
pub use dashboard::{Dashboard, DashboardBuilder, StartError, span_layer};
pub use dashboard_shared::Role;
pub use exception::capture_error;
pub use jobs::{GraphError, GraphValue, JobsError};
pub use schedule::{Schedule, ScheduleError};
pub use store::DatabaseError;
pub use version::GitError;
