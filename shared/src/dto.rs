//! The JSON bodies of the REST API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Body of `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The account's name.
    pub username: String,
    /// The account's password, in clear text (send it over HTTPS).
    pub password: String,
}

/// What a dashboard account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and changes everything.
    Admin,
    /// Reads everything but users and secrets; changes nothing.
    Guest,
}

impl Role {
    /// The name stored in the database and sent in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Guest => "guest",
        }
    }

    /// Parses the stored name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "admin" => Some(Role::Admin),
            "guest" => Some(Role::Guest),
            _ => None,
        }
    }
}

/// The logged-in session, answered by `login` and `me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The account's name.
    pub username: String,
    /// The account's role, as stored in the database now.
    pub role: Role,
    /// The value to send in the `X-CSRF-Token` header of every state-changing request.
    pub csrf_token: String,
    /// The dashboard's `TIMEZONE`, in which pages show times.
    pub timezone: String,
}

/// One endpoint on the overview page. Errors are responses with a status of 400 or more.
///
/// "Today" and "week" are the current calendar day in the configured `TIMEZONE` and that day
/// with the six before it. Medians come from the daily and all-time latency histograms and are
/// within 1.5 % of the exact value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverviewRow {
    /// The endpoint's id, used in the endpoint pages' URLs.
    pub id: i64,
    /// Method and route template, e.g. `GET /users/{id}`.
    pub name: String,
    /// The HTTP method.
    pub method: String,
    /// The matched route template, e.g. `/users/{id}`.
    pub route: String,
    /// Monitoring level, 0 to 3.
    pub monitor_level: u8,
    /// Requests today.
    pub hits_today: u64,
    /// Requests in the last seven days.
    pub hits_week: u64,
    /// Requests ever recorded.
    pub hits_overall: u64,
    /// Error responses today.
    pub errors_today: u64,
    /// Error responses in the last seven days.
    pub errors_week: u64,
    /// Error responses ever recorded.
    pub errors_overall: u64,
    /// Median duration today, in milliseconds; `None` without requests.
    pub median_today_ms: Option<f64>,
    /// Median duration over the last seven days, in milliseconds.
    pub median_week_ms: Option<f64>,
    /// Median duration of every recorded request, in milliseconds.
    pub median_overall_ms: Option<f64>,
    /// When the endpoint was last requested (UTC), at any level.
    pub last_requested: Option<DateTime<Utc>>,
}

/// The body of every error response: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A machine-readable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable code such as `unauthorized` or `bad_request`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_its_stored_name() {
        for role in [Role::Admin, Role::Guest] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(
            serde_json::to_string(&Role::Guest).ok().as_deref(),
            Some("\"guest\"")
        );
    }
}

/// A dashboard account as the user-management API shows it (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    /// The account's id.
    pub id: i64,
    /// Its unique name.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// When it was created (UTC).
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /api/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// A name not taken yet.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    /// The same password again.
    pub password_repeat: String,
    /// The role.
    pub role: Role,
}

/// Body of `PATCH /api/users/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    /// A new role (an admin cannot take its own admin role away).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A new password (at least 8 characters); ends the account's sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The new password again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_repeat: Option<String>,
    /// The current password, needed to change one's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_password: Option<String>,
}

/// Facts of the deployment, for the configuration page and the export API. Never a secret: no
/// password, token, signing key or database URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeploymentDetails {
    /// Version of axum-monitoring-dashboard.
    pub dashboard_version: String,
    /// The monitored application's version (`APP_VERSION`).
    pub app_version: String,
    /// When the first stored request arrived (UTC).
    pub first_request: Option<DateTime<Utc>>,
    /// The version that served the first stored request.
    pub first_request_version: Option<String>,
    /// Requests recorded (level 1 and above).
    pub total_requests: u64,
    /// `sqlite` or `postgresql`.
    pub database_backend: String,
    /// `TABLE_PREFIX`.
    pub table_prefix: String,
    /// `MONITOR_LEVEL` of new endpoints.
    pub monitor_level: u8,
    /// `SAMPLING_PERIOD` in milliseconds.
    pub sampling_period_ms: u64,
    /// `OUTLIER_DETECTION_CONSTANT`.
    pub outlier_detection_constant: f64,
    /// `TIMEZONE`.
    pub timezone: String,
    /// Whether the export API is enabled (a `SECURITY_TOKEN` is set).
    pub export_enabled: bool,
    /// Measurements this process has waiting for the writer.
    pub measurements_queued: u64,
    /// Measurements this process lost: queue full or closed, or the database failed at shutdown.
    pub measurements_dropped: u64,
    /// Attempts of this process to store a batch that the database refused (each is retried).
    pub writer_failures: u64,
}

/// One request in the export API, with every level-1 field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedRequest {
    /// The request's id; pages are ordered by it.
    pub id: i64,
    /// `METHOD /route`.
    pub endpoint: String,
    /// Duration in milliseconds.
    pub duration_ms: f64,
    /// When it arrived (UTC, RFC 3339).
    pub time_requested: DateTime<Utc>,
    /// The application version.
    pub version_requested: String,
    /// The `group_by` value.
    pub group_by: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// The status code sent.
    pub status_code: u16,
    /// Database statements it ran.
    pub query_count: u64,
    /// Their total time in milliseconds.
    pub query_ms: f64,
    /// Outgoing HTTP calls it made.
    pub call_count: u64,
    /// Their total time in milliseconds.
    pub call_ms: f64,
}

/// A page of exported requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestPage {
    /// Up to `limit` requests, oldest id first.
    pub requests: Vec<ExportedRequest>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// An endpoint's monitoring rule in the export API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedEndpoint {
    /// `METHOD /route`.
    pub name: String,
    /// Monitoring level 0–3.
    pub monitor_level: u8,
    /// When it was first seen (UTC).
    pub time_added: DateTime<Utc>,
    /// The version that first served it.
    pub version_added: String,
    /// When it was last requested (UTC).
    pub last_requested: Option<DateTime<Utc>>,
}

/// Body of `PUT /api/endpoints/{id}/level`, and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointLevel {
    /// Monitoring level: 0 (last request only), 1 (performance), 2 (outliers), 3 (profiler).
    pub level: u8,
}
