//! The hot path: the tower layer that measures every request of the monitored router, the live
//! table of endpoints and their levels, and the facts taken from each request.
//!
//! Nothing here awaits the database, takes a lock or allocates for a known endpoint: a level
//! lookup is a lock-free read of an immutable map, and the measurement is handed to the writer
//! with `try_send`; when the queue is full it is dropped and counted.

mod endpoints;
mod layer;
mod measurement;

pub use layer::{MonitorLayer, MonitorService};

pub(crate) use endpoints::{EndpointState, Endpoints};
pub(crate) use measurement::{EndpointRef, Measurement};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use tokio::sync::mpsc;

use crate::config::MonitorLevel;

/// A function of the request that names its group (usually the user); `None` for no group.
pub(crate) type GroupBy = Arc<dyn Fn(&Request) -> Option<String> + Send + Sync>;

/// What every clone of the layer shares.
pub(crate) struct Collector {
    pub(crate) endpoints: Endpoints,
    pub(crate) default_level: MonitorLevel,
    pub(crate) group_by: Option<GroupBy>,
    /// `/{CUSTOM_LINK}`: the dashboard's own routes are never measured.
    own_prefix: String,
    sender: mpsc::Sender<Measurement>,
    dropped: AtomicU64,
}

impl Collector {
    pub(crate) fn new(
        default_level: MonitorLevel,
        group_by: Option<GroupBy>,
        custom_link: &str,
        sender: mpsc::Sender<Measurement>,
    ) -> Self {
        Collector {
            endpoints: Endpoints::default(),
            default_level,
            group_by,
            own_prefix: format!("/{custom_link}"),
            sender,
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether a route template is one of the dashboard's own.
    pub(crate) fn is_own_route(&self, route: &str) -> bool {
        route
            .strip_prefix(&self.own_prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }

    /// Hands a measurement to the writer without waiting; counts it as dropped when the queue is
    /// full or closed.
    pub(crate) fn submit(&self, measurement: Measurement) {
        if self.sender.try_send(measurement).is_err() {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(
                    dropped,
                    "measurement queue full or closed: measurements are being dropped"
                );
            }
        }
    }

    /// Measurements dropped so far because the queue was full or closed.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Counts measurements that the writer could not store.
    pub(crate) fn count_lost(&self, lost: u64) {
        self.dropped.fetch_add(lost, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::Utc;

    use super::*;

    fn measurement() -> Measurement {
        Measurement {
            endpoint: EndpointRef::Known(Arc::new(EndpointState::new(
                1,
                MonitorLevel::PERFORMANCE,
            ))),
            time_requested: Utc::now(),
            duration: Duration::from_millis(3),
            status: 200,
            group_by: None,
            ip: None,
        }
    }

    #[test]
    fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let (sender, mut receiver) = mpsc::channel(2);
        let collector = Collector::new(MonitorLevel::PERFORMANCE, None, "dashboard", sender);
        for _ in 0..5 {
            collector.submit(measurement());
        }
        assert_eq!(collector.dropped(), 3);
        assert!(receiver.try_recv().is_ok() && receiver.try_recv().is_ok());
        receiver.close();
        collector.submit(measurement());
        assert_eq!(collector.dropped(), 4, "a closed queue drops too");
        assert!(
            collector.is_own_route("/dashboard") && collector.is_own_route("/dashboard/api/me")
        );
        assert!(!collector.is_own_route("/dashboards") && !collector.is_own_route("/users/{id}"));
    }
}
