//! One module per page.

pub(crate) mod alerts;
pub(crate) mod api_performance;
pub(crate) mod configuration;
pub(crate) mod custom_graphs;
pub(crate) mod daily_utilization;
pub(crate) mod database;
pub(crate) mod dependencies;
pub(crate) mod endpoint;
pub(crate) mod exceptions;
pub(crate) mod grouped_profiler;
pub(crate) mod hourly_load;
pub(crate) mod login;
pub(crate) mod multi_version;
pub(crate) mod outliers;
pub(crate) mod overview;
pub(crate) mod profiler;
pub(crate) mod reports;
pub(crate) mod servers;
