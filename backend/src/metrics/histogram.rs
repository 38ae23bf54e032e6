//! A latency histogram made of atomics: observing is a few relaxed atomic additions, with no lock
//! and no allocation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the buckets, in seconds (those of Flask-Prometheus and the Prometheus
/// clients' defaults); a last bucket takes everything above.
pub(crate) const BOUNDS_SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

const BUCKETS: usize = BOUNDS_SECONDS.len() + 1;

/// Counts of durations per bucket and their sum.
pub(crate) struct AtomicHistogram {
    buckets: [AtomicU64; BUCKETS],
    sum_nanos: AtomicU64,
}

impl AtomicHistogram {
    pub(crate) const fn new() -> Self {
        AtomicHistogram {
            buckets: [const { AtomicU64::new(0) }; BUCKETS],
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// Counts one duration.
    pub(crate) fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let bucket = BOUNDS_SECONDS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS - 1);
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts so far, cumulative as Prometheus wants them.
    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        let mut cumulative = [0; BUCKETS];
        let mut total = 0;
        for (slot, bucket) in cumulative.iter_mut().zip(&self.buckets) {
            total += bucket.load(Ordering::Relaxed);
            *slot = total;
        }
        HistogramSnapshot {
            cumulative,
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

/// A histogram read at one moment. The count is the last cumulative bucket, so `_count` always
/// equals the `+Inf` bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct HistogramSnapshot {
    /// Requests at or below each bound, the last entry being `+Inf`.
    pub(crate) cumulative: [u64; BUCKETS],
    /// Sum of the durations, in seconds.
    pub(crate) sum_seconds: f64,
}

impl HistogramSnapshot {
    /// Every observation.
    pub(crate) fn count(&self) -> u64 {
        self.cumulative[BUCKETS - 1]
    }

    /// Adds another histogram's counts (for series that leave out a label).
    pub(crate) fn merge(&mut self, other: &HistogramSnapshot) {
        for (mine, theirs) in self.cumulative.iter_mut().zip(other.cumulative) {
            *mine += theirs;
        }
        self.sum_seconds += other.sum_seconds;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_land_in_the_first_bucket_that_holds_them() {
        let histogram = AtomicHistogram::new();
        histogram.observe(Duration::from_millis(5));
        histogram.observe(Duration::from_millis(6));
        histogram.observe(Duration::from_secs(11));
        let snapshot = histogram.snapshot();
        assert_eq!(&snapshot.cumulative[..3], &[1, 2, 2]);
        assert_eq!(snapshot.cumulative[13], 2, "nothing else up to 10 s");
        assert_eq!(snapshot.count(), 3);
        assert!((snapshot.sum_seconds - 11.011).abs() < 1e-9);
        let mut merged = snapshot;
        merged.merge(&snapshot);
        assert_eq!(merged.count(), 6);
    }
}
