//! What requests wait on: statements and upstreams application-wide or of one endpoint, and an
//! endpoint's statements per request, N+1 flags and slow samples.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{
    ChartQuery, DependencyList, DependencyQuery, EndpointCallSummary, ErrorBody,
};

use super::charts::LocalDays;
use super::charts::endpoint::endpoint_name;
use super::extract::{ApiPath, ApiQuery};
use super::session::Session;
use super::views;
use super::{Answer, ApiError, ApiState, QueryOf};
use crate::store::calls::CallRange;

/// Statements (`kind=query`) or upstreams (`kind=http`) over a range of days, most total time
/// first: calls, mean, p95, N+1 flags or status classes, the endpoints that made them and their
/// calls per day.
#[utoipa::path(
    get,
    path = routes::Dependencies::PATH,
    tag = "read",
    security(("session" = [])),
    params(DependencyQuery),
    responses(
        (status = 200, body = DependencyList),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn dependencies(
    State(state): State<ApiState>,
    _session: Session,
    ApiQuery(query): QueryOf<routes::Dependencies>,
) -> Answer<routes::Dependencies> {
    if let Some(id) = query.endpoint {
        let id = i32::try_from(id).map_err(|_| ApiError::NotFound("no such endpoint"))?;
        endpoint_name(&state, id).await?;
    }
    let chart = ChartQuery {
        from: query.from,
        to: query.to,
        ..ChartQuery::default()
    };
    let days = LocalDays::or_last(&chart, state.config.timezone, 7)?;
    let (from, to) = days.span();
    let range = CallRange {
        kind: query.kind,
        from,
        to,
        endpoint: query.endpoint.and_then(|id| i32::try_from(id).ok()),
    };
    let rows = state.store.dependency_days(range).await?;
    let buckets = state.store.dependency_buckets(range).await?;
    let names: HashMap<i32, String> = state.store.endpoint_names().await?.into_iter().collect();
    Ok(Json(views::dependency_list(
        days.labels(),
        rows,
        &buckets,
        &names,
    )))
}

/// An endpoint's statements per request, time in statements and in outgoing calls against the
/// whole, its N+1 flags and its slow samples over a range of days.
#[utoipa::path(
    get,
    path = routes::EndpointCalls::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id"), ChartQuery),
    responses(
        (status = 200, body = EndpointCallSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn endpoint_calls(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<routes::EndpointCalls>,
) -> Answer<routes::EndpointCalls> {
    endpoint_name(&state, id).await?;
    let days = LocalDays::or_last(&query, state.config.timezone, 7)?;
    let instants = days.instants();
    let per_request = state.store.queries_per_request(id, instants).await?;
    let (flags, flagged) = state.store.n_plus_one_flags(id, instants).await?;
    let slow = state.store.slow_calls(id, instants).await?;
    Ok(Json(views::endpoint_calls(
        &per_request,
        &flags,
        flagged,
        slow,
    )?))
}
