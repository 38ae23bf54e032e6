//! The REST API under `/{CUSTOM_LINK}/api`: JSON in and out, in `dashboard_shared` DTOs.

mod error;
mod overview;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use dashboard_shared::api;

pub(crate) use error::ApiError;
pub(crate) use session::SessionKeys;

use crate::collect::Collector;
use crate::config::Config;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub(crate) store: Store,
    pub(crate) config: Arc<Config>,
    pub(crate) sessions: Arc<SessionKeys>,
    pub(crate) collector: Arc<Collector>,
}

/// The API's routes, to be nested under `/{CUSTOM_LINK}/api`.
pub(crate) fn router(state: ApiState) -> Router {
    Router::new()
        .route(api::LOGIN, post(session::login))
        .route(api::LOGOUT, post(session::logout))
        .route(api::ME, get(session::me))
        .route(api::OVERVIEW, get(overview::overview))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}
