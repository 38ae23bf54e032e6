//! Profiles (level 3): the execution tree of each profiled request, and the grouped profile of
//! an endpoint's latest profiled requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::CodeFrame;

/// One node of a profiled request's tree: a span callsite under its parent path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileLine {
    /// Depth below the request: 0 for spans opened directly under it.
    pub indent: u16,
    /// The span's callsite.
    pub code: CodeFrame,
    /// Its share of the request's samples × the request's duration (the exact wall time when
    /// the request was not sampled), in milliseconds; children included.
    pub duration_ms: f64,
    /// Exact time from creation to close, summed over its calls, in milliseconds.
    pub wall_ms: f64,
    /// Spans of this callsite created under this parent.
    pub calls: u64,
}

/// A profiled request with its tree, lines in pre-order (siblings in call order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfiledRequest {
    /// The request's id.
    pub request_id: i64,
    /// When it arrived (UTC).
    pub time_requested: DateTime<Utc>,
    /// Its duration in milliseconds.
    pub duration_ms: f64,
    /// The status the client received.
    pub status: u16,
    /// Samples taken while it ran; 0 when its durations are exact span times.
    pub samples: u64,
    /// `SAMPLING_PERIOD` when it ran, in milliseconds (0: not sampled).
    pub sampling_period_ms: u64,
    /// The spans under the request, in pre-order.
    pub lines: Vec<ProfileLine>,
}

/// A page of an endpoint's profiled requests, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfilePage {
    /// The endpoint's profiled requests in all.
    pub total: u64,
    /// The requests of this page.
    pub profiles: Vec<ProfiledRequest>,
}

/// One code path of the grouped profile: the same spans from the request down, merged across
/// requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupedLine {
    /// Depth: 0 for the request itself, 1 for the spans opened directly under it.
    pub indent: u16,
    /// The span's callsite; for the request itself, the endpoint's name as the function.
    pub code: CodeFrame,
    /// Requests whose tree contains this path.
    pub hits: u64,
    /// `hits` ÷ requests grouped, in percent.
    pub hits_percent: f64,
    /// Mean duration over the requests that contain the path, in milliseconds.
    pub mean_ms: f64,
    /// Population standard deviation of those durations, in milliseconds.
    pub std_ms: f64,
    /// Sum of those durations, in milliseconds.
    pub total_ms: f64,
    /// `total_ms` ÷ the requests' total duration, in percent.
    pub time_percent: f64,
    /// `total_ms` less its children's, never below 0 (concurrent children can add up to
    /// more than their parent), in milliseconds.
    pub self_ms: f64,
}

/// The grouped profile of an endpoint's latest profiled requests: paths in pre-order, siblings
/// in call order, the request itself first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupedProfile {
    /// Requests grouped (at most the latest 100).
    pub requests: u64,
    /// The merged paths; empty when the endpoint has no profiled request.
    pub lines: Vec<GroupedLine>,
}
