//! `GET /api/deployment`: the configuration page's facts, for any session.

use crate::api::Answer;
use axum::Json;
use axum::extract::State;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{DeploymentDetails, ErrorBody};

use super::session::Session;
use super::{ApiError, ApiState};
use crate::metrics::PipelineHealth;

/// The deployment's facts; never a secret.
pub(super) async fn details(state: &ApiState) -> Result<DeploymentDetails, ApiError> {
    let (first, total_requests) = state.store.request_totals().await?;
    let config = &state.config;
    Ok(DeploymentDetails {
        dashboard_version: env!("CARGO_PKG_VERSION").to_owned(),
        app_version: state.app_version.to_string(),
        first_request: first.as_ref().map(|(time, _)| *time),
        first_request_version: first.map(|(_, version)| version),
        total_requests,
        database_backend: state.store.backend_name().to_owned(),
        table_prefix: config.table_prefix.clone(),
        monitor_level: config.monitor_level.get(),
        sampling_period_ms: config.sampling_period_ms,
        outlier_detection_constant: config.outlier_detection_constant,
        timezone: config.timezone.name().to_owned(),
        export_enabled: config.security_token.is_some(),
        measurements_queued: state.collector.queued() as u64,
        measurements_dropped: state.collector.dropped(),
        writer_failures: state.collector.write_failures(),
    })
}

/// Facts of the deployment, for the configuration page.
#[utoipa::path(
    get,
    path = routes::Deployment::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = DeploymentDetails), (status = 401, body = ErrorBody))
)]
pub(super) async fn deployment(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::Deployment> {
    Ok(Json(details(&state).await?))
}
