//! `GET /api/database` and `POST /api/database/prune`: the database's size and retention, and an
//! on-demand prune; admins only.

use crate::api::Answer;
use axum::Json;
use axum::extract::State;
use chrono::Utc;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{DatabaseInfo, ErrorBody, PruneResult, RetentionInfo};

use super::ApiState;
use super::session::AdminSession;
use crate::schedule::Schedule;

/// Days in a retention, as the page shows them.
fn days(kept: Option<std::time::Duration>) -> Option<f64> {
    kept.map(|kept| kept.as_secs_f64() / 86_400.0)
}

/// Sizes per table and overall, row counts, and what is kept for how long.
#[utoipa::path(
    get,
    path = routes::Database::PATH,
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, body = DatabaseInfo),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    )
)]
pub(super) async fn info(
    State(state): State<ApiState>,
    _admin: AdminSession,
) -> Answer<routes::Database> {
    let retention = state.config.retention();
    let next_run = Schedule::cron(retention.schedule.as_str())
        .ticks()
        .ok()
        .and_then(|ticks| ticks.next_after(Utc::now()));
    Ok(Json(DatabaseInfo {
        backend: state.store.backend_name().to_owned(),
        total_bytes: state.store.database_bytes().await?,
        tables: state.store.table_sizes().await?,
        retention: RetentionInfo {
            requests_days: days(retention.requests),
            details_days: days(retention.details),
            graphs_days: days(retention.graphs),
            rollups_days: days(retention.rollups),
            schedule: retention.schedule.clone(),
            next_run,
        },
    }))
}

/// Deletes now what the retention no longer keeps, a chunk at a time, as the scheduled job does.
#[utoipa::path(
    post,
    path = routes::Prune::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, body = PruneResult),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    )
)]
pub(super) async fn prune(
    State(state): State<ApiState>,
    admin: AdminSession,
) -> Answer<routes::Prune> {
    let queue = crate::jobs::queue_name(&state.config);
    let pruned = state
        .store
        .prune(&state.config.retention(), Utc::now(), &queue, |_| {})
        .await?;
    tracing::info!(admin = %admin.0.username, ?pruned, "pruned on demand");
    Ok(Json(pruned))
}
