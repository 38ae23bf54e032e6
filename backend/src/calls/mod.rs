//! What a request waits on: the database statements it runs and the HTTP calls it makes.
//!
//! Each request at level 1 or more has a [`CallLog`]. Statements reach it from sqlx's `tracing`
//! events (target `sqlx::query`, seen by the [`QueryLayer`] inside the request's root span or
//! while the request is polled) and from [`record_query`]; upstream calls from the `reqwest`
//! middleware ([`DashboardMiddleware`], feature `reqwest`) and [`record_call`]. The log keeps the
//! raw statement text only until the writer has turned it into a fingerprint
//! ([`fingerprint::statement`]): no literal value is ever stored.

pub(crate) mod fingerprint;
mod layer;
mod log;
#[cfg(feature = "reqwest")]
mod middleware;

pub(crate) use layer::{DashboardLayer, root_span};
pub(crate) use log::{CallLog, CallSoFar, Calls, Target};
#[cfg(feature = "reqwest")]
pub use middleware::DashboardMiddleware;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;

thread_local! {
    /// The log of the request being polled on this thread, if it is monitored.
    static POLLED: RefCell<Option<Arc<CallLog>>> = const { RefCell::new(None) };
}

/// Runs `poll` with `log` as the log of the request being served on this thread, so that
/// statements and calls made while polling are the request's.
pub(crate) fn while_polling<T>(log: &Arc<CallLog>, poll: impl FnOnce() -> T) -> T {
    let previous = POLLED.with(|polled| polled.borrow_mut().replace(Arc::clone(log)));
    let output = poll();
    POLLED.with(|polled| *polled.borrow_mut() = previous);
    output
}

/// The log of the request being polled on this thread.
fn polled() -> Option<Arc<CallLog>> {
    POLLED.with(|polled| polled.borrow().clone())
}

/// The calls of the request being polled on this thread so far (none outside a monitored
/// request).
pub(crate) fn polled_so_far() -> Vec<CallSoFar> {
    polled().map(|log| log.so_far()).unwrap_or_default()
}

/// Whether a monitored request is being polled on this thread.
fn polling() -> bool {
    POLLED.with(|polled| polled.borrow().is_some())
}

/// Records a database statement of the request being served, for drivers that do not report
/// through sqlx's `tracing` events (sqlx and SeaORM need nothing: the dashboard's `tracing`
/// layer sees their statements). `system` is the database (`postgresql`, `mysql`, `sqlite`, …
/// as OpenTelemetry names them). Only the statement's fingerprint is stored, never its literal
/// values. Returns false (and records nothing) outside a monitored request.
///
/// ```
/// # use std::time::Instant;
/// let started = Instant::now();
/// // … run `SELECT name FROM users WHERE id = 42` with your driver, 1 row …
/// axum_monitoring_dashboard::record_query("postgresql", "SELECT name FROM users WHERE id = 42", started.elapsed(), 1);
/// ```
pub fn record_query(system: &str, statement: &str, duration: Duration, rows: u64) -> bool {
    let Some(log) = polled() else { return false };
    log.query(
        Some(log::system_named(system)),
        statement,
        duration,
        Some(rows),
    );
    true
}

/// Records an outgoing HTTP call of the request being served, for clients other than
/// `reqwest` (whose middleware, feature `reqwest`, records its calls by itself). The query
/// string is dropped and numbers and ids in the path are blanked before anything is stored;
/// `status` is `None` when no answer came. Returns false outside a monitored request.
///
/// ```
/// # use std::time::Duration;
/// use axum::http::Method;
/// axum_monitoring_dashboard::record_call(&Method::GET, "https://api.example.com/users/42?key=s3cret", Some(200), Duration::from_millis(80));
/// ```
pub fn record_call(method: &Method, url: &str, status: Option<u16>, duration: Duration) -> bool {
    let Some(log) = polled() else { return false };
    log.call(method, url, status, duration);
    true
}
