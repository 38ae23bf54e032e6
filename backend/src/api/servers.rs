//! `GET /api/servers`: the processes that share the database.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{ErrorBody, Servers};

use super::overview::periods_at;
use super::session::Session;
use super::{Answer, ApiState, views};
use crate::store::instances::HEARTBEAT_HISTORY;

/// The instances heard from in the last day, live ones first, with their heartbeats of the
/// last hour and the requests each stored today.
#[utoipa::path(
    get,
    path = routes::Servers::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = Servers), (status = 401, body = ErrorBody))
)]
pub(super) async fn servers(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::Servers> {
    let now = Utc::now();
    let today = periods_at(now, state.config.timezone).today.start;
    let instances = state.store.instances(now).await?;
    let mut heartbeats = state.store.heartbeats(now - HEARTBEAT_HISTORY).await?;
    let requests = state.store.requests_per_instance(today).await?;
    Ok(Json(views::servers(
        now,
        instances,
        &mut heartbeats,
        &requests,
    )))
}
