//! The REST API under `/{CUSTOM_LINK}/api`: JSON in and out, in `dashboard_shared` DTOs, and the
//! OpenAPI document generated from the same handlers (`GET /api/openapi.json`).
//!
//! Every operation carries one tag that says who may call it: `public` (anyone), `read` (guest
//! and admin sessions), `admin` (admin sessions) or `export` (the security token). The access
//! test walks the document, so no route can be added without being checked.

mod alerts;
mod calls;
mod charts;
mod database;
mod deployment;
mod endpoints;
mod error;
mod export;
mod extract;
mod graphs;
mod host;
mod incidents;
mod overview;
mod paging;
mod profiles;
mod reports;
mod servers;
mod session;
mod throttle;
mod users;
pub(crate) mod views;

use dashboard_shared::api::{self as routes, Route};
use std::sync::Arc;

use axum::{Json, Router};
use dashboard_shared::{ErrorBody, ErrorDetail};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use error::ApiError;
use extract::{ApiJson, ApiQuery};
pub(crate) use host::Authorize;
pub use host::HostUser;
pub(crate) use session::SessionKeys;

use crate::collect::Collector;
use crate::config::Config;
use crate::store::Store;

/// A handler's answer: the JSON of the answer its route declares in `dashboard_shared`.
pub(crate) type Answer<R> = Result<Json<<R as Route>::Response>, ApiError>;

/// The query string that a route declares.
pub(crate) type QueryOf<R> = ApiQuery<<R as Route>::Query>;

/// The JSON body that a route declares.
pub(crate) type BodyOf<R> = ApiJson<<R as Route>::Body>;

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub(crate) store: Store,
    pub(crate) config: Arc<Config>,
    pub(crate) sessions: Arc<SessionKeys>,
    pub(crate) collector: Arc<Collector>,
    pub(crate) throttle: Arc<throttle::LoginThrottle>,
    /// The host service's login, when [`crate::DashboardBuilder::authorize`] set one.
    pub(crate) authorize: Option<Authorize>,
    /// The users whose report is being made (one at a time each).
    pub(crate) reports_running: Arc<reports::RunningReports>,
    /// The version recorded with requests (`APP_VERSION`, or the `GIT` commit).
    pub(crate) app_version: Arc<str>,
    /// The schedule of each custom graph this process registered, by title.
    pub(crate) graph_schedules: Arc<std::collections::HashMap<String, String>>,
}

impl ApiState {
    /// The same state, whose store reads what `instance` served when it is given (the
    /// `instance` filter of the overview and the charts).
    pub(crate) fn for_instance(&self, instance: Option<i64>) -> ApiState {
        ApiState {
            store: self.store.scoped(instance),
            ..self.clone()
        }
    }
}

/// The parts of the document that no handler describes.
#[derive(OpenApi)]
#[openapi(
    info(title = "axum-monitoring-dashboard API", description = "Errors are `{\"error\": {\"code\", \"message\"}}`. \
        Changing requests need the session's CSRF token in `X-CSRF-Token`."),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// The session cookie, the CSRF header and the export token.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(session::COOKIE_NAME))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(
                dashboard_shared::api::CSRF_HEADER,
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every operation with its handler; each handler's `#[utoipa::path]` names its route in
/// `dashboard_shared::api` (the chart routes register in their own modules).
fn operations() -> OpenApiRouter<ApiState> {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(overview::overview))
        .routes(routes!(servers::servers))
        .routes(routes!(endpoints::details))
        .routes(routes!(charts::endpoint::failed_requests))
        .routes(routes!(incidents::outliers))
        .routes(routes!(calls::endpoint_calls))
        .routes(routes!(calls::dependencies))
        .routes(routes!(profiles::profiles))
        .routes(routes!(profiles::grouped_profile))
        .routes(routes!(incidents::exceptions))
        .routes(routes!(incidents::exception, incidents::delete_exception))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update, users::delete))
        .routes(routes!(deployment::deployment))
        .routes(routes!(endpoints::set_level))
        .routes(routes!(graphs::list))
        .routes(routes!(graphs::data))
        .routes(routes!(database::info))
        .routes(routes!(database::prune))
        .routes(routes!(reports::create))
        .routes(routes!(reports::versions))
        .routes(routes!(reports::version_comparison))
        .routes(routes!(export::requests))
        .routes(routes!(export::endpoints))
        .routes(routes!(export::details))
        .routes(routes!(alerts::alerts))
        .routes(routes!(alerts::create_rule))
        .routes(routes!(alerts::update_rule, alerts::delete_rule))
        .routes(routes!(alerts::create_channel))
        .routes(routes!(alerts::update_channel, alerts::delete_channel))
        .routes(routes!(alerts::test_channel))
        .routes(routes!(openapi_document));
    charts::endpoint::routes(charts::application::routes(router))
}

/// The API's routes, to be nested under `/{CUSTOM_LINK}/api`, with the OpenAPI document.
pub(crate) fn router(state: ApiState) -> Router {
    let (router, mut openapi) = operations().split_for_parts();
    openapi.servers = Some(vec![Server::new(format!(
        "/{}/api",
        state.config.custom_link
    ))]);
    let openapi = Arc::new(openapi);
    router
        .layer(axum::Extension(openapi))
        .fallback(|| async { ApiError::NotFound("no such API route") })
        .with_state(state)
}

/// The OpenAPI 3 document of this API.
#[utoipa::path(
    get,
    path = routes::OpenApiDocument::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, description = "The OpenAPI document"), (status = 401, body = ErrorBody))
)]
async fn openapi_document(
    _session: session::Session,
    axum::Extension(openapi): axum::Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json(openapi.as_ref().clone())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use dashboard_shared::api::Method;

    /// The router serves exactly the operations that `dashboard_shared::api` declares, each with
    /// its declared method.
    #[test]
    fn the_router_serves_the_declared_routes() {
        let (_, openapi) = super::operations().split_for_parts();
        let served: BTreeSet<(String, String)> = openapi
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                [
                    (Method::Get, item.get.is_some()),
                    (Method::Post, item.post.is_some()),
                    (Method::Put, item.put.is_some()),
                    (Method::Patch, item.patch.is_some()),
                    (Method::Delete, item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(move |(method, _)| (method.as_str().to_owned(), path.clone()))
            })
            .collect();
        let declared: BTreeSet<(String, String)> = dashboard_shared::api::all()
            .map(|(method, path): (Method, &str)| (method.as_str().to_owned(), path.to_owned()))
            .collect();
        assert_eq!(served, declared);
    }
}
