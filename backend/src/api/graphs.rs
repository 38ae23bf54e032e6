//! `GET /api/custom-graphs` and `GET /api/custom-graphs/{id}`: the custom graphs and their
//! values, for any session.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use dashboard_shared::{CustomGraph, ErrorBody, GraphData, GraphPoint};

use super::charts::{ChartQuery, LocalDays, chart_response};
use super::extract::{ApiPath, ApiQuery};
use super::session::Session;
use super::{ApiError, ApiState};
use crate::store::graphs::GraphRow;

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
    path = "/custom-graphs",
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = Vec<CustomGraph>), (status = 401, body = ErrorBody))
)]
pub(super) async fn list(
    State(state): State<ApiState>,
    _session: Session,
) -> Result<Json<Vec<CustomGraph>>, ApiError> {
    let rows = state.store.graphs().await?;
    Ok(Json(
        rows.into_iter().map(|row| graph(&state, row)).collect(),
    ))
}

/// A custom graph's values over a range of days, oldest first; with `format` its line chart as
/// an image.
#[utoipa::path(
    get,
    path = "/custom-graphs/{id}",
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
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Response, ApiError> {
    let days = LocalDays::or_last(&query, state.config.timezone, DEFAULT_DAYS)?;
    let row = state
        .store
        .graph(id)
        .await?
        .ok_or(ApiError::NotFound("no such custom graph"))?;
    let (start, end) = days.instants();
    let points: Vec<GraphPoint> = state
        .store
        .graph_points(id, start, end)
        .await?
        .into_iter()
        .map(|point| GraphPoint {
            time: point.time,
            value: point.value,
        })
        .collect();
    let (points, bucket_seconds) = at_most(points, start, end, MAX_POINTS);
    let (from, to) = days.bounds();
    let data = GraphData {
        graph: graph(&state, row),
        from,
        to,
        start,
        end,
        points,
        bucket_seconds,
    };
    chart_response(data, query.format(), &format!("custom-graph-{id}")).await
}

/// `points` (oldest first, within `[start, end)`) when there are at most `max`; otherwise the
/// mean of each bucket of whole seconds, so long that `[start, end)` holds at most `max`
/// buckets, placed at the bucket's start, with the bucket's length.
fn at_most(
    points: Vec<GraphPoint>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max: usize,
) -> (Vec<GraphPoint>, Option<u64>) {
    if points.len() <= max {
        return (points, None);
    }
    let span = u64::try_from((end - start).num_seconds()).unwrap_or(0);
    let bucket = span.div_ceil(max as u64).max(1);
    let mut means: Vec<(i64, f64, u32)> = Vec::new();
    for point in points {
        let index = (point.time - start).num_seconds() / bucket as i64;
        match means.last_mut() {
            Some((last, sum, count)) if *last == index => {
                *sum += point.value;
                *count += 1;
            }
            _ => means.push((index, point.value, 1)),
        }
    }
    let points = means
        .into_iter()
        .map(|(index, sum, count)| GraphPoint {
            time: start + TimeDelta::seconds(index * bucket as i64),
            value: sum / f64::from(count),
        })
        .collect();
    (points, Some(bucket))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn more_values_than_the_answer_holds_become_means_of_equal_buckets() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let end = start + TimeDelta::seconds(100);
        // One value a second, 0 to 99.
        let points: Vec<GraphPoint> = (0..100)
            .map(|second| GraphPoint {
                time: start + TimeDelta::seconds(second),
                value: second as f64,
            })
            .collect();
        let (kept, bucket) = at_most(points.clone(), start, end, 100);
        assert_eq!((kept.len(), bucket), (100, None), "few enough: as stored");
        let (means, bucket) = at_most(points, start, end, 30);
        assert_eq!(bucket, Some(4), "100 s in at most 30 buckets");
        assert_eq!(means.len(), 25);
        assert_eq!(means[0].time, start);
        assert_eq!(means[0].value, 1.5, "the mean of 0, 1, 2, 3");
        assert_eq!(means[24].time, start + TimeDelta::seconds(96));
        assert_eq!(means[24].value, 97.5);
    }
}
