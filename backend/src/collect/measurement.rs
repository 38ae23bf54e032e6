//! What the hot path hands to the writer for one request.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};

use crate::calls::Calls;
use crate::endpoint::EndpointState;
use crate::exception::Occurrence;
use crate::outlier::{Snapshot, Watch};

/// The endpoint a measurement belongs to.
pub(crate) enum EndpointRef {
    /// Registered already.
    Known(Arc<EndpointState>),
    /// Seen for the first time by this process; the writer registers it.
    New {
        /// The request's method.
        method: Method,
        /// The matched route template (copied once per endpoint and process).
        route: Arc<str>,
    },
}

/// One request's level-1 facts.
pub(crate) struct Measurement {
    pub(crate) endpoint: EndpointRef,
    /// When the request entered the layer (UTC).
    pub(crate) time_requested: DateTime<Utc>,
    /// From entering the layer until the response was produced.
    pub(crate) duration: Duration,
    /// The status the client received.
    pub(crate) status: u16,
    /// The rendered `group_by` value.
    pub(crate) group_by: Option<String>,
    /// The client's address.
    pub(crate) ip: Option<IpAddr>,
    /// The application version that served it, when not the writer's own (imports).
    pub(crate) version: Option<Arc<str>>,
    /// The statements it ran and the calls it made, if any.
    pub(crate) calls: Option<Box<Calls>>,
    /// An outlier snapshot, errors or a profile, for the requests that have them.
    pub(crate) extra: Option<Box<Extra>>,
}

/// What a request leaves besides its level-1 facts.
pub(crate) struct Extra {
    /// The watched request (level 2 and up): its head and body fields, and its spans (the
    /// profile, at level 3).
    pub(crate) watch: Option<Arc<Watch>>,
    /// Taken when it became an outlier.
    pub(crate) snapshot: Option<Box<Snapshot>>,
    /// Panics, 5xx answers and reported errors.
    pub(crate) occurrences: Vec<Occurrence>,
}
