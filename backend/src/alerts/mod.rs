//! Alerting: the rules are checked on a schedule (one process per tick, as a job), each check
//! turns what a rule finds into one message per channel, logged as a pending delivery, and each
//! delivery is a job of its own, tried again with a growing wait until it goes or the retries run
//! out (`deliver`).
//!
//! What a rule told is kept per subject (`alert_state`): an exception group, its return, a
//! version comparison, whether a threshold is crossed. Whoever records a subject first (any
//! process) sends it, so a message goes once. A rule's quiet period holds further messages
//! back; what it found meanwhile goes as one message when the period ends.

mod check;
mod deliver;
mod message;

pub(crate) use check::check;
pub(crate) use deliver::{Attempt, attempt, test_channel};
pub(crate) use message::{parse_channel, parse_rule, secret_hint};

/// Why an alert's rows could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AlertError {
    /// The database refused a read or write.
    #[error("the database failed: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// The regression's report could not be made.
    #[error(transparent)]
    Report(#[from] crate::reports::ReportError),
}
