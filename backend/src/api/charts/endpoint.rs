//! Charts of one endpoint: hourly load, box plots per version and per user, median matrices of
//! versions × users and versions × addresses, status codes, and the failed requests.

use crate::api::{Answer, QueryOf};
use dashboard_shared::CursorQuery;
use dashboard_shared::api::{self as routes, Route};
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use chrono::DateTime;
use dashboard_shared::charts;
use dashboard_shared::{
    BoxPlots, ErrorBody, HourlyLoad, MatrixCell, MedianMatrix, RequestPage, StatusCodes,
    StatusCount,
};

use super::{LocalDays, Preference, select};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::session::Session;
use crate::api::{ApiError, ApiState, paging};
use crate::histogram;
use crate::histogram::latency_box;
use crate::store::endpoint::{Before, Caller};
use dashboard_shared::ChartQuery;

/// Callers offered for selection: the busiest this many.
const CALLER_CHOICES: u64 = 100;
/// Failed requests per page by default, and at most.
const DEFAULT_PAGE: u64 = 20;
const MAX_PAGE: u64 = 100;

/// The name of endpoint `id`, or 404.
pub(crate) async fn endpoint_name(state: &ApiState, id: i32) -> Result<String, ApiError> {
    state
        .store
        .endpoint_name(id)
        .await?
        .ok_or(ApiError::NotFound("no such endpoint"))
}

/// Latency boxes per version from the daily latency histograms, oldest version first.
async fn versions(state: &ApiState, id: i32, query: &ChartQuery) -> Result<BoxPlots, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let choices = state
        .store
        .versions_in_order(days.start, days.end, Some(id))
        .await?;
    let versions = select(&choices, query.versions.as_deref(), Preference::Newest);
    let histograms: HashMap<String, Vec<(i32, u64)>> = state
        .store
        .version_histograms(id, days.span().0, days.span().1, &versions)
        .await?
        .into_iter()
        .collect();
    let boxes = versions
        .into_iter()
        .filter_map(|version| {
            let buckets = histograms.get(&version)?;
            let count = buckets.iter().map(|(_, count)| count).sum();
            latency_box(version, charts::BLUE, count, |q| {
                histogram::quantile(buckets, q)
            })
        })
        .collect();
    Ok(days.box_plots(boxes, choices))
}

/// Exact latency boxes per user from the requests, busiest first.
async fn users(state: &ApiState, id: i32, query: &ChartQuery) -> Result<BoxPlots, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let choices = state
        .store
        .busiest_callers(id, Caller::User, days.start, days.end, CALLER_CHOICES)
        .await?;
    let users = select(&choices, query.callers.as_deref(), Preference::Busiest);
    let mut durations: HashMap<String, Vec<f64>> = HashMap::new();
    for sample in state
        .store
        .caller_samples(id, Caller::User, days.start, days.end, &users, None)
        .await?
    {
        durations
            .entry(sample.caller)
            .or_default()
            .push(sample.duration_ms);
    }
    let boxes = users
        .into_iter()
        .filter_map(|user| {
            let mut durations = durations.remove(&user)?;
            durations.sort_by(f64::total_cmp);
            let count = durations.len() as u64;
            latency_box(user, charts::BLUE, count, |q| {
                histogram::exact_quantile(&durations, q)
            })
        })
        .collect();
    Ok(days.box_plots(boxes, choices))
}

/// Exact medians per caller (rows) and version (columns), from the requests.
async fn median_matrix(
    state: &ApiState,
    id: i32,
    caller: Caller,
    query: &ChartQuery,
) -> Result<MedianMatrix, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let version_choices = state
        .store
        .versions_in_order(days.start, days.end, Some(id))
        .await?;
    let versions = select(
        &version_choices,
        query.versions.as_deref(),
        Preference::Newest,
    );
    let row_choices = state
        .store
        .busiest_callers(id, caller, days.start, days.end, CALLER_CHOICES)
        .await?;
    let rows = select(&row_choices, query.callers.as_deref(), Preference::Busiest);
    let mut durations = vec![vec![Vec::new(); versions.len()]; rows.len()];
    for sample in state
        .store
        .caller_samples(id, caller, days.start, days.end, &rows, Some(&versions))
        .await?
    {
        let row = rows.iter().position(|known| *known == sample.caller);
        let column = versions.iter().position(|known| *known == sample.version);
        if let (Some(row), Some(column)) = (row, column) {
            durations[row][column].push(sample.duration_ms);
        }
    }
    let cells = durations
        .into_iter()
        .map(|row| row.into_iter().map(median_cell).collect())
        .collect();
    let (from, to) = days.bounds();
    Ok(MedianMatrix {
        from,
        to,
        versions,
        rows,
        cells,
        version_choices,
        row_choices,
    })
}

/// The count and exact median of some durations, when there are any.
fn median_cell(mut durations: Vec<f64>) -> Option<MatrixCell> {
    durations.sort_by(f64::total_cmp);
    Some(MatrixCell {
        median_ms: histogram::exact_quantile(&durations, 0.5)?,
        count: durations.len() as u64,
    })
}

/// Requests per status code.
async fn status_codes(
    state: &ApiState,
    id: i32,
    query: &ChartQuery,
) -> Result<StatusCodes, ApiError> {
    let days = LocalDays::new(query, state.config.timezone)?;
    let codes = state
        .store
        .status_counts(id, days.start, days.end)
        .await?
        .into_iter()
        .map(|(status_code, count)| StatusCount { status_code, count })
        .collect();
    let (from, to) = days.bounds();
    Ok(StatusCodes { from, to, codes })
}

endpoint_chart!(
    /// Requests per hour of the day, per day, of one endpoint.
    hourly_load_chart,
    EndpointHourlyLoadChart,
    HourlyLoad,
    "endpoint-hourly-load",
    |state, id, query| super::application::hourly_load(state, &query, Some(id))
);

endpoint_chart!(
    /// Latency box plots of one endpoint per version (from the histograms).
    versions_chart,
    EndpointVersionsChart,
    BoxPlots,
    "endpoint-versions",
    |state, id, query| versions(state, id, &query)
);

endpoint_chart!(
    /// Latency box plots of one endpoint per user (exact, from the requests).
    users_chart,
    EndpointUsersChart,
    BoxPlots,
    "endpoint-users",
    |state, id, query| users(state, id, &query)
);

endpoint_chart!(
    /// Median durations of one endpoint per user and version.
    version_user_chart,
    EndpointVersionUserChart,
    MedianMatrix,
    "endpoint-version-user",
    |state, id, query| median_matrix(state, id, Caller::User, &query)
);

endpoint_chart!(
    /// Median durations of one endpoint per client address and version.
    version_ip_chart,
    EndpointVersionIpChart,
    MedianMatrix,
    "endpoint-version-ip",
    |state, id, query| median_matrix(state, id, Caller::Ip, &query)
);

endpoint_chart!(
    /// Requests of one endpoint per status code (the pie).
    status_codes_chart,
    EndpointStatusCodesChart,
    StatusCodes,
    "endpoint-status-codes",
    |state, id, query| status_codes(state, id, &query)
);

/// A page cursor: the time (nanoseconds since the epoch) and id of the page's last request.
fn parse_cursor(cursor: &str) -> Option<Before> {
    let (nanos, id) = cursor.split_once('.')?;
    Some(Before {
        time: DateTime::from_timestamp_nanos(nanos.parse().ok()?),
        id: id.parse().ok()?,
    })
}

/// One endpoint's failed requests (status 400 and above), newest first, paged by cursor.
#[utoipa::path(
    get,
    path = routes::EndpointErrors::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id"), CursorQuery),
    responses(
        (status = 200, body = RequestPage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(crate) async fn failed_requests(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<routes::EndpointErrors>,
) -> Answer<routes::EndpointErrors> {
    let limit = paging::limit(query.limit, DEFAULT_PAGE, MAX_PAGE)?;
    let before = match &query.cursor {
        Some(cursor) => Some(parse_cursor(cursor).ok_or_else(paging::bad_cursor)?),
        None => None,
    };
    let name = endpoint_name(&state, id).await?;
    let requests = state
        .store
        .failed_requests(id, &name, before, limit)
        .await?;
    let next_cursor = (requests.len() as u64 == limit)
        .then(|| requests.last())
        .flatten()
        .and_then(|last| {
            let nanos = last.time_requested.timestamp_nanos_opt()?;
            Some(format!("{nanos}.{}", last.id))
        });
    Ok(Json(RequestPage {
        requests: requests
            .into_iter()
            .map(crate::api::views::exported_request)
            .collect(),
        next_cursor,
    }))
}

/// Registers this module's chart routes: a new chart is its handler above and one line here.
pub(crate) fn routes(
    router: utoipa_axum::router::OpenApiRouter<ApiState>,
) -> utoipa_axum::router::OpenApiRouter<ApiState> {
    router
        .routes(utoipa_axum::routes!(hourly_load_chart))
        .routes(utoipa_axum::routes!(versions_chart))
        .routes(utoipa_axum::routes!(users_chart))
        .routes(utoipa_axum::routes!(version_user_chart))
        .routes(utoipa_axum::routes!(version_ip_chart))
        .routes(utoipa_axum::routes!(status_codes_chart))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_the_time_and_id_of_the_last_request() {
        let before = parse_cursor("1763800000123456789.42").unwrap();
        assert_eq!(before.id, 42);
        assert_eq!(
            before.time.timestamp_nanos_opt(),
            Some(1_763_800_000_123_456_789)
        );
        assert_eq!(parse_cursor("42"), None);
        assert_eq!(parse_cursor("x.1"), None);
    }
}
