//! One endpoint: its details, and its monitoring level (admin).

use crate::api::{Answer, BodyOf};
use axum::Json;
use axum::extract::State;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{EndpointDetails, EndpointLevel, ErrorBody};

use super::extract::{ApiJson, ApiPath};
use super::session::{AdminSession, Session};
use super::{ApiError, ApiState};
use crate::config::MonitorLevel;

/// Sets an endpoint's monitoring level: at once in this process, within seconds in every other
/// process sharing the database.
#[utoipa::path(
    put,
    path = routes::SetEndpointLevel::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The endpoint's id")),
    request_body = EndpointLevel,
    responses(
        (status = 200, body = EndpointLevel),
        (status = 400, body = ErrorBody, description = "Not a level from 0 to 3"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub(super) async fn set_level(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
    ApiJson(change): BodyOf<routes::SetEndpointLevel>,
) -> Answer<routes::SetEndpointLevel> {
    let level = MonitorLevel::new(change.level).ok_or_else(|| {
        ApiError::BadRequest(format!("level must be 0, 1, 2 or 3, not {}", change.level))
    })?;
    if !state.store.set_endpoint_level(id, level).await? {
        return Err(ApiError::NotFound("no such endpoint"));
    }
    if let Some(endpoint) = state.collector.endpoints.by_id(id) {
        endpoint.set_level(level);
    }
    Ok(Json(EndpointLevel { level: level.get() }))
}

/// An endpoint's details: route, methods, level, requests, and when and in which version it
/// first appeared.
#[utoipa::path(
    get,
    path = routes::Endpoint::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id")),
    responses(
        (status = 200, body = EndpointDetails),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub(super) async fn details(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
) -> Answer<routes::Endpoint> {
    state
        .store
        .endpoint_details(id)
        .await?
        .map(|facts| Json(super::views::endpoint_details(facts)))
        .ok_or(ApiError::NotFound("no such endpoint"))
}
