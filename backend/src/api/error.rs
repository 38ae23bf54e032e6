//! Errors of the API: `{"error": {"code", "message"}}` with a fitting status, never a panic.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dashboard_shared::{ErrorBody, ErrorDetail};

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// No valid session (or wrong credentials at login).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// A session without the right, or a missing CSRF header.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with stored data (a taken name).
    #[error("{0}")]
    Conflict(String),
    /// Something failed that the client cannot fix; details go to the log.
    #[error("the dashboard failed to answer")]
    Internal(String),
    /// Too many failed logins; try again after this many seconds.
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyRequests(u64),
    /// The caller's previous request of this kind is still running.
    #[error("{0}")]
    AlreadyRunning(&'static str),
    /// Every password verification slot is taken; try again after this many seconds.
    #[error("the dashboard is busy checking other logins; try again in {0} seconds")]
    Busy(u64),
    /// No such route or resource.
    #[error("{0}")]
    NotFound(&'static str),
    /// The database failed; details go to the log, not to the client.
    #[error("the dashboard's database is unavailable")]
    Database(#[from] sea_orm::DbErr),
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ApiError::AlreadyRunning(_) => (StatusCode::TOO_MANY_REQUESTS, "already_running"),
            ApiError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Database(_) => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Database(error) => tracing::error!(%error, "dashboard API request failed"),
            ApiError::Internal(error) => tracing::error!(%error, "dashboard API request failed"),
            _ => {}
        }
        let (status, code) = self.status_and_code();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match self {
            ApiError::TooManyRequests(seconds) | ApiError::Busy(seconds) => Some(seconds),
            ApiError::AlreadyRunning(_) => Some(1),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
