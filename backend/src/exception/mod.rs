//! Exceptions: every panic in a handler, every 5xx answer of a monitored endpoint and every
//! error the application reports with [`capture_error`] while serving a request becomes an
//! occurrence. The writer groups occurrences by a stable [`signature`]: endpoint, type, the
//! message's shape (numbers, hex ids and quoted text blanked) and the spans it happened in.

mod signature;

pub(crate) use signature::signature;

use std::cell::RefCell;
use std::sync::Once;

use chrono::{DateTime, Utc};

use crate::calls::{self, CallSoFar};
use crate::profiler::{self, Frame};

/// One error that happened while serving a request.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    /// `panic`, `HTTP 503`, or the reported error's Rust type.
    pub(crate) type_name: String,
    /// The message (with its sources, for reported errors).
    pub(crate) message: String,
    /// The spans it happened in, outermost first.
    pub(crate) stack: Vec<Frame>,
    /// A panic's `file:line`.
    pub(crate) location: Option<String>,
    pub(crate) time: DateTime<Utc>,
    /// The statements and calls the request had made when it happened.
    pub(crate) calls: Vec<CallSoFar>,
}

impl Occurrence {
    /// A 5xx answer that no panic or reported error explains, after the request's `calls`.
    pub(crate) fn status(status: u16, calls: Vec<CallSoFar>) -> Occurrence {
        let reason = axum::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("server error");
        Occurrence {
            type_name: format!("HTTP {status}"),
            message: reason.to_owned(),
            stack: Vec::new(),
            location: None,
            time: Utc::now(),
            calls,
        }
    }

    /// The handler panicked with `message` after the request's `calls`; the panic hook noted
    /// where.
    pub(crate) fn panic(message: String, calls: Vec<CallSoFar>) -> Occurrence {
        let (location, stack) = PANIC_SITE
            .with(|site| site.borrow_mut().take())
            .unwrap_or_default();
        Occurrence {
            type_name: "panic".to_owned(),
            message,
            stack,
            location,
            time: Utc::now(),
            calls,
        }
    }
}

thread_local! {
    /// The occurrences of the request being polled on this thread, if it is monitored.
    static REPORTED: RefCell<Option<Vec<Occurrence>>> = const { RefCell::new(None) };
    /// Where the latest panic in a monitored request happened: `file:line` and spans.
    static PANIC_SITE: RefCell<Option<(Option<String>, Vec<Frame>)>> = const { RefCell::new(None) };
}

/// Reports a handled error of the request being served, with the spans it happened in: it is
/// shown on the Exceptions page like a panic or a 5xx answer. Returns false (and records
/// nothing) outside a monitored request, e.g. in a task spawned by the handler.
///
/// ```
/// # fn load() -> Result<(), std::io::Error> { Ok(()) }
/// if let Err(error) = load() {
///     axum_monitoring_dashboard::capture_error(&error);
/// }
/// ```
pub fn capture_error<E: std::error::Error + ?Sized>(error: &E) -> bool {
    let occurrence = Occurrence {
        type_name: std::any::type_name::<E>().to_owned(),
        message: error_chain(error),
        stack: profiler::current_stack(),
        location: None,
        time: Utc::now(),
        calls: calls::polled_so_far(),
    };
    REPORTED
        .try_with(|reported| match reported.borrow_mut().as_mut() {
            Some(occurrences) => {
                occurrences.push(occurrence);
                true
            }
            None => false,
        })
        .unwrap_or(false)
}

/// The message a panic was given, as text.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs `poll` (one poll of a monitored request) so that [`capture_error`] and panics inside it
/// are added to `occurrences`. `poll` must not unwind (catch panics inside it).
pub(crate) fn while_polling<T>(occurrences: &mut Vec<Occurrence>, poll: impl FnOnce() -> T) -> T {
    let outer = REPORTED.with(|reported| reported.replace(Some(std::mem::take(occurrences))));
    let result = poll();
    *occurrences = REPORTED
        .with(|reported| reported.replace(outer))
        .unwrap_or_default();
    result
}

/// Installs (once per process) a panic hook that notes where a panic in a monitored request
/// happened, then calls the hook that was there before (which prints the panic as usual).
pub(crate) fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_request = REPORTED
                .try_with(|reported| reported.try_borrow().is_ok_and(|r| r.is_some()))
                .unwrap_or(false);
            if in_request {
                let location = info
                    .location()
                    .map(|location| format!("{}:{}", location.file(), location.line()));
                let _ = PANIC_SITE.try_with(|site| {
                    *site.borrow_mut() = Some((location, profiler::current_stack()));
                });
            }
            previous(info);
        }));
    });
}

/// `error` and its causes, `: `-separated.
pub(crate) fn error_chain<E: std::error::Error + ?Sized>(error: &E) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_captured_only_inside_a_monitored_request_with_their_sources() {
        let error = std::io::Error::other("disk full");
        assert!(!capture_error(&error), "no request is being served");
        let mut occurrences = Vec::new();
        let captured = while_polling(&mut occurrences, || capture_error(&error));
        assert!(captured);
        assert_eq!(occurrences.len(), 1);
        assert_eq!(occurrences[0].type_name, "std::io::error::Error");
        assert_eq!(occurrences[0].message, "disk full");
        assert!(!capture_error(&error), "the request's scope has ended");
    }

    #[test]
    fn a_panic_inside_a_request_notes_its_location() {
        install_panic_hook();
        let mut occurrences = Vec::new();
        let caught = while_polling(&mut occurrences, || {
            std::panic::catch_unwind(|| panic!("boom"))
                .map_err(|_| Box::new(Occurrence::panic("boom".into(), Vec::new())))
        });
        let occurrence = caught.err();
        assert!(
            occurrence
                .and_then(|o| o.location)
                .is_some_and(|location| location.contains("exception/mod.rs")),
        );
    }
}
