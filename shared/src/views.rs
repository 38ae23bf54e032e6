//! The data of the dashboard's views: charts of the application and of one endpoint. Days and
//! hours are in the configured `TIMEZONE`; figures marked so come from the daily latency
//! histograms and are within 1.5 % of the exact values.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Requests per hour of the day, per day: the hourly-load heatmap (of the application or of one
/// endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourlyLoad {
    /// The time zone of the days and hours.
    pub timezone: String,
    /// The days, oldest first, as `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// For each day, the requests in each of its 24 hours.
    pub counts: Vec<Vec<u64>>,
}

/// One latency distribution over a range of days: of an endpoint, a version or a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatencyBox {
    /// What the box describes: `METHOD /route`, a version, or a `group_by` value.
    pub label: String,
    /// Red, green, blue: an endpoint's colour (`COLORS`, or a stable hash of its name), the
    /// dashboard's blue for versions and users.
    pub colour: [u8; 3],
    /// Requests in the range.
    pub count: u64,
    /// 5th percentile, in milliseconds (the lower whisker).
    pub p5_ms: f64,
    /// First quartile, in milliseconds.
    pub q1_ms: f64,
    /// Median, in milliseconds.
    pub median_ms: f64,
    /// Third quartile, in milliseconds.
    pub q3_ms: f64,
    /// 95th percentile, in milliseconds (the upper whisker).
    pub p95_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
}

/// Latency box plots over a range of days: per endpoint (API performance, slowest median
/// first; from the histograms), per version of an endpoint (oldest version first; from the
/// histograms) or per user of an endpoint (most requests first; exact, from the requests).
/// `choices` lists every endpoint, version or user with requests in the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoxPlots {
    /// First day of the range (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// One box per endpoint, version or user.
    pub boxes: Vec<LatencyBox>,
    /// Every version (or user) with requests in the range, for the page's selection; the
    /// boxes show the selected ones, by default the newest versions (or busiest users).
    pub choices: Vec<String>,
}

/// Requests per day and endpoint: the daily-utilisation stacked bars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyUtilization {
    /// The time zone of the days.
    pub timezone: String,
    /// The days, oldest first, as `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// One series per chosen endpoint (by default every one with requests), by name.
    pub endpoints: Vec<EndpointSeries>,
    /// Every endpoint with requests in the range, for the page's selection.
    pub choices: Vec<String>,
}

/// One endpoint's requests per day, with its colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointSeries {
    /// `METHOD /route`.
    pub endpoint: String,
    /// Red, green, blue: from `COLORS`, or a stable hash of the name.
    pub colour: [u8; 3],
    /// Requests on each day of the range.
    pub hits: Vec<u64>,
}

/// Requests per endpoint and version: the multi-version heatmap, where each version's column
/// shows how its requests divide among the endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionUtilization {
    /// First day of the range (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// The selected versions, oldest first (by their first request in the range).
    pub versions: Vec<String>,
    /// The chosen endpoints (by default every one) with requests in these versions, by name.
    pub endpoints: Vec<String>,
    /// `hits[endpoint][version]`: requests.
    pub hits: Vec<Vec<u64>>,
    /// Each version's requests to every endpoint, chosen or not.
    pub totals: Vec<u64>,
    /// Every version with requests in the range, oldest first, for the page's selection.
    pub choices: Vec<String>,
    /// Every endpoint with requests in these versions, for the page's selection.
    pub endpoint_choices: Vec<String>,
}

impl VersionUtilization {
    /// The share of all `version`'s requests that went to `endpoint`, in percent (0 when the
    /// version had none).
    pub fn percent(&self, endpoint: usize, version: usize) -> f64 {
        let total = self.totals.get(version).copied().unwrap_or(0);
        let hits = self
            .hits
            .get(endpoint)
            .and_then(|row| row.get(version))
            .copied()
            .unwrap_or(0);
        if total == 0 {
            0.0
        } else {
            hits as f64 * 100.0 / total as f64
        }
    }
}

/// Median duration per version and user (or client address) of one endpoint, exact, from the
/// requests of the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedianMatrix {
    /// First day of the range (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// The selected versions, oldest first: the columns.
    pub versions: Vec<String>,
    /// The selected users or addresses, most requests first: the rows.
    pub rows: Vec<String>,
    /// `cells[row][version]`: the requests and their median, when there were any.
    pub cells: Vec<Vec<Option<MatrixCell>>>,
    /// Every version with requests in the range, oldest first, for the page's selection.
    pub version_choices: Vec<String>,
    /// The users or addresses with the most requests in the range (at most 100), for the
    /// page's selection.
    pub row_choices: Vec<String>,
}

/// One cell of a [`MedianMatrix`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixCell {
    /// Requests.
    pub count: u64,
    /// Their median duration, in milliseconds.
    pub median_ms: f64,
}

/// Requests per status code of one endpoint over a range of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCodes {
    /// First day of the range (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// Every status code sent, ascending.
    pub codes: Vec<StatusCount>,
}

/// Requests answered with one status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    /// The status code.
    pub status_code: u16,
    /// Requests.
    pub count: u64,
}

/// One endpoint's facts: the endpoint page's details card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointDetails {
    /// The endpoint's id.
    pub id: i64,
    /// `METHOD /route`.
    pub name: String,
    /// The route pattern, e.g. `/users/{id}`.
    pub route: String,
    /// Every method monitored on this route, this endpoint's among them.
    pub methods: Vec<String>,
    /// Monitoring level 0–3.
    pub monitor_level: u8,
    /// Requests recorded, all time.
    pub total_hits: u64,
    /// When it was first seen (UTC).
    pub time_added: DateTime<Utc>,
    /// The version that first served it.
    pub version_added: String,
    /// When it was last requested (UTC).
    pub last_requested: Option<DateTime<Utc>>,
}

/// The whole application's figures over a range of time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryFigures {
    /// Requests.
    pub requests: u64,
    /// Requests answered with a status of 400 or more.
    pub errors: u64,
    /// Median duration in milliseconds (from the daily latency histograms; `None` without
    /// requests).
    pub median_ms: Option<f64>,
    /// 95th percentile, in milliseconds.
    pub p95_ms: Option<f64>,
    /// 99th percentile, in milliseconds.
    pub p99_ms: Option<f64>,
}

impl SummaryFigures {
    /// Errors ÷ requests, in percent; `None` without requests.
    pub fn error_percent(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.errors as f64 / self.requests as f64 * 100.0)
    }
}

/// One figure of the summary, a tile of the overview's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// Requests.
    Requests,
    /// Errors ÷ requests, in percent.
    ErrorRatio,
    /// The median, in milliseconds.
    Median,
    /// The 95th percentile, in milliseconds.
    P95,
    /// The 99th percentile, in milliseconds.
    P99,
}

impl Figure {
    /// Every figure, in the header's order.
    pub const ALL: [Figure; 5] = [
        Figure::Requests,
        Figure::ErrorRatio,
        Figure::Median,
        Figure::P95,
        Figure::P99,
    ];

    /// Its key on the page (`data-figure`).
    pub fn key(self) -> &'static str {
        match self {
            Figure::Requests => "requests",
            Figure::ErrorRatio => "errors",
            Figure::Median => "median",
            Figure::P95 => "p95",
            Figure::P99 => "p99",
        }
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Figure::Requests => "Requests",
            Figure::ErrorRatio => "Error ratio",
            Figure::Median => "Median",
            Figure::P95 => "p95",
            Figure::P99 => "p99",
        }
    }

    /// Its value in `figures`; `None` when there is none (no requests).
    pub fn of(self, figures: &SummaryFigures) -> Option<f64> {
        match self {
            Figure::Requests => Some(figures.requests as f64),
            Figure::ErrorRatio => figures.error_percent(),
            Figure::Median => figures.median_ms,
            Figure::P95 => figures.p95_ms,
            Figure::P99 => figures.p99_ms,
        }
    }
}

/// One step of the summary's sparklines: an hour (for a range of one day) or a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryPoint {
    /// Its start (UTC).
    pub start: DateTime<Utc>,
    /// Its figures; the quantiles only for days (the histograms are kept per day).
    pub figures: SummaryFigures,
}

/// The overview's header: the whole application over a range of days in `TIMEZONE` and over
/// as many days just before it, with one point per hour (a range of one day) or per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppSummary {
    /// First day of the range (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// The range's figures.
    pub current: SummaryFigures,
    /// The figures of the period of the same length just before it.
    pub previous: SummaryFigures,
    /// Per hour or per day, in order, every step of the range (empty ones with 0 requests).
    pub points: Vec<SummaryPoint>,
}

crate::__routes! {
    list CHART_ROUTES;
    /// The application's hourly load (session); every chart route also answers with the chart as
    /// an image for `format=svg` or `format=png`.
    HourlyLoadChart: GET "/charts/hourly-load", query crate::query::ChartQuery => HourlyLoad;
    /// Box plots of every endpoint (session).
    ApiPerformanceChart: GET "/charts/api-performance", query crate::query::ChartQuery => BoxPlots;
    /// Requests per day and endpoint (session).
    DailyUtilizationChart: GET "/charts/daily-utilization", query crate::query::ChartQuery
        => DailyUtilization;
    /// Requests per endpoint and version (session).
    MultiVersionChart: GET "/charts/multi-version", query crate::query::ChartQuery
        => VersionUtilization;
    /// One endpoint's hourly load (session).
    EndpointHourlyLoadChart: GET "/endpoints/{id}/hourly-load", query crate::query::ChartQuery
        => HourlyLoad;
    /// Box plots of one endpoint per version (session).
    EndpointVersionsChart: GET "/endpoints/{id}/versions", query crate::query::ChartQuery
        => BoxPlots;
    /// Box plots of one endpoint per user (session).
    EndpointUsersChart: GET "/endpoints/{id}/users", query crate::query::ChartQuery => BoxPlots;
    /// Median times of one endpoint, versions × users (session).
    EndpointVersionUserChart: GET "/endpoints/{id}/version-user", query crate::query::ChartQuery
        => MedianMatrix;
    /// Median times of one endpoint, versions × client addresses (session).
    EndpointVersionIpChart: GET "/endpoints/{id}/version-ip", query crate::query::ChartQuery
        => MedianMatrix;
    /// One endpoint's status codes (session).
    EndpointStatusCodesChart: GET "/endpoints/{id}/status-codes", query crate::query::ChartQuery
        => StatusCodes;
    /// A custom graph's values (session).
    CustomGraphChart: GET "/custom-graphs/{id}", query crate::query::ChartQuery
        => crate::GraphData;
}
