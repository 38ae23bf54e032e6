//! One module per page.

pub mod api_performance;
pub mod configuration;
pub mod custom_graphs;
pub mod daily_utilization;
pub mod database;
pub mod endpoint;
pub mod exceptions;
pub mod grouped_profiler;
pub mod hourly_load;
pub mod login;
pub mod multi_version;
pub mod outliers;
pub mod overview;
pub mod profiler;
pub mod reports;
