//! Turning a request's raw calls into what is stored: fingerprints instead of statements, path
//! templates instead of URLs, dependency ids, N+1 flags and capped slow samples.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use dashboard_shared::RequestCall;

use crate::calls::{CallSoFar, Calls, Target, fingerprint};
use crate::histogram;
use crate::outlier;
use crate::store::Store;
use crate::store::calls::{
    DependencyKey, DependencyKind, StoredCalls, StoredSlowCall, StoredTarget, shown_name,
};

/// Slow samples kept per endpoint and hour (across the requests of that hour).
pub(crate) const SLOW_SAMPLES_PER_ENDPOINT_HOUR: u32 = 10;

/// Raw statements whose fingerprint is remembered; past them fingerprints are computed again.
const REMEMBERED_STATEMENTS: usize = 10_000;

/// Distinct statements and upstreams a process stores; past them, new ones are counted under
/// one "other" dependency of their kind (an application that calls hosts its clients name, or
/// writes identifiers its clients choose into its statements, creates no unbounded rows).
pub(crate) const MAX_DEPENDENCIES: usize = 10_000;

/// A raw statement's dependency and operation, as remembered.
type Known = (Arc<DependencyKey>, &'static str);

/// The writer's state for calls: caches and the hour's sample counts.
#[derive(Debug)]
pub(crate) struct CallResolver {
    /// `N_PLUS_ONE`.
    n_plus_one: i64,
    /// Each raw statement's dependency and operation, by database system.
    fingerprints: HashMap<Option<&'static str>, HashMap<Box<str>, Known>>,
    ids: HashMap<i64, i32>,
    /// The hour the sample counts are for, and the samples kept per endpoint in it.
    sampled: (DateTime<Utc>, HashMap<i32, u32>),
    /// Whether reaching [`MAX_DEPENDENCIES`] has been logged.
    capped: bool,
    /// Whether the exporter wants the statements' durations (`METRICS`).
    observe: bool,
    /// The statements' durations of the batch being stored, by system and operation, for the
    /// metrics once it is stored.
    observed: Vec<(&'static str, &'static str, Vec<Duration>)>,
    /// The database server the application's statements go to, as far as any of them told
    /// (see [`CallResolver::learn_system`]).
    server: Option<&'static str>,
}

impl CallResolver {
    /// `observe`: the exporter is on, so the statements' durations are kept for it.
    pub(crate) fn new(n_plus_one: u64, observe: bool) -> Self {
        CallResolver {
            n_plus_one: i64::try_from(n_plus_one).unwrap_or(i64::MAX),
            fingerprints: HashMap::new(),
            ids: HashMap::new(),
            sampled: (DateTime::UNIX_EPOCH, HashMap::new()),
            observed: Vec::new(),
            server: None,
            capped: false,
            observe,
        }
    }

    /// The dependency a raw target is, and a statement's operation.
    fn key(&mut self, target: &Target) -> Known {
        match target {
            Target::Statement { system, text } => {
                if let Some(known) = self
                    .fingerprints
                    .get(system)
                    .and_then(|texts| texts.get(text))
                {
                    return known.clone();
                }
                let fingerprint = fingerprint::statement(text);
                let key = Arc::new(DependencyKey {
                    kind: DependencyKind::Query,
                    system: self.system(*system).to_owned(),
                    operation: fingerprint.operation.to_owned(),
                    name: fingerprint.text,
                });
                let known = (key, fingerprint.operation);
                let remembered: usize = self.fingerprints.values().map(HashMap::len).sum();
                if remembered < REMEMBERED_STATEMENTS {
                    self.fingerprints
                        .entry(*system)
                        .or_default()
                        .insert(text.clone(), known.clone());
                }
                known
            }
            Target::Upstream { method, host, path } => (
                Arc::new(DependencyKey {
                    kind: DependencyKind::Http,
                    system: outlier::cap(host, 255),
                    operation: method.as_str().to_owned(),
                    name: fingerprint::path_template(path),
                }),
                "",
            ),
        }
    }

    /// A request's calls as stored, for a request of `endpoint_id` at `time`.
    pub(crate) async fn stored(
        &mut self,
        store: &Store,
        endpoint_id: i32,
        time: DateTime<Utc>,
        calls: &Calls,
    ) -> Result<StoredCalls, sea_orm::DbErr> {
        let mut keys: Vec<Arc<DependencyKey>> = Vec::with_capacity(calls.targets.len());
        for raw in &calls.targets {
            let (key, operation) = self.key(&raw.target);
            if let Target::Statement { system, .. } = &raw.target
                && self.observe
            {
                let system = self.system(*system);
                self.observed
                    .push((system, operation, raw.durations.clone()));
            }
            keys.push(self.within_cap(key));
        }
        let missing: Vec<&DependencyKey> = keys
            .iter()
            .filter(|key| !self.ids.contains_key(&key.hash()))
            .map(|key| &**key)
            .collect();
        if !missing.is_empty() {
            let found = store.dependency_ids(&missing).await?;
            self.ids.extend(found);
        }
        let mut targets: Vec<StoredTarget> = Vec::with_capacity(keys.len());
        let mut ids = Vec::with_capacity(keys.len());
        for (key, raw) in keys.iter().zip(&calls.targets) {
            let id = self.ids.get(&key.hash()).copied().ok_or_else(|| {
                sea_orm::DbErr::Custom(format!("the dependency {:?} has no id", key.name))
            })?;
            ids.push(id);
            let buckets = raw
                .durations
                .iter()
                .map(|duration| histogram::bucket_of(duration.as_secs_f64() * 1000.0));
            let index = match targets.iter().position(|target| target.dependency_id == id) {
                Some(index) => index,
                None => {
                    targets.push(StoredTarget {
                        dependency_id: id,
                        calls: 0,
                        total_us: 0,
                        buckets: Vec::new(),
                        n_plus_one: false,
                        client_errors: 0,
                        server_errors: 0,
                        failed: 0,
                    });
                    targets.len() - 1
                }
            };
            let target = &mut targets[index];
            target.calls += i64::from(raw.count);
            target.total_us += micros(raw.total);
            target.buckets.extend(buckets);
            target.client_errors += i64::from(raw.client_errors);
            target.server_errors += i64::from(raw.server_errors);
            target.failed += i64::from(raw.failed);
            target.n_plus_one =
                key.kind == DependencyKind::Query && target.calls >= self.n_plus_one;
        }
        let slow = calls
            .slow
            .iter()
            .filter(|_| self.admit_sample(endpoint_id, time))
            .map(|sample| StoredSlowCall {
                dependency_id: ids[sample.target],
                duration_us: micros(sample.duration),
                rows: sample
                    .rows
                    .map(|rows| i64::try_from(rows).unwrap_or(i64::MAX)),
                status: sample.status.map(i32::from),
                stack: outlier::frames(&sample.stack),
            })
            .collect();
        Ok(StoredCalls {
            queries: i64::from(calls.queries),
            query_us: micros(calls.query_time),
            calls: i64::from(calls.calls),
            call_us: micros(calls.call_time),
            targets,
            slow,
        })
    }

    /// `key`, or once the process knows [`MAX_DEPENDENCIES`] others, the "other" dependency of
    /// its kind.
    fn within_cap(&mut self, key: Arc<DependencyKey>) -> Arc<DependencyKey> {
        if self.ids.len() < MAX_DEPENDENCIES || self.ids.contains_key(&key.hash()) {
            return key;
        }
        if !self.capped {
            self.capped = true;
            tracing::warn!(
                max = MAX_DEPENDENCIES,
                "this process has stored as many distinct statements and upstreams as it may: \
                 further new ones count as \"other\""
            );
        }
        Arc::new(DependencyKey {
            kind: key.kind,
            system: match key.kind {
                DependencyKind::Query => key.system.clone(),
                DependencyKind::Http => "other hosts".to_owned(),
            },
            operation: "OTHER".to_owned(),
            name: match key.kind {
                DependencyKind::Query => "(other statements)".to_owned(),
                DependencyKind::Http => "/…".to_owned(),
            },
        })
    }

    /// Learns from a request's statements which database server the application uses: sqlx's
    /// events do not name it, and only statements with placeholders (or reported with
    /// [`crate::record_query`]) tell. Call it for a whole batch before storing it, so that a
    /// request's `SELECT 1` is named by the `$1` of another.
    pub(crate) fn learn_system(&mut self, calls: &Calls) {
        for raw in &calls.targets {
            if let Target::Statement {
                system: Some(system),
                ..
            } = raw.target
                && system != "sqlite"
                && self.server != Some(system)
            {
                self.server = Some(system);
                // Statements named before may have been named otherwise.
                self.fingerprints.remove(&None);
            }
        }
    }

    /// The name of a statement's database: its own, or the server's (`other_sql` while no
    /// statement told).
    fn system(&self, system: Option<&'static str>) -> &'static str {
        system.or(self.server).unwrap_or("other_sql")
    }

    /// The statements and calls made so far as an outlier card or an exception lists them:
    /// by fingerprint or path template, most time first.
    pub(crate) fn shown(&mut self, so_far: &[CallSoFar]) -> Vec<RequestCall> {
        let mut shown: Vec<RequestCall> = Vec::with_capacity(so_far.len());
        for calls in so_far {
            let (key, _) = self.key(&calls.target);
            let name = shown_name(key.kind, &key.operation, &key.system, &key.name);
            let index = match shown.iter().position(|call| call.name == name) {
                Some(index) => index,
                None => {
                    shown.push(RequestCall {
                        kind: key.kind,
                        name,
                        count: 0,
                        total_ms: 0.0,
                        n_plus_one: false,
                    });
                    shown.len() - 1
                }
            };
            let call = &mut shown[index];
            call.count += u64::from(calls.count);
            call.total_ms += calls.total.as_secs_f64() * 1000.0;
            call.n_plus_one = key.kind == DependencyKind::Query
                && i64::try_from(call.count).unwrap_or(i64::MAX) >= self.n_plus_one;
        }
        shown.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
        shown
    }

    /// The statements' durations of the batch stored last (by system and operation), leaving
    /// none; [`CallResolver::forget_observed`] when the batch was not stored.
    pub(crate) fn take_observed(&mut self) -> Vec<(&'static str, &'static str, Vec<Duration>)> {
        std::mem::take(&mut self.observed)
    }

    /// Forgets the durations of a batch that will be stored again.
    pub(crate) fn forget_observed(&mut self) {
        self.observed.clear();
    }

    /// Whether a slow sample of `endpoint_id` at `time` is kept: at most
    /// [`SLOW_SAMPLES_PER_ENDPOINT_HOUR`] per endpoint and hour.
    fn admit_sample(&mut self, endpoint_id: i32, time: DateTime<Utc>) -> bool {
        let hour = time.duration_trunc(TimeDelta::hours(1)).unwrap_or(time);
        if hour != self.sampled.0 {
            self.sampled = (hour, HashMap::new());
        }
        let kept = self.sampled.1.entry(endpoint_id).or_default();
        *kept += 1;
        *kept <= SLOW_SAMPLES_PER_ENDPOINT_HOUR
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn past_the_cap_new_dependencies_count_as_other() {
        let mut resolver = CallResolver::new(5, false);
        for id in 0..MAX_DEPENDENCIES {
            resolver.ids.insert(i64::try_from(id).unwrap(), 1);
        }
        let call = |host: &str| Target::Upstream {
            method: axum::http::Method::GET,
            host: host.into(),
            path: "/hook".into(),
        };
        let (key, _) = resolver.key(&call("attacker-1.example"));
        let other = resolver.within_cap(key);
        assert_eq!(
            (other.system.as_str(), other.name.as_str()),
            ("other hosts", "/…")
        );
        let (key, _) = resolver.key(&call("attacker-2.example"));
        assert_eq!(
            resolver.within_cap(key).hash(),
            other.hash(),
            "one row for all of them"
        );
    }

    #[test]
    fn slow_samples_are_capped_per_endpoint_and_hour() {
        let mut resolver = CallResolver::new(5, false);
        let at = |hour, minute| Utc.with_ymd_and_hms(2026, 12, 5, hour, minute, 0).unwrap();
        let kept = (0..15)
            .filter(|minute| resolver.admit_sample(1, at(10, *minute)))
            .count();
        assert_eq!(kept, SLOW_SAMPLES_PER_ENDPOINT_HOUR as usize);
        assert!(
            resolver.admit_sample(2, at(10, 59)),
            "another endpoint has its own"
        );
        assert!(
            resolver.admit_sample(1, at(11, 0)),
            "the next hour starts again"
        );
    }
}
