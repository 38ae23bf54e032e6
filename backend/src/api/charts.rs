//! Chart data and the same charts as SVG downloads, drawn by `dashboard_shared::charts`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use dashboard_shared::{
    ApiPerformance, DailyUtilization, EndpointSeries, ErrorBody, HourlyLoad, LatencyBox,
};
use serde::Deserialize;

use super::session::Session;
use super::{ApiError, ApiState};
use crate::record::histogram;

/// The longest range a chart covers.
const MAX_DAYS: u64 = 366;

/// A range of days in the configured time zone; the last 7 days by default.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct DayRange {
    /// First day, `YYYY-MM-DD` (default: six days before `to`).
    from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD` (default: today).
    to: Option<NaiveDate>,
}

/// A checked range of days in the configured time zone, with the UTC instants that bound it.
struct LocalDays {
    zone: Tz,
    days: Vec<NaiveDate>,
    /// The first day's local midnight.
    start: chrono::DateTime<Utc>,
    /// The local midnight after the last day.
    end: chrono::DateTime<Utc>,
}

impl LocalDays {
    /// The range asked for, or the last 7 days; at most [`MAX_DAYS`].
    fn new(range: &DayRange, zone: Tz) -> Result<LocalDays, ApiError> {
        let to = range
            .to
            .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
        let from = range
            .from
            .unwrap_or_else(|| to.checked_sub_days(Days::new(6)).unwrap_or(to));
        let span = (to - from).num_days();
        if span < 0 {
            return Err(ApiError::BadRequest("from must not be after to".to_owned()));
        }
        if span as u64 >= MAX_DAYS {
            return Err(ApiError::BadRequest(format!(
                "a chart covers at most {MAX_DAYS} days"
            )));
        }
        let after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        Ok(LocalDays {
            zone,
            days: from.iter_days().take_while(|day| *day <= to).collect(),
            start: local_midnight(zone, from),
            end: local_midnight(zone, after),
        })
    }

    /// The index of the local day a UTC instant falls on, and its local hour.
    fn locate(&self, instant: chrono::DateTime<Utc>) -> Option<(usize, usize)> {
        let local = instant.with_timezone(&self.zone);
        let first = *self.days.first()?;
        let day = usize::try_from((local.date_naive() - first).num_days())
            .ok()
            .filter(|day| *day < self.days.len())?;
        Some((day, local.hour() as usize))
    }

    /// The days as `YYYY-MM-DD`.
    fn labels(&self) -> Vec<String> {
        self.days.iter().map(ToString::to_string).collect()
    }
}

/// Latency boxes per endpoint from the hourly histograms, slowest median first.
async fn api_performance(state: &ApiState, range: &DayRange) -> Result<ApiPerformance, ApiError> {
    let days = LocalDays::new(range, state.config.timezone)?;
    let mut endpoints: Vec<LatencyBox> = state
        .store
        .latency_histograms(days.start, days.end)
        .await?
        .into_iter()
        .filter_map(|(endpoint, buckets)| {
            let quantile = |q| histogram::quantile(&buckets, q);
            Some(LatencyBox {
                count: buckets.iter().map(|(_, count)| count).sum(),
                p5_ms: quantile(0.05)?,
                q1_ms: quantile(0.25)?,
                median_ms: quantile(0.5)?,
                q3_ms: quantile(0.75)?,
                p95_ms: quantile(0.95)?,
                endpoint,
            })
        })
        .collect();
    endpoints.sort_by(|a, b| {
        b.median_ms
            .total_cmp(&a.median_ms)
            .then_with(|| a.endpoint.cmp(&b.endpoint))
    });
    let label = |day: Option<&NaiveDate>| day.map(ToString::to_string).unwrap_or_default();
    Ok(ApiPerformance {
        from: label(days.days.first()),
        to: label(days.days.last()),
        endpoints,
    })
}

/// Requests per local day and endpoint, coloured by `COLORS` or a stable hash of the name.
async fn daily_utilization(
    state: &ApiState,
    range: &DayRange,
) -> Result<DailyUtilization, ApiError> {
    let days = LocalDays::new(range, state.config.timezone)?;
    let mut per_endpoint: std::collections::BTreeMap<String, Vec<u64>> =
        std::collections::BTreeMap::new();
    for (endpoint, hour, hits) in state
        .store
        .hits_per_endpoint_hour(days.start, days.end)
        .await?
    {
        if let Some((day, _)) = days.locate(hour) {
            per_endpoint
                .entry(endpoint)
                .or_insert_with(|| vec![0; days.days.len()])[day] += hits;
        }
    }
    let endpoints = per_endpoint
        .into_iter()
        .map(|(endpoint, hits)| EndpointSeries {
            colour: state
                .config
                .colors
                .get(&endpoint)
                .copied()
                .unwrap_or_else(|| dashboard_shared::charts::endpoint_colour(&endpoint)),
            endpoint,
            hits,
        })
        .collect();
    Ok(DailyUtilization {
        timezone: days.zone.name().to_owned(),
        days: days.labels(),
        endpoints,
    })
}

/// Requests per hour of each day, in the configured time zone.
async fn hourly_load(state: &ApiState, range: &DayRange) -> Result<HourlyLoad, ApiError> {
    let days = LocalDays::new(range, state.config.timezone)?;
    let mut counts = vec![vec![0u64; 24]; days.days.len()];
    for (hour, hits) in state.store.hits_per_hour(days.start, days.end).await? {
        if let Some((day, local_hour)) = days.locate(hour) {
            counts[day][local_hour] += hits;
        }
    }
    Ok(HourlyLoad {
        timezone: days.zone.name().to_owned(),
        days: days.labels(),
        counts,
    })
}

/// The UTC instant of a day's first moment in `zone`.
fn local_midnight(zone: Tz, day: NaiveDate) -> chrono::DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |time| time.with_timezone(&Utc))
}

/// Requests per hour of the day, per day (the hourly-load heatmap).
#[utoipa::path(
    get,
    path = "/charts/hourly-load",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, body = HourlyLoad), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn hourly_load_data(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Json<HourlyLoad>, ApiError> {
    let Query(range) = range?;
    Ok(Json(hourly_load(&state, &range).await?))
}

/// The hourly-load heatmap as an SVG file.
#[utoipa::path(
    get,
    path = "/charts/hourly-load.svg",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, description = "An SVG image", content_type = "image/svg+xml"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn hourly_load_svg(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(range) = range?;
    let load = hourly_load(&state, &range).await?;
    Ok(svg_download(
        "hourly-load.svg",
        dashboard_shared::charts::hourly_load_svg(&load),
    ))
}

/// Latency box plots per endpoint (p5, quartiles, p95), slowest median first.
#[utoipa::path(
    get,
    path = "/charts/api-performance",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, body = ApiPerformance), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn api_performance_data(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Json<ApiPerformance>, ApiError> {
    let Query(range) = range?;
    Ok(Json(api_performance(&state, &range).await?))
}

/// The API-performance box plots as an SVG file.
#[utoipa::path(
    get,
    path = "/charts/api-performance.svg",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, description = "An SVG image", content_type = "image/svg+xml"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn api_performance_svg(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(range) = range?;
    let performance = api_performance(&state, &range).await?;
    Ok(svg_download(
        "api-performance.svg",
        dashboard_shared::charts::api_performance_svg(&performance),
    ))
}

/// An SVG file to download.
fn svg_download(filename: &'static str, svg: String) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (CONTENT_TYPE, "image/svg+xml".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        svg,
    )
        .into_response()
}

/// Requests per day and endpoint (the daily-utilisation stacked bars).
#[utoipa::path(
    get,
    path = "/charts/daily-utilization",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, body = DailyUtilization), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn daily_utilization_data(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Json<DailyUtilization>, ApiError> {
    let Query(range) = range?;
    Ok(Json(daily_utilization(&state, &range).await?))
}

/// The daily-utilisation stacked bars as an SVG file.
#[utoipa::path(
    get,
    path = "/charts/daily-utilization.svg",
    tag = "read",
    security(("session" = [])),
    params(DayRange),
    responses((status = 200, description = "An SVG image", content_type = "image/svg+xml"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn daily_utilization_svg(
    State(state): State<ApiState>,
    _session: Session,
    range: Result<Query<DayRange>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(range) = range?;
    let utilization = daily_utilization(&state, &range).await?;
    Ok(svg_download(
        "daily-utilization.svg",
        dashboard_shared::charts::daily_utilization_svg(&utilization),
    ))
}
