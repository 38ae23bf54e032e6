//! Following the monitoring levels stored in the database, so that a change made through any
//! process sharing it applies everywhere within [`REFRESH_INTERVAL`].

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use tokio::sync::watch;

use super::Collector;
use crate::config::MonitorLevel;
use crate::endpoint::EndpointState;
use crate::store::Store;

/// How often the stored levels are read.
pub(crate) const REFRESH_INTERVAL: Duration = Duration::from_secs(2);

/// Applies the stored levels to the live endpoint table until shutdown; endpoints registered by
/// other processes are learned too, so their first request here needs no registration.
pub(crate) async fn follow_levels(
    store: Store,
    collector: Arc<Collector>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(REFRESH_INTERVAL) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
        match store.endpoint_levels().await {
            Ok(levels) => apply(&collector, levels),
            Err(error) => {
                tracing::warn!(%error, "cannot read the monitoring levels; keeping the current ones")
            }
        }
    }
}

/// Fills the live table with the stored endpoints, their levels and the mean duration of their
/// stored requests (from the rollups), which the outlier threshold starts from.
pub(crate) async fn load_endpoints(
    store: &Store,
    collector: &Collector,
) -> Result<(), sea_orm::DbErr> {
    apply(collector, store.endpoint_levels().await?);
    for stored in store.endpoint_durations().await? {
        if let Some(endpoint) = collector.endpoints.by_id(stored.endpoint_id) {
            let hits = u64::try_from(stored.hits).unwrap_or(0);
            let sum = std::time::Duration::try_from_secs_f64(stored.duration_sum_ms / 1000.0)
                .unwrap_or_default();
            endpoint.add_durations(hits, sum);
        }
    }
    Ok(())
}

fn apply(collector: &Collector, levels: Vec<crate::store::levels::StoredLevel>) {
    for stored in levels {
        let (Ok(method), Some(level)) = (
            Method::from_bytes(stored.method.as_bytes()),
            u8::try_from(stored.monitor_level)
                .ok()
                .and_then(MonitorLevel::new),
        ) else {
            continue;
        };
        match collector.endpoints.get(&method, &stored.route) {
            Some(state) => state.set_level(level),
            None => {
                collector.endpoints.insert(
                    &method,
                    &stored.route,
                    Arc::new(EndpointState::new(stored.id, level)),
                );
            }
        }
    }
}
