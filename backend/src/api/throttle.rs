//! Login throttling: after 5 failed logins in 15 minutes for one username or from one address,
//! further attempts are refused with 429 and `Retry-After` until the oldest failure ages out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed within [`WINDOW`].
const MAX_FAILURES: usize = 5;
/// How long a failure counts.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many tracked keys, keys without recent failures are forgotten.
const MAX_KEYS: usize = 10_000;

/// Recent failed logins per username and per client address.
#[derive(Default)]
pub(crate) struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The keys one login attempt counts against.
pub(crate) fn keys(username: &str, ip: Option<IpAddr>) -> [String; 2] {
    let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    [
        format!("user:{}", username.to_lowercase()),
        format!("ip:{ip}"),
    ]
}

impl LoginThrottle {
    /// How long to wait when any of the keys has used up its failures; `None` to go ahead.
    pub(crate) fn retry_after(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.iter()
            .filter_map(|key| {
                let times = failures.get_mut(key)?;
                forget_old(times, now);
                (times.len() >= MAX_FAILURES).then(|| {
                    times
                        .front()
                        .map_or(WINDOW, |oldest| WINDOW - (now - *oldest))
                })
            })
            .max()
    }

    /// Counts a failed login against every key.
    pub(crate) fn fail(&self, keys: &[String], now: Instant) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() > MAX_KEYS {
            failures.retain(|_, times| {
                forget_old(times, now);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            forget_old(times, now);
            times.push_back(now);
        }
    }

    /// Forgets the failures of a key (the username, after a successful login).
    pub(crate) fn forgive(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(key);
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

    #[test]
    fn the_sixth_attempt_waits_until_the_first_failure_ages_out() {
        let throttle = LoginThrottle::default();
        let keys = keys("Admin", Some("10.0.0.1".parse().unwrap()));
        let start = Instant::now();
        for minute in 0..5 {
            let now = start + Duration::from_secs(60 * minute);
            assert_eq!(throttle.retry_after(&keys, now), None);
            throttle.fail(&keys, now);
        }
        let now = start + Duration::from_secs(5 * 60);
        assert_eq!(
            throttle.retry_after(&keys, now),
            Some(Duration::from_secs(10 * 60))
        );
        assert_eq!(
            throttle.retry_after(&keys, start + WINDOW),
            None,
            "the first failure has aged out"
        );
    }

    #[test]
    fn usernames_and_addresses_count_separately_and_success_forgives_the_username() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for user in ["a", "b", "c", "d", "e"] {
            throttle.fail(&keys(user, Some(ip)), now);
        }
        assert!(
            throttle.retry_after(&keys("f", Some(ip)), now).is_some(),
            "the address is locked"
        );
        assert_eq!(
            throttle.retry_after(&keys("a", Some("10.0.0.2".parse().unwrap())), now),
            None
        );
        for _ in 0..5 {
            throttle.fail(&keys("admin", None), now);
        }
        assert!(
            throttle
                .retry_after(&keys("ADMIN", Some("10.0.0.3".parse().unwrap())), now)
                .is_some()
        );
        throttle.forgive(&keys("admin", None)[0]);
        assert_eq!(
            throttle.retry_after(&keys("admin", Some("10.0.0.3".parse().unwrap())), now),
            None
        );
    }
}
