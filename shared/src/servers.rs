//! The processes that share the dashboard's database (instances), as the Servers page shows
//! them, and the instance filter of the overview and the endpoint views.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An instance shows as silent when its latest heartbeat is older than this, in seconds.
pub const SILENT_AFTER_SECONDS: i64 = 60;

/// One heartbeat: a process's figures at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Heartbeat {
    /// When it was taken.
    pub time: DateTime<Utc>,
    /// The process's CPU use, in percent of one core.
    pub cpu_percent: f64,
    /// Its resident memory, in bytes.
    pub memory_bytes: u64,
    /// Monitored requests being served.
    pub in_flight: u64,
    /// Measurements waiting for the writer.
    pub queued: u64,
    /// Measurements lost since the process started (queue full, database refusing).
    pub dropped: u64,
    /// Measurements stored since the process started.
    pub stored: u64,
    /// How long the oldest measurement of the writer's latest batch waited, in milliseconds.
    pub writer_lag_ms: f64,
}

/// One process sharing the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Server {
    /// Its id: what `instance=` filters by.
    pub id: i64,
    /// `INSTANCE`, by default the host name and the process id.
    pub name: String,
    /// Whether its latest heartbeat is at most [`SILENT_AFTER_SECONDS`] old.
    pub live: bool,
    /// The application version it serves.
    pub app_version: String,
    /// The dashboard version it runs.
    pub dashboard_version: String,
    /// When it started.
    pub started: DateTime<Utc>,
    /// Its latest heartbeat's time.
    pub last_seen: DateTime<Utc>,
    /// Requests it stored today (local day in `TIMEZONE`); the instances' counts add up to the
    /// application's.
    pub requests_today: u64,
    /// Its heartbeats of the last hour, oldest first.
    pub heartbeats: Vec<Heartbeat>,
}

/// The Servers page: live instances first, then silent ones (forgotten after a day).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Servers {
    /// The instances.
    pub servers: Vec<Server>,
    /// Requests stored today by every instance, including those gone.
    pub requests_today: u64,
}

/// The instance filter of the overview and the endpoint views.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InstanceQuery {
    /// Only what this instance (a [`Server::id`]) served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<i64>,
}
