//! One request's log of statements and calls, filled on the hot path.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::Method;

use crate::profiler::{self, Frame};

/// Distinct statements and upstreams kept per request; past them calls count only in the
/// request's totals.
const MAX_TARGETS: usize = 256;

/// Durations kept per request for the histograms; past them calls count only in the totals of
/// their statement or upstream.
const MAX_TIMED: usize = 10_000;

/// Slow calls sampled per request.
const MAX_SLOW_PER_REQUEST: usize = 10;

/// The database systems named as OpenTelemetry names them (`db.system.name`); anything else is
/// `other_sql`, so the names stay few.
const SYSTEMS: [&str; 7] = [
    "postgresql",
    "mysql",
    "mariadb",
    "sqlite",
    "microsoft.sql_server",
    "oracle.db",
    "other_sql",
];

/// The known name of a database system, or `other_sql`.
pub(super) fn system_named(system: &str) -> &'static str {
    SYSTEMS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(system))
        .copied()
        .unwrap_or("other_sql")
}

/// What a call went to, as the hot path saw it: raw, until the writer normalises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A database statement as sent (it may hold literal values).
    Statement {
        /// The database system (one of the known names), when known: sqlx's events do not say,
        /// and the writer names a server's statements by the others of the batch.
        system: Option<&'static str>,
        /// The statement's text.
        text: Box<str>,
    },
    /// An HTTP call, without its query string.
    Upstream {
        method: Method,
        host: Box<str>,
        path: Box<str>,
    },
}

impl Target {
    fn is_statement(&self, system: Option<&str>, text: &str) -> bool {
        matches!(self, Target::Statement { system: known, text: known_text }
            if *known == system && known_text.len() == text.len() && **known_text == *text)
    }

    fn is_upstream(&self, method: &Method, host: &str, path: &str) -> bool {
        matches!(self, Target::Upstream { method: known, host: known_host, path: known_path }
            if known == method && **known_host == *host && **known_path == *path)
    }
}

/// A request's calls to one target.
#[derive(Debug, Clone)]
pub(crate) struct TargetCalls {
    pub(crate) target: Target,
    pub(crate) count: u32,
    pub(crate) total: Duration,
    /// Each call's duration, while the request keeps fewer than [`MAX_TIMED`].
    pub(crate) durations: Vec<Duration>,
    /// Rows returned or affected (statements).
    pub(crate) rows: u64,
    /// Calls answered 4xx, 5xx, and calls that got no answer.
    pub(crate) client_errors: u32,
    pub(crate) server_errors: u32,
    pub(crate) failed: u32,
}

/// A call slower than its threshold (level 2 and up).
#[derive(Debug, Clone)]
pub(crate) struct SlowSample {
    /// Its target: an index into [`Calls::targets`].
    pub(crate) target: usize,
    pub(crate) duration: Duration,
    pub(crate) rows: Option<u64>,
    pub(crate) status: Option<u16>,
    /// The spans it ran in, outermost first.
    pub(crate) stack: Vec<Frame>,
}

/// A request's calls to one target up to some moment: what an outlier snapshot or an error
/// keeps of the request's log.
#[derive(Debug, Clone)]
pub(crate) struct CallSoFar {
    pub(crate) target: Target,
    pub(crate) count: u32,
    pub(crate) total: Duration,
}

/// Everything a request waited on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Calls {
    pub(crate) targets: Vec<TargetCalls>,
    pub(crate) queries: u32,
    pub(crate) query_time: Duration,
    pub(crate) calls: u32,
    pub(crate) call_time: Duration,
    pub(crate) slow: Vec<SlowSample>,
    timed: usize,
}

impl Calls {
    /// Whether the request ran no statement and made no call.
    pub(crate) fn is_empty(&self) -> bool {
        self.queries == 0 && self.calls == 0
    }

    /// Counts a call to the target `matches` finds (or `target()` adds) and returns its index.
    fn add(
        &mut self,
        matches: impl Fn(&Target) -> bool,
        target: impl FnOnce() -> Target,
        duration: Duration,
    ) -> Option<usize> {
        let index = match self.targets.iter().position(|calls| matches(&calls.target)) {
            Some(index) => index,
            None if self.targets.len() < MAX_TARGETS => {
                self.targets.push(TargetCalls {
                    target: target(),
                    count: 0,
                    total: Duration::ZERO,
                    durations: Vec::new(),
                    rows: 0,
                    client_errors: 0,
                    server_errors: 0,
                    failed: 0,
                });
                self.targets.len() - 1
            }
            None => return None,
        };
        let calls = &mut self.targets[index];
        calls.count += 1;
        calls.total += duration;
        if self.timed < MAX_TIMED {
            calls.durations.push(duration);
            self.timed += 1;
        }
        Some(index)
    }
}

/// The log of one request, shared by the threads its statements are reported on (sqlx's
/// SQLite driver reports from its worker thread).
#[derive(Debug)]
pub(crate) struct CallLog {
    calls: Mutex<Calls>,
    /// Level 2 and up: slow calls keep a sample with their spans.
    samples: bool,
    slow_query: Duration,
    slow_call: Duration,
}

impl CallLog {
    /// An empty log; `samples` (level 2 and up) keeps calls slower than their thresholds.
    pub(crate) fn new(samples: bool, slow_query: Duration, slow_call: Duration) -> Self {
        CallLog {
            calls: Mutex::default(),
            samples,
            slow_query,
            slow_call,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Calls> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a statement of `system` (if known) that took `duration`.
    pub(crate) fn query(
        &self,
        system: Option<&'static str>,
        text: &str,
        duration: Duration,
        rows: Option<u64>,
    ) {
        let slow = self.samples && duration > self.slow_query;
        let stack = slow.then(profiler::current_stack);
        let mut calls = self.lock();
        calls.queries += 1;
        calls.query_time += duration;
        let index = calls.add(
            |target| target.is_statement(system, text),
            || Target::Statement {
                system,
                text: text.into(),
            },
            duration,
        );
        if let Some(index) = index {
            calls.targets[index].rows += rows.unwrap_or(0);
            if let Some(stack) = stack {
                calls.sample(index, duration, rows, None, stack);
            }
        }
    }

    /// Notes an HTTP call to `url` (its query string is dropped here).
    pub(crate) fn call(&self, method: &Method, url: &str, status: Option<u16>, duration: Duration) {
        let (host, path) = host_and_path(url);
        let slow = self.samples && duration > self.slow_call;
        let stack = slow.then(profiler::current_stack);
        let mut calls = self.lock();
        calls.calls += 1;
        calls.call_time += duration;
        let index = calls.add(
            |target| target.is_upstream(method, host, path),
            || Target::Upstream {
                method: method.clone(),
                host: host.into(),
                path: path.into(),
            },
            duration,
        );
        if let Some(index) = index {
            let target = &mut calls.targets[index];
            match status {
                None => target.failed += 1,
                Some(400..=499) => target.client_errors += 1,
                Some(500..) => target.server_errors += 1,
                Some(_) => {}
            }
            if let Some(stack) = stack {
                calls.sample(index, duration, None, status, stack);
            }
        }
    }

    /// The calls logged so far, per target (the log keeps them).
    pub(crate) fn so_far(&self) -> Vec<CallSoFar> {
        self.lock()
            .targets
            .iter()
            .map(|calls| CallSoFar {
                target: calls.target.clone(),
                count: calls.count,
                total: calls.total,
            })
            .collect()
    }

    /// Everything logged so far, leaving the log empty.
    pub(crate) fn take(&self) -> Calls {
        std::mem::take(&mut *self.lock())
    }
}

impl Calls {
    fn sample(
        &mut self,
        target: usize,
        duration: Duration,
        rows: Option<u64>,
        status: Option<u16>,
        stack: Vec<Frame>,
    ) {
        if self.slow.len() < MAX_SLOW_PER_REQUEST {
            self.slow.push(SlowSample {
                target,
                duration,
                rows,
                status,
                stack,
            });
        }
    }
}

/// The host (with its port) and path of a URL, without scheme, user, query or fragment.
fn host_and_path(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = &rest[..end];
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |slash| (&rest[..slash], &rest[slash..]));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    (host, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_loses_its_user_query_and_fragment() {
        assert_eq!(
            host_and_path("https://user:pw@api.example.com:8443/users/42?key=s3cret#top"),
            ("api.example.com:8443", "/users/42")
        );
        assert_eq!(host_and_path("http://upstream"), ("upstream", "/"));
    }

    #[test]
    fn the_same_statement_counts_on_one_entry_and_each_call_is_timed() {
        let log = CallLog::new(false, Duration::MAX, Duration::MAX);
        for millis in [1, 2, 3] {
            log.query(
                Some("sqlite"),
                "SELECT 1",
                Duration::from_millis(millis),
                Some(1),
            );
        }
        log.call(
            &Method::GET,
            "http://a/b?c",
            Some(503),
            Duration::from_millis(4),
        );
        let calls = log.take();
        assert_eq!((calls.queries, calls.calls, calls.targets.len()), (3, 1, 2));
        assert_eq!(calls.targets[0].count, 3);
        assert_eq!(calls.targets[0].rows, 3);
        assert_eq!(calls.targets[0].durations.len(), 3);
        assert_eq!(calls.targets[1].server_errors, 1);
        assert_eq!(calls.query_time, Duration::from_millis(6));
    }
}
