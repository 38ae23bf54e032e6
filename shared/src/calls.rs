//! What requests wait on: database statements (by fingerprint) and outgoing HTTP calls (by
//! upstream host and path template), application-wide, per endpoint and per request.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::CodeFrame;

/// What a dependency is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    /// A database statement.
    #[default]
    Query,
    /// An outgoing HTTP call.
    Http,
}

/// The query of `GET /api/dependencies`: one kind, a range of days, optionally one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DependencyQuery {
    /// `query` (statements) or `http` (upstreams).
    #[cfg_attr(feature = "openapi", param(inline))]
    #[serde(default)]
    pub kind: DependencyKind,
    /// First day, `YYYY-MM-DD` in `TIMEZONE` (default: six days before `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD` (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Only the calls of this endpoint's requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<i64>,
}

/// An endpoint named in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedEndpoint {
    /// Its id.
    pub id: i64,
    /// `METHOD /route`.
    pub name: String,
}

/// One statement or upstream over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyRow {
    /// The dependency's id.
    pub id: i64,
    /// A statement or an upstream.
    pub kind: DependencyKind,
    /// The database (`sqlite`, `postgresql`, …) or the upstream's host.
    pub system: String,
    /// The statement's first keyword or the HTTP method.
    pub operation: String,
    /// The statement's fingerprint (literals blanked as `?`) or the path template.
    pub name: String,
    /// Calls in the range.
    pub calls: u64,
    /// Their total time in milliseconds.
    pub total_ms: f64,
    /// Their mean in milliseconds.
    pub mean_ms: f64,
    /// Their 95th percentile in milliseconds (from the histograms, within 1.5 %).
    pub p95_ms: f64,
    /// Requests that made at least one.
    pub requests: u64,
    /// Requests flagged N+1 for it (statements).
    pub n_plus_one: u64,
    /// Calls answered 4xx (upstreams).
    pub client_errors: u64,
    /// Calls answered 5xx (upstreams).
    pub server_errors: u64,
    /// Calls that got no answer (upstreams).
    pub failed: u64,
    /// The endpoints whose requests made them, most calls first.
    pub endpoints: Vec<NamedEndpoint>,
    /// Calls per day of the range, oldest first (the list's `days`).
    pub daily: Vec<u64>,
}

/// Statements or upstreams over a range of days, most total time first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyList {
    /// The days of the range, oldest first, as `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// One row per statement or upstream.
    pub rows: Vec<DependencyRow>,
}

/// How many statements each request ran: the spread over an endpoint's requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountSpread {
    /// Requests.
    pub requests: u64,
    /// Fewest.
    pub min: u64,
    /// First quartile.
    pub q1: u64,
    /// Median.
    pub median: u64,
    /// Third quartile.
    pub q3: u64,
    /// 95th percentile.
    pub p95: u64,
    /// Most.
    pub max: u64,
}

/// A request flagged N+1: it ran one statement many times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NPlusOneFlag {
    /// The request.
    pub request_id: i64,
    /// When it arrived.
    pub time: DateTime<Utc>,
    /// The statement's dependency id.
    pub dependency_id: i64,
    /// The statement's fingerprint.
    pub statement: String,
    /// How many times the request ran it.
    pub count: u64,
}

/// A slow statement or call, with the spans it ran in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlowCallSample {
    /// The request it belonged to.
    pub request_id: i64,
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// A statement or an upstream.
    pub kind: DependencyKind,
    /// The statement's fingerprint, or `METHOD host/path`.
    pub name: String,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// Rows returned or affected (statements).
    pub rows: Option<u64>,
    /// The answer's status (upstreams; `None` when none came).
    pub status: Option<u16>,
    /// The spans it ran in, outermost first.
    pub stack: Vec<CodeFrame>,
}

/// What an endpoint's requests waited on over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointCallSummary {
    /// Statements per request (exact, from the requests).
    pub queries_per_request: CountSpread,
    /// Time of all requests, in milliseconds.
    pub request_ms: f64,
    /// Time in statements, in milliseconds.
    pub query_ms: f64,
    /// Time in outgoing calls, in milliseconds.
    pub call_ms: f64,
    /// Requests flagged N+1 in the range.
    pub flagged_requests: u64,
    /// The latest flags (at most 20), newest first.
    pub n_plus_one: Vec<NPlusOneFlag>,
    /// The latest slow samples (at most 20), newest first.
    pub slow: Vec<SlowCallSample>,
}

/// One request's calls to one statement or upstream: what outlier cards and exception details
/// list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestCall {
    /// A statement or an upstream.
    pub kind: DependencyKind,
    /// The statement's fingerprint, or `METHOD host/path`.
    pub name: String,
    /// How many times the request made it.
    pub count: u64,
    /// Their total time, in milliseconds.
    pub total_ms: f64,
    /// Whether it reached `N_PLUS_ONE`.
    pub n_plus_one: bool,
}
