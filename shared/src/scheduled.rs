//! Scheduled work: custom graphs, the database and its retention, and performance reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::LatencyBox;

/// A custom graph registered with `DashboardBuilder::graph`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomGraph {
    /// The graph's id.
    pub id: i64,
    /// Its title, unique.
    pub title: String,
    /// When it was first registered (UTC).
    pub time_added: DateTime<Utc>,
    /// The application version that registered it.
    pub version_added: String,
    /// Its schedule, when this process registered it (`every 60 s`, `cron … (UTC)`).
    pub schedule: Option<String>,
}

/// One value of a custom graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GraphPoint {
    /// The tick it was measured for (UTC).
    pub time: DateTime<Utc>,
    /// The value.
    pub value: f64,
}

/// A custom graph's values over a range of days, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GraphData {
    /// The graph.
    pub graph: CustomGraph,
    /// First day of the range (`YYYY-MM-DD` in the dashboard's time zone).
    pub from: String,
    /// Last day of the range.
    pub to: String,
    /// The first day's midnight (UTC).
    pub start: DateTime<Utc>,
    /// The midnight after the last day (UTC).
    pub end: DateTime<Utc>,
    /// Its values in the range; when the range holds more than 2,000, the mean of each
    /// `bucket_seconds` long bucket instead, at the bucket's start.
    pub points: Vec<GraphPoint>,
    /// The buckets' length when the values were averaged.
    pub bucket_seconds: Option<u64>,
}

/// One table of the dashboard's database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableSize {
    /// The table's name, with the prefix.
    pub name: String,
    /// Its rows.
    pub rows: u64,
    /// Bytes on disk, indexes included; `None` where the database cannot tell (an SQLite build
    /// without `dbstat`).
    pub bytes: Option<u64>,
}

/// How long rows are kept (`None`: for ever).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionInfo {
    /// Request rows, in days.
    pub requests_days: Option<f64>,
    /// Outliers, profiles and exception occurrences, in days.
    pub details_days: Option<f64>,
    /// Custom graph values, in days.
    pub graphs_days: Option<f64>,
    /// Rollups, in days.
    pub rollups_days: Option<f64>,
    /// The pruning job's cron schedule (UTC, with seconds).
    pub schedule: String,
    /// Its next run (UTC).
    pub next_run: Option<DateTime<Utc>>,
}

/// The Database page: sizes, rows and the retention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatabaseInfo {
    /// `sqlite` or `postgresql`.
    pub backend: String,
    /// Bytes of the whole database: the SQLite file with its write-ahead log, or
    /// PostgreSQL's `pg_database_size`.
    pub total_bytes: Option<u64>,
    /// The dashboard's tables, largest first.
    pub tables: Vec<TableSize>,
    /// What is kept, and when it is pruned.
    pub retention: RetentionInfo,
}

/// What a prune deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PruneResult {
    /// Request rows (with their outliers, profiles and stack lines).
    pub requests: u64,
    /// Outlier snapshots of requests past the details retention.
    pub outliers: u64,
    /// Profiles of requests past the details retention.
    pub profiles: u64,
    /// Exception occurrences past the details retention.
    pub exception_occurrences: u64,
    /// The statements and calls of single requests (N+1 flags, slow samples) past the details
    /// retention.
    #[serde(default)]
    pub call_details: u64,
    /// Custom graph values.
    pub graph_values: u64,
    /// Hourly and daily rollup rows.
    pub rollups: u64,
    /// Finished scheduled jobs.
    pub jobs: u64,
}

impl PruneResult {
    /// Every count with what it counts, in the order a prune deletes them.
    pub fn parts(&self) -> [(&'static str, u64); 8] {
        [
            ("requests", self.requests),
            ("outliers", self.outliers),
            ("profiles", self.profiles),
            ("exception occurrences", self.exception_occurrences),
            ("statement and call details", self.call_details),
            ("custom graph values", self.graph_values),
            ("rollup rows", self.rollups),
            ("finished jobs", self.jobs),
        ]
    }

    /// Every row deleted.
    pub fn total(&self) -> u64 {
        self.parts().iter().map(|(_, rows)| rows).sum()
    }
}

impl std::fmt::Display for PruneResult {
    /// `3 requests, 6 outliers, …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .parts()
            .iter()
            .map(|(what, rows)| format!("{rows} {what}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// A time range, `[from, to)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeRange {
    /// Start, included.
    pub from: DateTime<Utc>,
    /// End, excluded.
    pub to: DateTime<Utc>,
}

/// A preset pair of periods, in UTC: the current one so far against the whole previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Today against yesterday.
    Day,
    /// This week (from Monday) against last week.
    Week,
    /// This month against last month.
    Month,
}

/// What a report compares: the comparison set against the baseline set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportRequest {
    /// A preset pair of periods.
    Preset {
        /// Which.
        period: Period,
    },
    /// Two custom ranges.
    Intervals {
        /// The comparison set's range.
        comparison: TimeRange,
        /// The baseline set's range.
        baseline: TimeRange,
    },
    /// Two versions, over all their requests.
    Versions {
        /// The comparison version.
        comparison: String,
        /// The baseline version.
        baseline: String,
    },
}

/// A set's description in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSet {
    /// How it reads: `2026-11-22 00:00 – 12:00 UTC` or `version 1.4`.
    pub label: String,
    /// Its range, for interval sets.
    pub range: Option<TimeRange>,
    /// Its version, for version sets.
    pub version: Option<String>,
}

/// The latency part of an endpoint's report, from up to 500 requests per set drawn uniformly at
/// random.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LatencyComparison {
    /// The comparison set's distribution (`None` without requests).
    pub comparison: Option<LatencyBox>,
    /// The baseline set's distribution.
    pub baseline: Option<LatencyBox>,
    /// (comparison median − baseline median) ÷ baseline median × 100.
    pub difference_percent: Option<f64>,
    /// Mood's median test: the chi-square statistic (Yates-corrected).
    pub statistic: Option<f64>,
    /// Mood's median test: the p-value; `None` when the test is undefined.
    pub p_value: Option<f64>,
    /// p < 0.05.
    pub significant: bool,
}

/// One status code's share of a set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusShare {
    /// The status code.
    pub status: u16,
    /// Requests in the comparison set.
    pub comparison: u64,
    /// Requests in the baseline set.
    pub baseline: u64,
    /// Share of the comparison set, in %.
    pub comparison_percent: f64,
    /// Share of the baseline set, in %.
    pub baseline_percent: f64,
}

/// The status-code part of an endpoint's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusComparison {
    /// Every code either set has, lowest first.
    pub codes: Vec<StatusShare>,
    /// Both sets have at least 30 requests and some code's share rose by more than 3
    /// percentage points.
    pub significant: bool,
}

/// One endpoint in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointReport {
    /// The endpoint's id.
    pub id: i64,
    /// `METHOD /route`.
    pub name: String,
    /// Requests in the comparison set.
    pub comparison_requests: u64,
    /// Requests in the baseline set.
    pub baseline_requests: u64,
    /// The median latencies and Mood's test.
    pub latency: LatencyComparison,
    /// The status codes.
    pub status_codes: StatusComparison,
}

impl EndpointReport {
    /// Significantly slower in the comparison set.
    pub fn regressed(&self) -> bool {
        self.latency.significant && self.latency.difference_percent.is_some_and(|d| d > 0.0)
    }

    /// Some part of the report is significant.
    pub fn significant(&self) -> bool {
        self.latency.significant || self.status_codes.significant
    }
}

/// A report: every endpoint with requests in either set, significant ones first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// The comparison set.
    pub comparison: ReportSet,
    /// The baseline set.
    pub baseline: ReportSet,
    /// The endpoints.
    pub endpoints: Vec<EndpointReport>,
}

/// A version a report can compare, with the requests it served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionRequests {
    /// The application version.
    pub version: String,
    /// Requests it served (from the rollups).
    pub requests: u64,
}

/// The automatic comparison of the newest version with the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionComparison {
    /// The newest version.
    pub version: String,
    /// The version before it.
    pub baseline: String,
    /// When it was compared (UTC).
    pub compared_at: DateTime<Utc>,
    /// Endpoints significantly slower in the newest version.
    pub regressed: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prune_reads_as_its_counts_and_totals_them() {
        let pruned = PruneResult {
            requests: 3,
            outliers: 6,
            jobs: 1,
            ..PruneResult::default()
        };
        assert_eq!(pruned.total(), 10);
        assert_eq!(
            pruned.to_string(),
            "3 requests, 6 outliers, 0 profiles, 0 exception occurrences, \
             0 statement and call details, 0 custom graph values, 0 rollup rows, 1 finished jobs"
        );
    }
}
