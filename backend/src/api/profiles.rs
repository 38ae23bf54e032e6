//! An endpoint's profiled requests (level 3) and their grouped profile.

use crate::api::{Answer, QueryOf};
use axum::Json;
use axum::extract::State;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{ErrorBody, GroupedProfile, ProfileLine, ProfilePage, ProfiledRequest};
use dashboard_shared::{GroupedQuery, PageQuery};

use super::ApiState;
use super::charts::endpoint::endpoint_name;
use super::extract::{ApiPath, ApiQuery};
use super::paging;
use super::session::Session;
use crate::profiler::{GROUPED_REQUESTS, group};
use crate::store::profiles::StoredProfiles;

/// An endpoint's profiled requests, newest first, each with its execution tree.
#[utoipa::path(
    get,
    path = routes::EndpointProfiles::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id"), PageQuery),
    responses(
        (status = 200, body = ProfilePage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn profiles(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<routes::EndpointProfiles>,
) -> Answer<routes::EndpointProfiles> {
    let (offset, limit) = paging::page(query.offset, query.limit)?;
    endpoint_name(&state, id).await?;
    let stored = state.store.profiles(id, None, offset, limit).await?;
    Ok(Json(ProfilePage {
        total: state.store.profile_count(id).await?,
        profiles: profiled_requests(&stored),
    }))
}

/// The paths of an endpoint's latest 100 profiled requests (of one version if asked) merged:
/// hits, mean, standard deviation, total and self time per path, the request itself first.
#[utoipa::path(
    get,
    path = routes::EndpointGroupedProfile::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id"), GroupedQuery),
    responses(
        (status = 200, body = GroupedProfile),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn grouped_profile(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<routes::EndpointGroupedProfile>,
) -> Answer<routes::EndpointGroupedProfile> {
    let endpoint = endpoint_name(&state, id).await?;
    let version = query.version.as_deref();
    let stored = state
        .store
        .profiles(id, version, 0, GROUPED_REQUESTS)
        .await?;
    Ok(Json(group(&endpoint, &stored)))
}

fn profiled_requests(stored: &StoredProfiles) -> Vec<ProfiledRequest> {
    stored
        .requests
        .iter()
        .map(|(row, lines)| ProfiledRequest {
            request_id: row.request_id,
            time_requested: row.time_requested,
            duration_ms: row.duration_ms,
            status: u16::try_from(row.status_code).unwrap_or(0),
            samples: u64::try_from(row.samples).unwrap_or(0),
            sampling_period_ms: u64::try_from(row.sampling_period_ms).unwrap_or(0),
            lines: lines
                .iter()
                .map(|line| ProfileLine {
                    indent: u16::try_from(line.indent).unwrap_or(0),
                    code: stored.frame(line.code_id),
                    duration_ms: line.duration_ms,
                    wall_ms: line.wall_ms,
                    calls: u64::try_from(line.calls).unwrap_or(0),
                })
                .collect(),
        })
        .collect()
}
