//! `GET /api/custom-graphs` and `GET /api/custom-graphs/{id}`: the custom graphs and their
//! values, for any session.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, TimeDelta, Utc};
use dashboard_shared::{CustomGraph, ErrorBody, GraphData, GraphPoint};
use serde::Deserialize;

use super::extract::{ApiPath, ApiQuery};
use super::session::Session;
use super::{ApiError, ApiState};
use crate::store::graphs::GraphRow;

/// The range shown when the request names none.
const DEFAULT_DAYS: i64 = 14;
/// The longest range one request may cover.
const MAX_DAYS: i64 = 366;

/// The range of a graph's values, `[from, to)` in UTC; default the last 14 days.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct GraphQuery {
    /// Start (RFC 3339); default 14 days before `to`.
    from: Option<DateTime<Utc>>,
    /// End (RFC 3339); default now.
    to: Option<DateTime<Utc>>,
}

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

/// A custom graph's values in a range, oldest first.
#[utoipa::path(
    get,
    path = "/custom-graphs/{id}",
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The graph's id"), GraphQuery),
    responses(
        (status = 200, body = GraphData),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn data(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<GraphQuery>,
) -> Result<Json<GraphData>, ApiError> {
    let to = query.to.unwrap_or_else(Utc::now);
    let from = query.from.unwrap_or(to - TimeDelta::days(DEFAULT_DAYS));
    if from >= to || to - from > TimeDelta::days(MAX_DAYS) {
        return Err(ApiError::BadRequest(format!(
            "`from` must come before `to`, at most {MAX_DAYS} days earlier"
        )));
    }
    let row = state
        .store
        .graphs()
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or(ApiError::NotFound("no such custom graph"))?;
    let points = state
        .store
        .graph_points(id, from, to)
        .await?
        .into_iter()
        .map(|point| GraphPoint {
            time: point.time,
            value: point.value,
        })
        .collect();
    Ok(Json(GraphData {
        graph: graph(&state, row),
        points,
    }))
}
