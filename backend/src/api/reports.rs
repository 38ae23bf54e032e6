//! `POST /api/reports`, `GET /api/reports/versions` and `GET /api/reports/version-comparison`:
//! performance reports and what they can compare, for any session.

use crate::api::{Answer, BodyOf};
use dashboard_shared::api::{self as routes, Route};
use std::collections::HashSet;
use std::sync::Mutex;

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use dashboard_shared::{ErrorBody, Report, ReportRequest, VersionComparison, VersionRequests};

use super::extract::ApiJson;
use super::session::Session;
use super::{ApiError, ApiState};
use crate::reports::{self, ReportError};

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Invalid(message) => ApiError::BadRequest(message),
            ReportError::Db(error) => ApiError::Database(error),
        }
    }
}

/// The users whose report is being made, by name (host-authorised users have no account id).
#[derive(Debug, Default)]
pub(crate) struct RunningReports(Mutex<HashSet<String>>);

/// A report being made for one user; ends when dropped.
pub(crate) struct RunningReport<'a> {
    reports: &'a RunningReports,
    username: String,
}

impl RunningReports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a report for the user, unless one is being made already.
    pub(crate) fn start(&self, username: &str) -> Option<RunningReport<'_>> {
        self.lock()
            .insert(username.to_owned())
            .then(|| RunningReport {
                reports: self,
                username: username.to_owned(),
            })
    }
}

impl Drop for RunningReport<'_> {
    fn drop(&mut self) {
        self.reports.lock().remove(&self.username);
    }
}

/// Compares every endpoint's comparison set with its baseline set: medians of up to 500
/// requests per set drawn at random, with Mood's median test, and status-code shares.
#[utoipa::path(
    post,
    path = routes::CreateReport::PATH,
    tag = "read",
    security(("session" = [], "csrf" = [])),
    request_body = ReportRequest,
    responses(
        (status = 200, body = Report),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token"),
        (status = 429, body = ErrorBody, description = "This session's previous report is still being made"),
    )
)]
pub(super) async fn create(
    State(state): State<ApiState>,
    session: Session,
    ApiJson(request): BodyOf<routes::CreateReport>,
) -> Answer<routes::CreateReport> {
    // One report at a time per user: a report reads up to 366 days of requests.
    let _running =
        state
            .reports_running
            .start(&session.username)
            .ok_or(ApiError::AlreadyRunning(
                "your previous report is still being made; try again when it is done",
            ))?;
    Ok(Json(
        reports::report(&state.store, &request, Utc::now()).await?,
    ))
}

/// The latest automatic comparison of the newest version with the previous one, or `null`.
#[utoipa::path(
    get,
    path = routes::LatestVersionComparison::PATH,
    tag = "read",
    security(("session" = [])),
    responses(
        (status = 200, body = Option<VersionComparison>),
        (status = 401, body = ErrorBody)
    )
)]
pub(super) async fn version_comparison(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::LatestVersionComparison> {
    Ok(Json(
        reports::latest_version_comparison(&state.store).await?,
    ))
}

/// The versions a report can compare, the one that appeared last first, with their requests.
#[utoipa::path(
    get,
    path = routes::ReportVersions::PATH,
    tag = "read",
    security(("session" = [])),
    responses(
        (status = 200, body = Vec<VersionRequests>),
        (status = 401, body = ErrorBody)
    )
)]
pub(super) async fn versions(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::ReportVersions> {
    let versions = state.store.versions_newest_first().await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|(version, requests)| VersionRequests { version, requests })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::RunningReports;

    #[test]
    fn one_report_at_a_time_per_user() {
        let reports = RunningReports::default();
        let first = reports.start("ann");
        assert!(first.is_some());
        assert!(reports.start("ann").is_none(), "ann's first report runs");
        assert!(reports.start("bob").is_some(), "others are not held up");
        drop(first);
        assert!(reports.start("ann").is_some(), "done, so ann may ask again");
    }
}
