//! `GET /api/custom-graphs` and `GET /api/custom-graphs/{id}`: the custom graphs and their
//! values, for any session.

use crate::api::{Answer, QueryOf};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{CustomGraph, ErrorBody, GraphData, GraphPoint};

use super::charts::{HourWindow, LocalDays, chart_response};
use super::extract::{ApiPath, ApiQuery};
use super::session::Session;
use super::{ApiError, ApiState};
use crate::store::graphs::GraphRow;
use dashboard_shared::ChartQuery;

/// Days a graph shows when the request names none.
const DEFAULT_DAYS: u64 = 14;
/// Values a graph's answer holds at most; more are averaged per bucket of time.
const MAX_POINTS: usize = 2000;

fn graph(state: &ApiState, row: GraphRow) -> CustomGraph {
    CustomGraph {
        id: i64::from(row.id),
        schedule: state.graph_schedules.get(&row.title).cloned(),
        title: row.title,
        time_added: row.time_added,
        version_added: row.version_added,
    }
}

/// Every custom graph, by title.
#[utoipa::path(
    get,
    path = routes::CustomGraphs::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = Vec<CustomGraph>), (status = 401, body = ErrorBody))
)]
pub(super) async fn list(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::CustomGraphs> {
    let rows = state.store.graphs().await?;
    Ok(Json(
        rows.into_iter().map(|row| graph(&state, row)).collect(),
    ))
}

/// The time axis of a graph over `days`: never past `now` (there are no values yet), and by
/// default (no `from`) not before the graph was added, so that a graph sampled every few
/// seconds since an hour ago spans that hour, not a 14-day axis with a line at its right edge.
fn axis(
    days: &LocalDays,
    query: &ChartQuery,
    added: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (start, end) = days.instants();
    let end = end.min(now).max(start);
    let start = match query.from {
        Some(_) => start,
        None => start.max(added).min(end),
    };
    (start, end)
}

/// A custom graph's values over a range of days (or the last `hours`), oldest first; with
/// `format` its line chart as an image. Without `from` its axis starts when the graph was
/// added, if that was later.
#[utoipa::path(
    get,
    path = dashboard_shared::CustomGraphChart::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The graph's id"), ChartQuery),
    responses(
        (status = 200, description = "The values, or with `format` the chart as an image", content((GraphData = "application/json"), (String = "image/svg+xml"), (Vec<u8> = "image/png"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn data(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<dashboard_shared::CustomGraphChart>,
) -> Result<Response, ApiError> {
    let row = state
        .store
        .graph(id)
        .await?
        .ok_or(ApiError::NotFound("no such custom graph"))?;
    let now = Utc::now();
    let (start, end, (from, to)) = match HourWindow::of(&query, now)? {
        Some(window) => {
            let label = |time: DateTime<Utc>| time.format("%Y-%m-%d %H:%M").to_string();
            let labels = (label(window.start), label(window.end));
            (window.start, window.end, labels)
        }
        None => {
            let days = LocalDays::or_last(&query, state.config.timezone, DEFAULT_DAYS)?;
            let (start, end) = axis(&days, &query, row.time_added, now);
            (start, end, days.bounds())
        }
    };
    let (points, bucket_seconds) = state
        .store
        .graph_points(id, (start, end), MAX_POINTS)
        .await?;
    let points = points
        .into_iter()
        .map(|point| GraphPoint {
            time: point.time,
            value: point.value,
        })
        .collect();
    let data = GraphData {
        graph: graph(&state, row),
        from,
        to,
        start,
        end,
        points,
        bucket_seconds,
    };
    chart_response(data, query.format, &format!("custom-graph-{id}")).await
}
