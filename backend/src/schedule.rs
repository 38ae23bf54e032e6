//! When a scheduled job runs: a cron expression with seconds, or a fixed interval.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// When a custom graph (or another scheduled job) runs.
///
/// Every process computes the same ticks from the schedule alone — cron times, or multiples of
/// the interval since the Unix epoch — so that processes sharing a database agree on them and
/// each tick runs once.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// A cron expression with seconds: `sec min hour day-of-month month day-of-week [year]`,
    /// evaluated in UTC, e.g. `0 0 * * * *` (hourly) or `*/10 * * * * *` (every ten seconds).
    Cron(String),
    /// A fixed interval of at least a second, in whole seconds, aligned to the Unix epoch (an
    /// hourly interval ticks on the hour).
    Interval(Duration),
}

impl Schedule {
    /// A cron schedule; the expression is checked when the dashboard starts.
    pub fn cron(expression: impl Into<String>) -> Schedule {
        Schedule::Cron(expression.into())
    }

    /// An interval schedule; checked when the dashboard starts.
    pub fn interval(every: Duration) -> Schedule {
        Schedule::Interval(every)
    }

    /// The checked schedule, or why it cannot be used.
    pub(crate) fn ticks(&self) -> Result<Ticks, ScheduleError> {
        match self {
            Schedule::Cron(expression) => cron::Schedule::from_str(expression)
                .map(|schedule| Ticks::Cron(Box::new(schedule)))
                .map_err(|error| ScheduleError::Cron {
                    expression: expression.clone(),
                    reason: error.to_string(),
                }),
            Schedule::Interval(every) => {
                let seconds = every.as_secs();
                if seconds == 0 || every.subsec_nanos() != 0 {
                    return Err(ScheduleError::Interval(*every));
                }
                i64::try_from(seconds)
                    .map(Ticks::Interval)
                    .map_err(|_| ScheduleError::Interval(*every))
            }
        }
    }
}

/// Why a [`Schedule`] cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// Not a cron expression with seconds.
    #[error(
        "`{expression}` is not a cron expression with seconds (`sec min hour day month weekday`): \
         {reason}"
    )]
    Cron {
        /// The expression as given.
        expression: String,
        /// The cron parser's message.
        reason: String,
    },
    /// An interval that is not a whole number of seconds from 1 to `i64::MAX`.
    #[error("an interval must be a whole number of seconds, at least 1; found {0:?}")]
    Interval(Duration),
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Cron(expression) => write!(f, "cron `{expression}` (UTC)"),
            Schedule::Interval(every) => write!(f, "every {} s", every.as_secs()),
        }
    }
}

/// A checked [`Schedule`].
#[derive(Debug, Clone)]
pub(crate) enum Ticks {
    Cron(Box<cron::Schedule>),
    /// Seconds between ticks.
    Interval(i64),
}

impl Ticks {
    /// The first tick strictly after `time`, or `None` when the schedule has no more.
    pub(crate) fn next_after(&self, time: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Ticks::Cron(schedule) => schedule.after(&time).next(),
            Ticks::Interval(seconds) => {
                let next = time.timestamp().div_euclid(*seconds).checked_add(1)? * seconds;
                DateTime::from_timestamp(next, 0)
            }
        }
    }

    /// The last tick at or before `time`.
    pub(crate) fn latest_at_or_before(&self, time: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Ticks::Cron(schedule) => schedule
                .after(&time.checked_add_signed(chrono::TimeDelta::seconds(1))?)
                .next_back(),
            Ticks::Interval(seconds) => {
                DateTime::from_timestamp(time.timestamp().div_euclid(*seconds) * seconds, 0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn intervals_tick_on_multiples_since_the_epoch() {
        let ticks = Schedule::interval(Duration::from_secs(3600))
            .ticks()
            .unwrap();
        assert_eq!(
            ticks.next_after(at("2026-11-22T10:15:00Z")),
            Some(at("2026-11-22T11:00:00Z"))
        );
        assert_eq!(
            ticks.next_after(at("2026-11-22T11:00:00Z")),
            Some(at("2026-11-22T12:00:00Z"))
        );
        assert_eq!(
            ticks.latest_at_or_before(at("2026-11-22T10:15:00Z")),
            Some(at("2026-11-22T10:00:00Z"))
        );
        assert_eq!(
            ticks.latest_at_or_before(at("2026-11-22T11:00:00Z")),
            Some(at("2026-11-22T11:00:00Z"))
        );
    }

    #[test]
    fn cron_expressions_have_seconds_and_run_in_utc() {
        let ticks = Schedule::cron("30 */15 * * * *").ticks().unwrap();
        assert_eq!(
            ticks.next_after(at("2026-11-22T10:15:30Z")),
            Some(at("2026-11-22T10:30:30Z"))
        );
        assert_eq!(
            ticks.latest_at_or_before(at("2026-11-22T10:30:30Z")),
            Some(at("2026-11-22T10:30:30Z"))
        );
        assert_eq!(
            ticks.latest_at_or_before(at("2026-11-22T10:30:29Z")),
            Some(at("2026-11-22T10:15:30Z"))
        );
        let daily = Schedule::cron("0 0 3 * * *").ticks().unwrap();
        assert_eq!(
            daily.next_after(at("2026-11-22T10:00:00Z")),
            Some(at("2026-11-23T03:00:00Z"))
        );
    }

    #[test]
    fn bad_schedules_say_what_is_expected() {
        let error = Schedule::cron("every hour")
            .ticks()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`every hour` is not a cron expression"),
            "{error}"
        );
        let error = Schedule::interval(Duration::from_millis(1500))
            .ticks()
            .unwrap_err()
            .to_string();
        assert!(error.contains("whole number of seconds"), "{error}");
        assert!(Schedule::interval(Duration::ZERO).ticks().is_err());
    }
}
