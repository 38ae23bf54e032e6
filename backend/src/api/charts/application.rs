//! Charts of the whole application: hourly load, API performance, daily utilisation and the
//! multi-version heatmap.

use std::collections::BTreeMap;

use dashboard_shared::{
    BoxPlots, DailyUtilization, EndpointSeries, ErrorBody, HourlyLoad, VersionUtilization,
};

use super::{LocalDays, Preference, endpoint_colour, select, shows_endpoint};
use crate::api::session::Session;
use crate::api::{ApiError, ApiState};
use crate::histogram;
use crate::histogram::latency_box;
use dashboard_shared::ChartQuery;

/// Requests per hour of each day, in the configured time zone: of one endpoint or of all.
pub(super) async fn hourly_load(
    state: &ApiState,
    query: &ChartQuery,
    endpoint: Option<i32>,
) -> Result<HourlyLoad, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let mut counts = vec![vec![0u64; 24]; days.days.len()];
    for hour in state
        .store
        .activity_per_hour(days.start, days.end, endpoint)
        .await?
    {
        if let Some((day, local_hour)) = days.locate(hour.hour) {
            counts[day][local_hour] += hour.requests;
        }
    }
    Ok(HourlyLoad {
        timezone: days.zone.name().to_owned(),
        days: days.labels(),
        counts,
    })
}

/// Latency boxes per endpoint from the daily latency histograms, slowest median first.
async fn api_performance(state: &ApiState, query: &ChartQuery) -> Result<BoxPlots, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let (first, last) = days.span();
    let mut boxes: Vec<_> = state
        .store
        .latency_histograms(first, last)
        .await?
        .into_iter()
        .filter_map(|(endpoint, buckets)| {
            let count = buckets.iter().map(|(_, count)| count).sum();
            let colour = endpoint_colour(state, &endpoint);
            latency_box(endpoint, colour, count, |q| {
                histogram::quantile(&buckets, q)
            })
        })
        .collect();
    let choices = boxes.iter().map(|latency| latency.label.clone()).collect();
    boxes.retain(|latency| shows_endpoint(query, &latency.label));
    boxes.sort_by(|a, b| {
        b.median_ms
            .total_cmp(&a.median_ms)
            .then_with(|| a.label.cmp(&b.label))
    });
    Ok(days.box_plots(boxes, choices))
}

/// Requests per local day and endpoint, coloured by `COLORS` or a stable hash of the name.
async fn daily_utilization(
    state: &ApiState,
    query: &ChartQuery,
) -> Result<DailyUtilization, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let mut per_endpoint: BTreeMap<String, Vec<u64>> = BTreeMap::new();
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
    let choices = per_endpoint.keys().cloned().collect();
    let endpoints = per_endpoint
        .into_iter()
        .filter(|(endpoint, _)| shows_endpoint(query, endpoint))
        .map(|(endpoint, hits)| EndpointSeries {
            colour: endpoint_colour(state, &endpoint),
            endpoint,
            hits,
        })
        .collect();
    Ok(DailyUtilization {
        timezone: days.zone.name().to_owned(),
        days: days.labels(),
        endpoints,
        choices,
    })
}

/// Requests per endpoint and version, for the selected versions (by default the newest).
async fn multi_version(
    state: &ApiState,
    query: &ChartQuery,
) -> Result<VersionUtilization, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let choices = state
        .store
        .versions_in_order(days.start, days.end, None)
        .await?;
    let versions = select(&choices, query.versions.as_deref(), Preference::Newest);
    let mut per_endpoint: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (endpoint, version, hits) in state
        .store
        .hits_per_endpoint_version(days.start, days.end, &versions)
        .await?
    {
        if let Some(column) = versions.iter().position(|known| *known == version) {
            per_endpoint
                .entry(endpoint)
                .or_insert_with(|| vec![0; versions.len()])[column] += hits;
        }
    }
    let totals = (0..versions.len())
        .map(|column| per_endpoint.values().map(|hits| hits[column]).sum())
        .collect();
    let endpoint_choices = per_endpoint.keys().cloned().collect();
    let (from, to) = days.bounds();
    let (endpoints, hits) = per_endpoint
        .into_iter()
        .filter(|(endpoint, _)| shows_endpoint(query, endpoint))
        .unzip();
    Ok(VersionUtilization {
        from,
        to,
        versions,
        endpoints,
        hits,
        totals,
        choices,
        endpoint_choices,
    })
}

application_chart!(
    /// Requests per hour of the day, per day (the hourly-load heatmap).
    hourly_load_chart,
    HourlyLoadChart,
    HourlyLoad,
    "hourly-load",
    |state, query| hourly_load(state, &query, None)
);

application_chart!(
    /// Latency box plots per endpoint (p5, quartiles, p95), slowest median first.
    api_performance_chart,
    ApiPerformanceChart,
    BoxPlots,
    "api-performance",
    |state, query| api_performance(state, &query)
);

application_chart!(
    /// Requests per day and endpoint (the daily-utilisation stacked bars).
    daily_utilization_chart,
    DailyUtilizationChart,
    DailyUtilization,
    "daily-utilization",
    |state, query| daily_utilization(state, &query)
);

application_chart!(
    /// The share of each version's requests per endpoint (the multi-version heatmap).
    multi_version_chart,
    MultiVersionChart,
    VersionUtilization,
    "multi-version",
    |state, query| multi_version(state, &query)
);

/// Registers this module's chart routes: a new chart is its handler above and one line here.
pub(crate) fn routes(
    router: utoipa_axum::router::OpenApiRouter<ApiState>,
) -> utoipa_axum::router::OpenApiRouter<ApiState> {
    router
        .routes(utoipa_axum::routes!(hourly_load_chart))
        .routes(utoipa_axum::routes!(api_performance_chart))
        .routes(utoipa_axum::routes!(daily_utilization_chart))
        .routes(utoipa_axum::routes!(multi_version_chart))
        .routes(utoipa_axum::routes!(super::summary::summary))
}
