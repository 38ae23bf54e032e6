//! One endpoint as the hot path sees it: its stored id, its monitoring level and the running
//! mean of its durations, shared by the collector, the outlier watch and the writer.
//!
//! `level` and `touch` are `#[inline]`: since this type left `collect`, the release build
//! stopped inlining them into the layer (the in-process benchmark lost 4 % against bare Axum).

use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::MonitorLevel;

/// One stored endpoint as the hot path sees it.
#[derive(Debug)]
pub(crate) struct EndpointState {
    pub(crate) id: i32,
    level: AtomicU8,
    /// The latest request at level 0, in microseconds since the epoch (0: none yet).
    touched: AtomicI64,
    /// What of `touched` the writer has stored.
    stored_touch: AtomicI64,
    /// Requests known to the mean duration: the stored ones at start, then this process's.
    samples: AtomicU64,
    /// Their durations' sum, in microseconds.
    duration_sum_us: AtomicU64,
}

impl EndpointState {
    pub(crate) fn new(id: i32, level: MonitorLevel) -> Self {
        EndpointState {
            id,
            level: AtomicU8::new(level.get()),
            touched: AtomicI64::new(0),
            stored_touch: AtomicI64::new(0),
            samples: AtomicU64::new(0),
            duration_sum_us: AtomicU64::new(0),
        }
    }

    /// Adds requests to the mean duration (the writer does, for the ones it stored; the start
    /// seeds it with every stored request's).
    pub(crate) fn add_durations(&self, samples: u64, sum: Duration) {
        let micros = u64::try_from(sum.as_micros()).unwrap_or(u64::MAX);
        self.duration_sum_us.fetch_add(micros, Ordering::Relaxed);
        self.samples.fetch_add(samples, Ordering::Relaxed);
    }

    /// How long a request may run before it is an outlier: the mean duration × `constant`, once
    /// `min_samples` requests are known.
    pub(crate) fn outlier_threshold(&self, constant: f64, min_samples: u64) -> Option<Duration> {
        let samples = self.samples.load(Ordering::Relaxed);
        if samples < min_samples.max(1) {
            return None;
        }
        let mean_us = self.duration_sum_us.load(Ordering::Relaxed) as f64 / samples as f64;
        Duration::try_from_secs_f64(mean_us * constant / 1e6).ok()
    }

    /// Notes a request at level 0: only the latest time is kept, for the writer to store.
    #[inline]
    pub(crate) fn touch(&self, time: DateTime<Utc>) {
        self.touched
            .fetch_max(time.timestamp_micros(), Ordering::Relaxed);
    }

    /// The latest level-0 request not stored yet.
    pub(crate) fn unstored_touch(&self) -> Option<DateTime<Utc>> {
        let touched = self.touched.load(Ordering::Relaxed);
        if touched > self.stored_touch.load(Ordering::Relaxed) {
            DateTime::from_timestamp_micros(touched)
        } else {
            None
        }
    }

    /// Records that the writer stored the level-0 request of `time`.
    pub(crate) fn touch_stored(&self, time: DateTime<Utc>) {
        self.stored_touch
            .fetch_max(time.timestamp_micros(), Ordering::Relaxed);
    }

    /// Sets the monitoring level; requests that start afterwards see it.
    pub(crate) fn set_level(&self, level: MonitorLevel) {
        self.level.store(level.get(), Ordering::Relaxed);
    }

    /// The current monitoring level.
    #[inline]
    pub(crate) fn level(&self) -> MonitorLevel {
        MonitorLevel::new(self.level.load(Ordering::Relaxed)).unwrap_or(MonitorLevel::PERFORMANCE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlier_threshold_waits_for_enough_samples() {
        let endpoint = EndpointState::new(1, MonitorLevel::OUTLIERS);
        endpoint.add_durations(2, Duration::from_millis(30));
        assert_eq!(endpoint.outlier_threshold(2.5, 3), None);
        endpoint.add_durations(1, Duration::from_millis(30));
        assert_eq!(
            endpoint.outlier_threshold(2.5, 3),
            Some(Duration::from_millis(50)),
            "mean 20 ms × 2.5"
        );
    }
}
