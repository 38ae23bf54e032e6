//! Statement durations per database system and operation, after OpenTelemetry's
//! `db.client.operation.duration`: fed by the writer once a batch is stored (so a retried batch
//! counts once), read at scrape time. The labels come from two short fixed lists (the systems
//! and the operations a fingerprint can name), so there are at most a few hundred series and
//! never a statement's text.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::histogram::{AtomicHistogram, HistogramSnapshot};

/// One series: a database system and an operation.
type Key = (&'static str, &'static str);

/// The statement histograms.
#[derive(Default)]
pub(crate) struct DbOperations {
    series: Mutex<Vec<(Key, Arc<AtomicHistogram>)>>,
}

impl DbOperations {
    /// Counts the durations of statements of `operation` on `system`.
    pub(crate) fn observe(
        &self,
        system: &'static str,
        operation: &'static str,
        durations: &[Duration],
    ) {
        let histogram = {
            let mut series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
            match series.iter().find(|(key, _)| *key == (system, operation)) {
                Some((_, histogram)) => Arc::clone(histogram),
                None => {
                    let histogram = Arc::new(AtomicHistogram::new());
                    series.push(((system, operation), Arc::clone(&histogram)));
                    histogram
                }
            }
        };
        for duration in durations {
            histogram.observe(*duration);
        }
    }

    /// Every series: system, operation and counts, sorted.
    pub(super) fn all(&self) -> Vec<(&'static str, &'static str, HistogramSnapshot)> {
        let mut all: Vec<_> = self
            .series
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|((system, operation), histogram)| (*system, *operation, histogram.snapshot()))
            .collect();
        all.sort_by_key(|(system, operation, _)| (*system, *operation));
        all
    }
}
