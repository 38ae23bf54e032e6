//! The host service's own login ([`crate::DashboardBuilder::authorize`]): the service decides
//! from its own session or headers who a request is.

use std::sync::Arc;

use axum::http::request::Parts;
use dashboard_shared::Role;

/// A user as the host service names them, with their role on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostUser {
    /// Shown as the logged-in user.
    pub username: String,
    /// What they may do: read ([`Role::Guest`]) or read and change ([`Role::Admin`]).
    pub role: Role,
}

impl HostUser {
    /// An admin of the dashboard.
    pub fn admin(username: impl Into<String>) -> Self {
        HostUser {
            username: username.into(),
            role: Role::Admin,
        }
    }

    /// A guest: reads, changes nothing.
    pub fn guest(username: impl Into<String>) -> Self {
        HostUser {
            username: username.into(),
            role: Role::Guest,
        }
    }
}

/// The host's decision for one request: a user, or `None` for neither.
pub(crate) type Authorize = Arc<dyn Fn(&Parts) -> Option<HostUser> + Send + Sync>;
