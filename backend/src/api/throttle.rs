//! Login throttling and the bound on password verifications.
//!
//! Every attempt is recorded against its username and its client address (the peer, or behind
//! `TRUSTED_PROXIES` the forwarded client) *before* its password is verified, in this process
//! and in the database (so every replica counts the failures of all), so a burst of
//! parallel attempts cannot slip past the limit: after 5 failures in 15 minutes an address is
//! refused with 429 and `Retry-After` until the oldest failure ages out. A username with 5
//! failures is refused only to addresses that have failed themselves, so nobody locks the real
//! admin out by failing on `admin`. At most one argon2 verification per core runs at once;
//! further attempts are answered 503 with `Retry-After` instead of queueing (each verification
//! takes 19 MiB and tens of milliseconds).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ApiError;
use crate::store::Store;
use crate::store::logins::KeyFailures;

/// Failures allowed within [`WINDOW`].
const MAX_FAILURES: usize = 5;
/// How long a failure counts.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many tracked keys, keys without recent failures are forgotten.
const MAX_KEYS: usize = 10_000;
/// What a caller refused for want of a free verification is told to wait, in seconds.
const BUSY_RETRY_SECONDS: u64 = 1;

/// Recent failed logins per username and per client address, and the verifications running.
pub(crate) struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    verifications: Arc<Semaphore>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        LoginThrottle {
            failures: Mutex::default(),
            verifications: Arc::new(Semaphore::new(cores)),
        }
    }
}

/// The keys one attempt counts against.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    user: String,
    address: String,
}

impl Keys {
    /// The keys of an attempt on `username` from `ip` (usernames ignore case). A username is
    /// kept to the longest an account can have, so a client cannot fill the table with
    /// megabyte-long names.
    pub(crate) fn new(username: &str, ip: Option<IpAddr>) -> Self {
        let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let mut end = username.len().min(crate::accounts::MAX_USERNAME_BYTES);
        while !username.is_char_boundary(end) {
            end -= 1;
        }
        Keys {
            user: format!("user:{}", username[..end].to_lowercase()),
            address: format!("ip:{ip}"),
        }
    }
}

/// An attempt under way: counted as a failure unless [`Attempt::succeeded`] is called. Holds
/// one of the verification permits.
pub(crate) struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    keys: Keys,
    at: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Attempt<'_> {
    /// The password was right: the username's failures are forgiven and this attempt is not
    /// counted against the address.
    pub(crate) fn succeeded(self) {
        let mut failures = self.throttle.lock();
        failures.remove(&self.keys.user);
        if let Some(times) = failures.get_mut(&self.keys.address)
            && let Some(position) = times.iter().rposition(|time| *time == self.at)
        {
            times.remove(position);
        }
    }
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts an attempt counting the failures of every process that shares the database: the
    /// database's recent failures of both keys are read and, unless they or this process's
    /// refuse it, the attempt is recorded there too (as a failure until it succeeds). A
    /// database that does not answer leaves this process's own count, so nobody is locked out
    /// by an outage. Two processes checking the same key at the same moment may both let one
    /// more attempt through; the limit holds within one.
    pub(crate) async fn begin_shared<'a>(
        &'a self,
        store: &Store,
        keys: &Keys,
    ) -> Result<SharedAttempt<'a>, ApiError> {
        // Whole seconds, which every database stores exactly (MySQL's timestamps keep no
        // fraction), so that a success finds its own row again.
        let at = Utc::now()
            .duration_trunc(TimeDelta::seconds(1))
            .unwrap_or_else(|_| Utc::now());
        let window = TimeDelta::from_std(WINDOW).unwrap_or(TimeDelta::MAX);
        let since = at - window;
        let elsewhere = match store
            .login_failures([&keys.user, &keys.address], since)
            .await
        {
            Ok(rows) => Elsewhere::of(&rows, keys, at, window),
            Err(error) => {
                tracing::warn!(%error, "cannot read the shared login failures; counting this process's only");
                Elsewhere::default()
            }
        };
        let attempt = self.begin(keys, Instant::now(), elsewhere)?;
        if let Err(error) = store
            .record_login_attempt([&keys.user, &keys.address], at, since)
            .await
        {
            tracing::warn!(%error, "cannot record a login attempt in the database");
        }
        Ok(SharedAttempt { attempt, at })
    }

    /// Starts an attempt: refused with 429 when the address has used up its failures, or the
    /// username has and the address failed too (counting this process's failures, or
    /// `elsewhere`'s where they are more); with 503 when every verification permit is taken.
    /// Otherwise the attempt is recorded (as a failure until it succeeds).
    pub(crate) fn begin(
        &self,
        keys: &Keys,
        now: Instant,
        elsewhere: Elsewhere,
    ) -> Result<Attempt<'_>, ApiError> {
        let mut failures = self.lock();
        if failures.len() > MAX_KEYS {
            failures.retain(|_, times| {
                forget_old(times, now);
                !times.is_empty()
            });
        }
        let mut recent = |key: &str| {
            failures.get_mut(key).map_or((0, None), |times| {
                forget_old(times, now);
                let wait = times.front().map(|oldest| WINDOW - (now - *oldest));
                (times.len(), wait)
            })
        };
        let (address_failures, address_wait) = elsewhere.address.max(recent(&keys.address));
        let (user_failures, user_wait) = elsewhere.user.max(recent(&keys.user));
        let refused = if address_failures >= MAX_FAILURES {
            address_wait
        } else if user_failures >= MAX_FAILURES && address_failures > 0 {
            user_wait
        } else {
            None
        };
        if let Some(wait) = refused {
            return Err(ApiError::TooManyRequests(wait.as_secs().max(1)));
        }
        let permit = Arc::clone(&self.verifications)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy(BUSY_RETRY_SECONDS))?;
        for key in [&keys.user, &keys.address] {
            failures.entry(key.clone()).or_default().push_back(now);
        }
        Ok(Attempt {
            throttle: self,
            keys: keys.clone(),
            at: now,
            _permit: permit,
        })
    }
}

/// The failures of an attempt's keys that the database holds (those of every process): how
/// many, and how long until the oldest ages out.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Elsewhere {
    user: (usize, Option<Duration>),
    address: (usize, Option<Duration>),
}

impl Elsewhere {
    /// The figures of `keys` in the database's `rows`, at `now`.
    fn of(rows: &[KeyFailures], keys: &Keys, now: DateTime<Utc>, window: TimeDelta) -> Self {
        let of = |key: &str| {
            rows.iter()
                .find(|row| row.key == key)
                .map_or((0, None), |row| {
                    let wait = row
                        .oldest
                        .and_then(|oldest| (window - (now - oldest)).to_std().ok());
                    (usize::try_from(row.failures).unwrap_or(0), wait)
                })
        };
        Elsewhere {
            user: of(&keys.user),
            address: of(&keys.address),
        }
    }
}

/// An attempt counted in this process and in the database.
pub(crate) struct SharedAttempt<'a> {
    attempt: Attempt<'a>,
    at: DateTime<Utc>,
}

impl SharedAttempt<'_> {
    /// The password was right: the username's failures are forgiven, in this process and in the
    /// database, and the attempt is not counted against the address.
    pub(crate) async fn succeeded(self, store: &Store) {
        let keys = &self.attempt.keys;
        if let Err(error) = store
            .forgive_login(&keys.user, &keys.address, self.at)
            .await
        {
            tracing::warn!(%error, "cannot forgive a successful login's failures in the database");
        }
        self.attempt.succeeded();
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|time| now.duration_since(*time) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    fn refused_for(result: Result<Attempt<'_>, ApiError>) -> Option<u64> {
        match result {
            Err(ApiError::TooManyRequests(seconds)) => Some(seconds),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn the_sixth_attempt_waits_until_the_first_failure_ages_out() {
        let throttle = LoginThrottle::default();
        let keys = Keys::new("Admin", ip("10.0.0.1"));
        let start = Instant::now();
        for minute in 0..5 {
            let now = start + Duration::from_secs(60 * minute);
            assert_eq!(
                refused_for(throttle.begin(&keys, now, Elsewhere::default())),
                None
            );
        }
        let now = start + Duration::from_secs(5 * 60);
        assert_eq!(
            refused_for(throttle.begin(&keys, now, Elsewhere::default())),
            Some(10 * 60)
        );
        assert_eq!(
            refused_for(throttle.begin(&keys, start + WINDOW, Elsewhere::default())),
            None,
            "the first failure has aged out"
        );
    }

    #[test]
    fn failures_on_a_username_do_not_lock_out_a_clean_address() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for attacker in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"] {
            drop(throttle.begin(&Keys::new("admin", ip(attacker)), now, Elsewhere::default()));
        }
        assert!(
            refused_for(throttle.begin(
                &Keys::new("ADMIN", ip("10.0.0.1")),
                now,
                Elsewhere::default()
            ))
            .is_some(),
            "an address that failed on the locked username waits"
        );
        let real_admin = throttle.begin(
            &Keys::new("admin", ip("192.0.2.7")),
            now,
            Elsewhere::default(),
        );
        assert!(real_admin.is_ok(), "a clean address may try");
        real_admin.unwrap().succeeded();
        assert!(
            refused_for(throttle.begin(
                &Keys::new("admin", ip("10.0.0.1")),
                now,
                Elsewhere::default()
            ))
            .is_none(),
            "success forgave the username"
        );
    }

    #[test]
    fn a_huge_username_takes_no_more_room_than_an_account_name() {
        let keys = Keys::new(&"é".repeat(1 << 20), ip("10.0.0.1"));
        assert!(keys.user.len() <= "user:".len() + crate::accounts::MAX_USERNAME_BYTES);
    }

    #[test]
    fn a_locked_address_is_refused_whatever_the_username() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for user in ["a", "b", "c", "d", "e"] {
            drop(throttle.begin(&Keys::new(user, ip("10.0.0.1")), now, Elsewhere::default()));
        }
        assert!(
            refused_for(throttle.begin(&Keys::new("f", ip("10.0.0.1")), now, Elsewhere::default()))
                .is_some()
        );
        assert!(
            refused_for(throttle.begin(&Keys::new("a", ip("10.0.0.2")), now, Elsewhere::default()))
                .is_none()
        );
    }

    #[test]
    fn verifications_beyond_the_cores_are_answered_busy() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let running: Vec<_> = (0..cores)
            .map(|n| {
                throttle.begin(
                    &Keys::new("a", ip(&format!("10.0.1.{n}"))),
                    now,
                    Elsewhere::default(),
                )
            })
            .collect();
        assert!(running.iter().all(Result::is_ok));
        assert!(matches!(
            throttle.begin(&Keys::new("a", ip("10.0.2.1")), now, Elsewhere::default()),
            Err(ApiError::Busy(_))
        ));
        drop(running);
        assert!(
            throttle
                .begin(&Keys::new("a", ip("10.0.2.1")), now, Elsewhere::default())
                .is_ok()
        );
    }
}
