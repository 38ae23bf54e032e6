//! Requests served before the dashboard watched, fed through the writer like live ones.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A request from the past for [`crate::Dashboard::record_historical`]: imports from other
/// tools, demos and tests with history. Without a [`version`](PastRequest::version) it counts
/// for the running `APP_VERSION`.
///
/// ```
/// use std::time::Duration;
/// use axum_monitoring_dashboard::PastRequest;
/// let yesterday = chrono::Utc::now() - chrono::TimeDelta::days(1);
/// let request = PastRequest::new("GET", "/users/{id}", yesterday, Duration::from_millis(12), 200)
///     .version("1.4.0")
///     .group_by("alice")
///     .ip([192, 0, 2, 7].into());
/// # let _ = request;
/// ```
#[derive(Debug, Clone)]
pub struct PastRequest {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) time: DateTime<Utc>,
    pub(crate) duration: Duration,
    pub(crate) status: u16,
    pub(crate) version: Option<Arc<str>>,
    pub(crate) group_by: Option<String>,
    pub(crate) ip: Option<IpAddr>,
}

impl PastRequest {
    /// `METHOD route` answered `status` after `duration`, arriving at `time`.
    pub fn new(
        method: &str,
        route: &str,
        time: DateTime<Utc>,
        duration: Duration,
        status: u16,
    ) -> PastRequest {
        PastRequest {
            method: method.to_owned(),
            route: route.to_owned(),
            time,
            duration,
            status,
            version: None,
            group_by: None,
            ip: None,
        }
    }

    /// The application version that served it.
    pub fn version(mut self, version: &str) -> PastRequest {
        self.version = Some(version.into());
        self
    }

    /// Its rendered `group_by` value (the user).
    pub fn group_by(mut self, value: &str) -> PastRequest {
        self.group_by = Some(value.to_owned());
        self
    }

    /// The client's address.
    pub fn ip(mut self, ip: IpAddr) -> PastRequest {
        self.ip = Some(ip);
        self
    }
}
