//! Outliers (slow requests caught while running) and exceptions (panics, 5xx responses and
//! reported errors): what the backend stores of them and the pages show. Every request value in
//! here has had its secrets redacted and its size capped before it was stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A place in the code: the callsite of a `tracing` span (or of a panic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeFrame {
    /// The span's name: the function, for `#[tracing::instrument]`.
    pub function: String,
    /// The module path.
    pub module: Option<String>,
    /// The source file.
    pub file: Option<String>,
    /// The line in the source file.
    pub line: Option<u32>,
}

/// What a request asked for and where it ran, redacted and capped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestContext {
    /// The HTTP method.
    pub method: String,
    /// The matched route template.
    pub route: String,
    /// The URL (path and query).
    pub url: String,
    /// Query values, `[name, value]`.
    pub query: Vec<[String; 2]>,
    /// The fields of a JSON or form body (headers, query and body are empty below level 2).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub body: Option<serde_json::Value>,
    /// Headers, `[name, value]`.
    pub headers: Vec<[String; 2]>,
    /// HTTP version, peer address, server, process id, threads, dashboard and app versions,
    /// `[name, value]`.
    pub environment: Vec<[String; 2]>,
}

/// CPU utilisation when a snapshot was taken, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CpuFigures {
    /// Each core's utilisation.
    pub per_core: Vec<f32>,
    /// This process's use, in percent of one core.
    pub process: f32,
}

/// Memory when a snapshot was taken, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryFigures {
    /// In use on the machine.
    pub used: u64,
    /// The machine's memory.
    pub total: u64,
    /// This process's resident size.
    pub process: u64,
}

/// One outlier: a request still running at its endpoint's average × the outlier constant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutlierCard {
    /// The outlier's id.
    pub id: i64,
    /// The request's id.
    pub request_id: i64,
    /// When the request arrived.
    pub time_requested: DateTime<Utc>,
    /// How long it took in the end, in milliseconds.
    pub duration_ms: f64,
    /// The status it answered.
    pub status: u16,
    /// When the snapshot was taken.
    pub time_captured: DateTime<Utc>,
    /// What the request asked for.
    pub context: RequestContext,
    /// The spans it was in when the snapshot was taken, outermost first.
    pub stack: Vec<CodeFrame>,
    /// CPU at the snapshot; `None` when it was not measured yet (the first figures are read
    /// a moment after the start).
    pub cpu: Option<CpuFigures>,
    /// Memory at the snapshot; `None` when it was not measured yet.
    pub memory: Option<MemoryFigures>,
    /// The statements and calls the request made, most time first.
    pub calls: Vec<crate::RequestCall>,
}

/// A spread of values as a box: whiskers at p5 and p95, box from q1 to q3, line at the median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpreadBox {
    /// What the box describes.
    pub label: String,
    /// Values in the box.
    pub count: u64,
    /// 5th percentile.
    pub p5: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Box plots of one quantity, in `unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    /// The values' unit (`%`, `MiB`).
    pub unit: String,
    /// One box per series.
    pub boxes: Vec<SpreadBox>,
}

/// A page of an endpoint's outliers, newest first, with the spread of CPU and memory across
/// its latest outliers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutlierPage {
    /// The endpoint's outliers in all.
    pub total: u64,
    /// The outliers of this page.
    pub outliers: Vec<OutlierCard>,
    /// Utilisation per core (and of this process) across the latest outliers, in percent.
    pub cpu: Spread,
    /// Process resident size and machine memory in use across the latest outliers, in MiB.
    pub memory: Spread,
}

/// Occurrences of one kind of error: the same type, message shape and span stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionGroup {
    /// The group's id.
    pub id: i64,
    /// The endpoint it occurred on.
    pub endpoint_id: Option<i64>,
    /// `METHOD /route` of that endpoint.
    pub endpoint: Option<String>,
    /// `panic`, `HTTP 503`, or the Rust type of a reported error.
    pub type_name: String,
    /// The latest occurrence's message.
    pub message: String,
    /// Occurrences in all.
    pub count: u64,
    /// The first occurrence.
    pub first_seen: DateTime<Utc>,
    /// The latest occurrence.
    pub last_seen: DateTime<Utc>,
    /// Versions it occurred in, oldest first.
    pub versions: Vec<String>,
    /// Occurrences per day of [`ExceptionGroups::days`].
    pub daily: Vec<u64>,
}

/// Exception groups, the latest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionGroups {
    /// Groups matching the filter in all.
    pub total: u64,
    /// The days of the sparklines (`YYYY-MM-DD`, in `TIMEZONE`), oldest first.
    pub days: Vec<String>,
    /// The groups of this page.
    pub groups: Vec<ExceptionGroup>,
}

/// One occurrence of an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionOccurrence {
    /// When it occurred.
    pub time: DateTime<Utc>,
    /// The version that served the request.
    pub version: String,
    /// The request's id.
    pub request_id: Option<i64>,
}

/// A group with its latest occurrence's context and stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionDetail {
    /// The group.
    pub group: ExceptionGroup,
    /// Where the latest occurrence happened: the panic's `file:line`, when it was a panic.
    pub location: Option<String>,
    /// The spans the latest occurrence happened in, outermost first.
    pub stack: Vec<CodeFrame>,
    /// The latest occurrence's request.
    pub context: RequestContext,
    /// The latest occurrences, newest first (at most 50).
    pub occurrences: Vec<ExceptionOccurrence>,
    /// The statements and calls the latest occurrence's request made, most time first.
    pub calls: Vec<crate::RequestCall>,
}
