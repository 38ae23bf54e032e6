//! Request-duration series per method, route and status code, found without locks.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::http::Method;

use super::histogram::{AtomicHistogram, HistogramSnapshot};

/// The route label of requests that matched no route: never the raw path, so unknown paths
/// cannot create new series.
pub(crate) const UNMATCHED_ROUTE: &str = "unmatched";

/// Status codes kept apart per route; further codes share one `_OTHER` series.
const STATUS_SLOTS: usize = 16;

/// The method label of every non-standard method.
pub(crate) const OTHER_METHOD: &str = "_OTHER";

/// The method label: the standard methods by name, anything else as `_OTHER` (as OpenTelemetry
/// asks), so a client cannot invent label values.
pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::CONNECT => "CONNECT",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::PATCH => "PATCH",
        _ => OTHER_METHOD,
    }
}

/// One status code's histogram; `code` 0 marks a free slot.
struct StatusSlot {
    code: AtomicU16,
    histogram: AtomicHistogram,
}

/// Every series of one method and route.
pub(crate) struct RouteSeries {
    pub(crate) method: &'static str,
    pub(crate) route: Box<str>,
    slots: [StatusSlot; STATUS_SLOTS],
    other: AtomicHistogram,
}

impl RouteSeries {
    fn new(method: &'static str, route: &str) -> Self {
        RouteSeries {
            method,
            route: route.into(),
            slots: [const {
                StatusSlot {
                    code: AtomicU16::new(0),
                    histogram: AtomicHistogram::new(),
                }
            }; STATUS_SLOTS],
            other: AtomicHistogram::new(),
        }
    }

    /// Counts one request: finds or claims the status code's slot with atomics only.
    pub(crate) fn observe(&self, status: u16, elapsed: Duration) {
        self.histogram_for(status).observe(elapsed);
    }

    fn histogram_for(&self, status: u16) -> &AtomicHistogram {
        for slot in &self.slots {
            match slot.code.load(Ordering::Acquire) {
                code if code == status => return &slot.histogram,
                0 => {
                    match slot
                        .code
                        .compare_exchange(0, status, Ordering::AcqRel, Ordering::Acquire)
                    {
                        Ok(_) => return &slot.histogram,
                        Err(code) if code == status => return &slot.histogram,
                        Err(_) => {}
                    }
                }
                _ => {}
            }
        }
        &self.other
    }

    /// One histogram of every status code together.
    pub(crate) fn all_statuses(&self) -> HistogramSnapshot {
        let mut all = self.other.snapshot();
        for slot in &self.slots {
            all.merge(&slot.histogram.snapshot());
        }
        all
    }

    /// `(status label, histogram)` for every status code seen, in the order first seen.
    pub(crate) fn by_status(&self) -> Vec<(String, HistogramSnapshot)> {
        let mut series: Vec<(String, HistogramSnapshot)> = self
            .slots
            .iter()
            .filter_map(|slot| match slot.code.load(Ordering::Acquire) {
                0 => None,
                code => Some((code.to_string(), slot.histogram.snapshot())),
            })
            .collect();
        let other = self.other.snapshot();
        if other.count() > 0 {
            series.push(("_OTHER".to_owned(), other));
        }
        series
    }
}

type Table = HashMap<Box<str>, Vec<Arc<RouteSeries>>>;

/// All series, by route then method. Reads load an immutable snapshot; a route seen for the first
/// time is added by copying the table (once per route, never again).
#[derive(Default)]
pub(crate) struct SeriesTable {
    table: ArcSwap<Table>,
}

impl SeriesTable {
    /// The series of a method and route, created on first use.
    pub(crate) fn get_or_create(&self, method: &Method, route: &str) -> Arc<RouteSeries> {
        let method = method_label(method);
        if let Some(series) = self.find(method, route) {
            return series;
        }
        let created = Arc::new(RouteSeries::new(method, route));
        self.table.rcu(|table| {
            let mut table = Table::clone(table);
            let methods = table.entry(route.into()).or_default();
            if !methods.iter().any(|series| series.method == method) {
                methods.push(Arc::clone(&created));
            }
            table
        });
        self.find(method, route).unwrap_or(created)
    }

    fn find(&self, method: &'static str, route: &str) -> Option<Arc<RouteSeries>> {
        self.table
            .load()
            .get(route)?
            .iter()
            .find(|series| series.method == method)
            .map(Arc::clone)
    }

    /// Every series, ordered by route and method.
    pub(crate) fn all(&self) -> Vec<Arc<RouteSeries>> {
        let mut all: Vec<Arc<RouteSeries>> =
            self.table.load().values().flatten().cloned().collect();
        all.sort_by(|a, b| (&a.route, a.method).cmp(&(&b.route, b.method)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(
            method_label(&Method::from_bytes(b"BREW").unwrap()),
            "_OTHER"
        );
    }

    #[test]
    fn each_status_gets_its_own_series_until_the_slots_run_out() {
        let table = SeriesTable::default();
        let series = table.get_or_create(&Method::GET, "/users/{id}");
        assert!(Arc::ptr_eq(
            &series,
            &table.get_or_create(&Method::GET, "/users/{id}")
        ));
        series.observe(200, Duration::from_millis(1));
        series.observe(404, Duration::from_millis(1));
        series.observe(200, Duration::from_millis(1));
        let counts: Vec<(String, u64)> = series
            .by_status()
            .into_iter()
            .map(|(code, h)| (code, h.count()))
            .collect();
        assert_eq!(counts, [("200".to_owned(), 2), ("404".to_owned(), 1)]);
        for code in 500..530 {
            series.observe(code, Duration::from_millis(1));
        }
        let statuses = series.by_status();
        assert_eq!(statuses.len(), STATUS_SLOTS + 1);
        assert_eq!(
            statuses.last().map(|(code, h)| (code.as_str(), h.count())),
            Some(("_OTHER", 16))
        );
    }

    #[test]
    fn series_are_listed_by_route_then_method() {
        let table = SeriesTable::default();
        table.get_or_create(&Method::POST, "/b");
        table.get_or_create(&Method::GET, "/b");
        table.get_or_create(&Method::GET, "/a");
        let names: Vec<(String, &str)> = table
            .all()
            .iter()
            .map(|s| (s.route.to_string(), s.method))
            .collect();
        assert_eq!(
            names,
            [
                ("/a".to_owned(), "GET"),
                ("/b".to_owned(), "GET"),
                ("/b".to_owned(), "POST")
            ]
        );
    }
}
