//! The export API, guarded by `SECURITY_TOKEN` (`Authorization: Bearer …`) and nothing else: no
//! token configured ⇒ 404, a wrong token ⇒ 401 after a constant delay.

use crate::api::{Answer, QueryOf};
use dashboard_shared::ExportQuery;
use dashboard_shared::api::{self as routes, Route};
use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use dashboard_shared::{DeploymentDetails, ErrorBody, ExportedEndpoint, RequestPage};

use super::extract::ApiQuery;
use super::{ApiError, ApiState, deployment, paging};
use crate::store::export::RequestFilter;

/// How long a caller with a wrong token waits for its 401, whatever the token.
const WRONG_TOKEN_DELAY: Duration = Duration::from_millis(250);
/// Requests per page unless `limit` says otherwise, and the most a page holds.
const DEFAULT_LIMIT: u64 = 1_000;
const MAX_LIMIT: u64 = 10_000;

/// A caller that sent the security token.
pub(crate) struct ExportToken;

impl FromRequestParts<ApiState> for ExportToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = &state.config.security_token else {
            return Err(ApiError::NotFound(
                "export is disabled: no SECURITY_TOKEN is configured",
            ));
        };
        if token.is_bearer_in(&parts.headers) {
            return Ok(ExportToken);
        }
        tokio::time::sleep(WRONG_TOKEN_DELAY).await;
        Err(ApiError::Unauthorized(
            "a valid security token is required (Authorization: Bearer …)",
        ))
    }
}

/// Requests with every level-1 field, paged by cursor, oldest first.
#[utoipa::path(
    get,
    path = routes::ExportRequests::PATH,
    tag = "export",
    security(("token" = [])),
    params(ExportQuery),
    responses(
        (status = 200, body = RequestPage),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Export is disabled: no SECURITY_TOKEN"),
    )
)]
pub(super) async fn requests(
    State(state): State<ApiState>,
    _token: ExportToken,
    ApiQuery(query): QueryOf<routes::ExportRequests>,
) -> Answer<routes::ExportRequests> {
    let limit = paging::limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after_id = match &query.cursor {
        Some(cursor) => cursor.parse().map_err(|_| paging::bad_cursor())?,
        None => 0,
    };
    let filter = RequestFilter {
        from: query.from,
        to: query.to,
        endpoint: query.endpoint,
        after_id,
        limit,
    };
    let requests = state.store.export_requests(&filter).await?;
    let next_cursor = (requests.len() as u64 == limit)
        .then(|| requests.last().map(|last| last.id.to_string()))
        .flatten();
    Ok(Json(RequestPage {
        requests: requests
            .into_iter()
            .map(super::views::exported_request)
            .collect(),
        next_cursor,
    }))
}

/// Every endpoint's monitoring rule.
#[utoipa::path(
    get,
    path = routes::ExportEndpoints::PATH,
    tag = "export",
    security(("token" = [])),
    responses((status = 200, body = Vec<ExportedEndpoint>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub(super) async fn endpoints(
    State(state): State<ApiState>,
    _token: ExportToken,
) -> Answer<routes::ExportEndpoints> {
    let rules = state.store.export_endpoints().await?;
    Ok(Json(
        rules
            .into_iter()
            .map(super::views::exported_endpoint)
            .collect(),
    ))
}

/// Facts of the deployment.
#[utoipa::path(
    get,
    path = routes::ExportDetails::PATH,
    tag = "export",
    security(("token" = [])),
    responses((status = 200, body = DeploymentDetails), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub(super) async fn details(
    State(state): State<ApiState>,
    _token: ExportToken,
) -> Answer<routes::ExportDetails> {
    Ok(Json(deployment::details(&state).await?))
}
