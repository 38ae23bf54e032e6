//! One check of every rule: what each finds, which of it no process has told yet, and the
//! messages that tell it, logged as pending deliveries.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_shared::alerts::{Alert, Condition, Metric};
use dashboard_shared::pages::Page;
use dashboard_shared::{ReportRequest, page_query};

use super::AlertError;
use super::message::{exception_path, link, parse_rule};
use crate::config::Config;
use crate::histogram;
use crate::store::Store;
use crate::store::alerts::{
    COMEBACK_AFTER, GroupEvent, PIPELINE_SUBJECT, RuleRow, StateRow, THRESHOLD_SUBJECT,
    comparison_subject, group_subject, return_subject,
};
use crate::store::instances::HEARTBEAT_PERIOD;

/// How far back a rule looks for exception groups that are new or came back: a check missed
/// for longer (every process down) does not tell old news.
const LOOK_BACK: TimeDelta = TimeDelta::days(1);

/// Something a rule found: a subject, whether it is firing, and its lines of a message.
#[derive(Debug)]
struct Finding {
    subject: String,
    firing: bool,
    title: String,
    lines: Vec<String>,
    link: String,
}

/// What every rule has told: by rule, each subject and whether it fires.
type Told = HashMap<i32, HashMap<String, bool>>;

/// Checks every rule at `now`: logs a pending delivery per channel for each message to send and
/// answers their ids. Also drops the per-minute rollups and deliveries past their keeping.
pub(crate) async fn check(
    store: &Store,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AlertError> {
    store.prune_alerting(now).await?;
    let rules = store.alert_rules().await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let told = told(store.alert_states().await?);
    let channels = store.alert_channels().await?;
    let mut deliveries = Vec::new();
    for rule in rules {
        let quiet = TimeDelta::minutes(i64::from(rule.values.quiet_minutes));
        if rule.last_sent.is_some_and(|sent| now < sent + quiet) {
            continue;
        }
        let (condition, channel_ids) = match parse_rule(&rule) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::warn!("{error}; it is skipped");
                continue;
            }
        };
        let empty = HashMap::new();
        let rule_told = told.get(&rule.id).unwrap_or(&empty);
        let findings = find(store, config, &rule, &condition, rule_told, now).await?;
        let mut claimed = Vec::new();
        for finding in findings {
            if claim(store, &rule, rule_told, &finding, now).await? {
                claimed.push(finding);
            }
        }
        if claimed.is_empty() || rule.values.muted {
            continue;
        }
        let alert = compose(&rule, claimed, config, now);
        let message = serde_json::to_string(&alert).unwrap_or_default();
        store.set_alert_sent(rule.id, now).await?;
        let wanted: HashSet<i64> = channel_ids.into_iter().collect();
        for channel in channels
            .iter()
            .filter(|c| wanted.contains(&i64::from(c.id)))
        {
            let id = store
                .insert_delivery(now, Some(&rule.values.name), channel, &message)
                .await?;
            deliveries.push(id);
        }
    }
    Ok(deliveries)
}

fn told(states: Vec<StateRow>) -> Told {
    let mut told: Told = HashMap::new();
    for state in states {
        told.entry(state.rule_id)
            .or_default()
            .insert(state.subject, state.firing);
    }
    told
}

/// Records `finding` as told by `rule`: `false` when it was (by another process meanwhile, or
/// earlier).
async fn claim(
    store: &Store,
    rule: &RuleRow,
    told: &HashMap<String, bool>,
    finding: &Finding,
    now: DateTime<Utc>,
) -> Result<bool, AlertError> {
    Ok(if told.contains_key(&finding.subject) {
        store
            .turn_alert_subject(rule.id, &finding.subject, finding.firing, now)
            .await?
    } else {
        store
            .claim_alert_subject(rule.id, &finding.subject, finding.firing, now)
            .await?
    })
}

/// What `condition` finds at `now` that `told` does not hold yet.
async fn find(
    store: &Store,
    config: &Config,
    rule: &RuleRow,
    condition: &Condition,
    told: &HashMap<String, bool>,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, AlertError> {
    let since = rule.created_at.max(now - LOOK_BACK);
    Ok(match condition {
        Condition::NewException => store
            .exception_events(since, false)
            .await?
            .into_iter()
            .map(|group| {
                let subject = group_subject(group.id);
                exception_finding(config, group, subject, "New exception")
            })
            .filter(|finding| !told.contains_key(&finding.subject))
            .collect(),
        Condition::ExceptionBack { quiet_days } => {
            let quiet = TimeDelta::days(i64::from(*quiet_days)).max(COMEBACK_AFTER);
            store
                .exception_events(since, true)
                .await?
                .into_iter()
                .filter(|group| match (group.returned_at, group.quiet_since) {
                    (Some(back), Some(before)) => back - before >= quiet,
                    _ => false,
                })
                .map(|group| {
                    let back = group.returned_at.unwrap_or_default();
                    let subject = return_subject(group.id, back);
                    exception_finding(config, group, subject, "Exception back")
                })
                .filter(|finding| !told.contains_key(&finding.subject))
                .collect()
        }
        Condition::Regression => regression(store, config, rule, told).await?,
        Condition::Threshold {
            endpoint,
            metric,
            above,
            bound,
            window_minutes,
        } => {
            let window = TimeDelta::minutes(i64::from(*window_minutes));
            let endpoint = endpoint.and_then(|id| i32::try_from(id).ok());
            let buckets = store.window_buckets(now - window, endpoint).await?;
            let value = measure(*metric, &buckets, *window_minutes);
            let firing = value.is_some_and(|value| {
                if *above {
                    value > *bound
                } else {
                    value < *bound
                }
            });
            let path = endpoint.map_or_else(
                || Page::Overview.path(),
                |id| Page::Endpoint(i64::from(id)).path(),
            );
            let shown =
                value.map_or_else(|| "no requests".to_owned(), |value| format!("{value:.1}"));
            turned(
                told,
                Finding {
                    subject: THRESHOLD_SUBJECT.to_owned(),
                    firing,
                    title: if firing {
                        format!("Crossed: {}", condition.describe())
                    } else {
                        format!("Resolved: {} no longer holds", condition.describe())
                    },
                    lines: vec![format!(
                        "{} over the last {window_minutes} min: {shown}",
                        metric.label()
                    )],
                    link: link(config, &path),
                },
            )
        }
        Condition::Pipeline { minutes } => {
            let window = TimeDelta::minutes(i64::from(*minutes));
            let stalled = stalled_instances(store, now - window, now).await?;
            let firing = !stalled.is_empty();
            turned(
                told,
                Finding {
                    subject: PIPELINE_SUBJECT.to_owned(),
                    firing,
                    title: if firing {
                        format!("Measurements lost or not stored for {minutes} min")
                    } else {
                        "Resolved: every process stores its measurements again".to_owned()
                    },
                    lines: stalled,
                    link: link(config, &Page::Servers.path()),
                },
            )
        }
    })
}

/// `finding` when whether it fires differs from what `told` holds for its subject (not firing
/// when nothing was told).
fn turned(told: &HashMap<String, bool>, finding: Finding) -> Vec<Finding> {
    let before = told.get(&finding.subject).copied().unwrap_or(false);
    if finding.firing == before {
        Vec::new()
    } else {
        vec![finding]
    }
}

fn exception_finding(config: &Config, group: GroupEvent, subject: String, what: &str) -> Finding {
    let mut lines = vec![format!("{}: {}", group.type_name, group.message)];
    if let Some(endpoint) = &group.endpoint {
        lines.push(format!("Endpoint: {endpoint}"));
    }
    lines.push(format!(
        "{} occurrence(s), first {}",
        group.count,
        group.first_seen.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    if let (Some(back), Some(before)) = (group.returned_at, group.quiet_since) {
        lines.push(format!(
            "Quiet for {} days before it came back at {}",
            (back - before).num_days(),
            back.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    Finding {
        subject,
        firing: true,
        title: format!("{what}: {}", group.type_name),
        lines,
        link: link(config, &exception_path(group.id)),
    }
}

/// The latest automatic version comparison's slower endpoints, once per comparison made after
/// the rule.
async fn regression(
    store: &Store,
    config: &Config,
    rule: &RuleRow,
    told: &HashMap<String, bool>,
) -> Result<Vec<Finding>, AlertError> {
    let Some(comparison) = crate::reports::latest_version_comparison(store).await? else {
        return Ok(Vec::new());
    };
    let subject = comparison_subject(&comparison.version, &comparison.baseline);
    if comparison.regressed.is_empty()
        || comparison.compared_at < rule.created_at
        || told.contains_key(&subject)
    {
        return Ok(Vec::new());
    }
    let request = ReportRequest::Versions {
        comparison: comparison.version.clone(),
        baseline: comparison.baseline.clone(),
    };
    let report = crate::reports::report(store, &request, Utc::now()).await?;
    let lines = report
        .endpoints
        .iter()
        .filter(|endpoint| endpoint.regressed())
        .map(|endpoint| {
            let median = |side: &Option<dashboard_shared::LatencyBox>| {
                side.as_ref()
                    .map_or_else(|| "–".to_owned(), |b| format!("{:.1} ms", b.median_ms))
            };
            format!(
                "{}: median {} in {} → {} in {} ({:+.0} %)",
                endpoint.name,
                median(&endpoint.latency.baseline),
                comparison.baseline,
                median(&endpoint.latency.comparison),
                comparison.version,
                endpoint.latency.difference_percent.unwrap_or_default(),
            )
        })
        .collect();
    let query = serde_json::to_string(&request).unwrap_or_default();
    let path = format!(
        "{}?{}",
        Page::Reports.path(),
        form_urlencoded::Serializer::new(String::new())
            .append_pair(page_query::REPORT, &query)
            .finish()
    );
    Ok(vec![Finding {
        subject,
        firing: true,
        title: format!(
            "Version {} is slower than {}",
            comparison.version, comparison.baseline
        ),
        lines,
        link: link(config, &path),
    }])
}

/// `metric` of a window's buckets; `None` for a ratio or a percentile of no requests.
fn measure(
    metric: Metric,
    buckets: &[crate::store::alerts::WindowBucket],
    window_minutes: u32,
) -> Option<f64> {
    let hits: i64 = buckets.iter().map(|bucket| bucket.hits).sum();
    match metric {
        Metric::RequestsPerMinute => Some(hits as f64 / f64::from(window_minutes.max(1))),
        Metric::ErrorPercent if hits == 0 => None,
        Metric::ErrorPercent => {
            let errors: i64 = buckets.iter().map(|bucket| bucket.errors).sum();
            Some(errors as f64 * 100.0 / hits as f64)
        }
        Metric::P95Ms => {
            let counts: Vec<(i32, u64)> = buckets
                .iter()
                .map(|bucket| (bucket.bucket, u64::try_from(bucket.hits).unwrap_or(0)))
                .collect();
            histogram::quantile(&counts, 0.95)
        }
    }
}

/// The processes that dropped measurements between `since` and `now`, or whose writer stored
/// none while some waited: a line each.
async fn stalled_instances(
    store: &Store,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AlertError> {
    let beats = store.heartbeats(since).await?;
    let names: HashMap<i32, String> = store
        .instances(now)
        .await?
        .into_iter()
        .map(|instance| (instance.id, instance.name))
        .collect();
    let mut lines = Vec::new();
    for (instance, beats) in beats {
        let (Some(first), Some(last)) = (beats.first(), beats.last()) else {
            continue;
        };
        let name = names.get(&instance).map_or("?", String::as_str);
        let dropped = last.dropped - first.dropped;
        let period = TimeDelta::from_std(HEARTBEAT_PERIOD).unwrap_or_default();
        let covers_window = last.time - first.time >= (now - since) - period * 2;
        if dropped > 0 {
            lines.push(format!("{name}: {dropped} measurements dropped"));
        } else if beats.len() >= 2
            && covers_window
            && last.stored == first.stored
            && beats.iter().all(|beat| beat.queued > 0)
        {
            lines.push(format!(
                "{name}: {} measurements waiting, none stored",
                last.queued
            ));
        }
    }
    lines.sort();
    Ok(lines)
}

/// The most lines a message has: a burst of findings (or of processes losing measurements)
/// says how many more there are instead of growing the email, the webhook's body and the log.
const MAX_LINES: usize = 20;

/// One message for what `rule` found: the finding itself, or a count and a line per finding
/// when it found several (a burst goes as one message).
fn compose(
    rule: &RuleRow,
    mut findings: Vec<Finding>,
    config: &Config,
    now: DateTime<Utc>,
) -> Alert {
    let firing = findings.iter().any(|finding| finding.firing);
    let name = rule.values.name.clone();
    let (title, lines, link) = if findings.len() == 1 {
        let finding = findings.remove(0);
        (finding.title, finding.lines, finding.link)
    } else {
        let title = format!("{name}: {} alerts", findings.len());
        let lines = findings
            .iter()
            .map(|finding| format!("{} ({})", finding.title, finding.link))
            .collect();
        (title, lines, link(config, &Page::Alerts.path()))
    };
    Alert {
        rule: Some(name),
        title,
        lines: capped(lines),
        link,
        firing,
        time: now,
    }
}

/// `lines`, at most [`MAX_LINES`] of them, the last saying how many were left out.
fn capped(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > MAX_LINES {
        let left_out = lines.len() - (MAX_LINES - 1);
        lines.truncate(MAX_LINES - 1);
        lines.push(format!("… and {left_out} more"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use chrono::DurationRound;
    use dashboard_shared::alerts::{ChannelSettings, WebhookFormat};

    use super::*;
    use crate::config::MonitorLevel;
    use crate::store::alerts::RuleValues;
    use crate::store::instances::InstanceId;
    use crate::store::labels::Labels;
    use crate::store::writes::tests::measurement;

    /// Stores `count` requests of `endpoint` at `at`, `errors` of them answered 500.
    async fn requests(
        store: &Store,
        endpoint: i32,
        at: DateTime<Utc>,
        count: usize,
        errors: usize,
    ) {
        let rows: Vec<_> = (0..count)
            .map(|n| {
                let status = if n < errors { 500 } else { 200 };
                let mut row = measurement(endpoint, 12.0, status, MonitorLevel::PERFORMANCE);
                row.time_requested = at;
                row.day = at.date_naive();
                row
            })
            .collect();
        store
            .write_measurements(&rows, &mut Labels::default(), InstanceId(1))
            .await
            .unwrap();
    }

    /// The messages of the deliveries `ids`.
    async fn messages(store: &Store, ids: &[i64]) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for id in ids {
            let row = store.delivery(*id).await.unwrap().unwrap();
            alerts.push(serde_json::from_str(&row.message).unwrap());
        }
        alerts
    }

    /// A store with the endpoint `GET /pay` and a webhook channel: its folder (kept while the
    /// test runs), the store, the endpoint's and the channel's ids.
    async fn pay_and_a_channel() -> (tempfile::TempDir, Store, i32, i32) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(&dir).await;
        let (endpoint, _) = store
            .ensure_endpoint("GET", "/pay", MonitorLevel::PERFORMANCE, "1.0", Utc::now())
            .await
            .unwrap();
        let settings = serde_json::to_string(&ChannelSettings::Webhook {
            format: WebhookFormat::Generic,
        })
        .unwrap();
        let channel = store
            .insert_alert_channel("hook", &settings, "http://127.0.0.1:9/hook")
            .await
            .unwrap();
        (dir, store, endpoint, channel)
    }

    /// Stores the rule `name` of `condition` to `channel`, created at `created`; its id.
    async fn add_rule(
        store: &Store,
        name: &str,
        condition: &Condition,
        channel: i32,
        quiet_minutes: i32,
        created: DateTime<Utc>,
    ) -> i32 {
        let rule = RuleValues {
            name: name.into(),
            condition: serde_json::to_string(condition).unwrap(),
            channels: serde_json::to_string(&[channel]).unwrap(),
            quiet_minutes,
            muted: false,
        };
        store.insert_alert_rule(rule, created).await.unwrap()
    }

    #[tokio::test]
    async fn a_threshold_fires_once_when_it_crosses_and_once_when_it_recovers() {
        let (_dir, store, endpoint, channel) = pay_and_a_channel().await;
        let condition = Condition::Threshold {
            endpoint: Some(i64::from(endpoint)),
            metric: Metric::ErrorPercent,
            above: true,
            bound: 10.0,
            window_minutes: 5,
        };
        // Created a while ago, so that the minutes read below are after it.
        let start = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap();
        let created = start - TimeDelta::hours(1);
        add_rule(&store, "Payment errors", &condition, channel, 0, created).await;
        let config = Config::default();

        // Half of ten requests fail: 50 % > 10 %.
        requests(&store, endpoint, start, 10, 5).await;
        let crossed = check(&store, &config, start + TimeDelta::seconds(30))
            .await
            .unwrap();
        let alerts = messages(&store, &crossed).await;
        assert_eq!(alerts.len(), 1);
        assert!(alerts[0].firing);
        assert!(
            alerts[0].title.starts_with("Crossed"),
            "{}",
            alerts[0].title
        );
        assert_eq!(
            alerts[0].lines,
            ["error ratio (%) over the last 5 min: 50.0"]
        );
        assert_eq!(alerts[0].link, format!("/dashboard/endpoint/{endpoint}"));
        // Still crossed a minute later: nothing more.
        for seconds in [60, 90] {
            let again = check(&store, &config, start + TimeDelta::seconds(seconds))
                .await
                .unwrap();
            assert_eq!(again, Vec::<i64>::new(), "at +{seconds} s");
        }

        // Twenty good requests later, the window no longer holds the failures.
        requests(&store, endpoint, start + TimeDelta::minutes(4), 20, 0).await;
        let recovered = check(&store, &config, start + TimeDelta::minutes(7))
            .await
            .unwrap();
        let alerts = messages(&store, &recovered).await;
        assert_eq!(alerts.len(), 1);
        assert!(!alerts[0].firing);
        assert!(
            alerts[0].title.starts_with("Resolved"),
            "{}",
            alerts[0].title
        );
        assert_eq!(
            alerts[0].lines,
            ["error ratio (%) over the last 5 min: 0.0"]
        );
        let again = check(&store, &config, start + TimeDelta::minutes(8))
            .await
            .unwrap();
        assert_eq!(again, Vec::<i64>::new());
    }

    #[tokio::test]
    async fn a_crossing_within_the_quiet_period_waits_for_its_end() {
        let (_dir, store, endpoint, channel) = pay_and_a_channel().await;
        let condition = Condition::Threshold {
            endpoint: None,
            metric: Metric::RequestsPerMinute,
            above: true,
            bound: 5.0,
            window_minutes: 1,
        };
        let start = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap();
        let created = start - TimeDelta::hours(1);
        let rule = add_rule(&store, "Traffic", &condition, channel, 15, created).await;
        store.set_alert_sent(rule, start).await.unwrap();
        let config = Config::default();
        requests(&store, endpoint, start, 10, 0).await;
        let quiet = check(&store, &config, start + TimeDelta::seconds(30))
            .await
            .unwrap();
        assert_eq!(quiet, Vec::<i64>::new());
        requests(&store, endpoint, start + TimeDelta::minutes(15), 10, 0).await;
        let after = check(&store, &config, start + TimeDelta::seconds(15 * 60 + 30))
            .await
            .unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            messages(&store, &after).await[0].lines,
            ["requests per minute over the last 1 min: 10.0"]
        );
    }

    /// A request at `at` that raised the exception `Timeout` (always the same group).
    fn failing_request(
        endpoint: i32,
        at: DateTime<Utc>,
    ) -> crate::store::writes::StoredMeasurement {
        use crate::store::incidents::{ExceptionStack, StoredException, StoredExtra};
        let mut row = measurement(endpoint, 12.0, 500, MonitorLevel::PERFORMANCE);
        row.time_requested = at;
        row.day = at.date_naive();
        row.extra = Some(Box::new(StoredExtra {
            outlier: None,
            profile: None,
            exceptions: vec![StoredException {
                signature: "timeout-in-pay".into(),
                endpoint_id: endpoint,
                type_name: "Timeout".into(),
                message: "the upstream took too long".into(),
                stack: ExceptionStack {
                    location: Some("src/pay.rs:12".into()),
                    frames: Vec::new(),
                },
                context: dashboard_shared::RequestContext {
                    method: "GET".into(),
                    route: "/pay".into(),
                    url: "/pay".into(),
                    query: Vec::new(),
                    body: None,
                    headers: Vec::new(),
                    environment: Vec::new(),
                },
                time: at,
                version: "1.0".into(),
                calls: Vec::new(),
            }],
        }));
        row
    }

    #[tokio::test]
    async fn an_exception_back_after_its_quiet_days_is_told_once() {
        let (_dir, store, endpoint, channel) = pay_and_a_channel().await;
        let now = Utc::now();
        for (name, condition) in [
            ("Back", Condition::ExceptionBack { quiet_days: 2 }),
            ("New", Condition::NewException),
        ] {
            add_rule(
                &store,
                name,
                &condition,
                channel,
                0,
                now - TimeDelta::days(10),
            )
            .await;
        }
        let write = |at: DateTime<Utc>| {
            let store = store.clone();
            async move {
                store
                    .write_measurements(
                        &[failing_request(endpoint, at)],
                        &mut Labels::default(),
                        InstanceId(1),
                    )
                    .await
                    .unwrap();
            }
        };
        let config = Config::default();
        // First seen five days ago: older than a check looks back, so not new any more.
        write(now - TimeDelta::days(5)).await;
        assert_eq!(
            check(&store, &config, now).await.unwrap(),
            Vec::<i64>::new()
        );
        // Back an hour ago after five quiet days.
        write(now - TimeDelta::hours(1)).await;
        let back = check(&store, &config, now).await.unwrap();
        let alerts = messages(&store, &back).await;
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].rule.as_deref(), Some("Back"));
        assert_eq!(alerts[0].title, "Exception back: Timeout");
        assert!(
            alerts[0]
                .lines
                .iter()
                .any(|line| line.starts_with("Quiet for 4 days before it came back")),
            "{:?}",
            alerts[0].lines
        );
        // Again half an hour later: the same return, told already.
        write(now - TimeDelta::minutes(30)).await;
        assert_eq!(
            check(&store, &config, now).await.unwrap(),
            Vec::<i64>::new()
        );
        // Three days on, the group is past what a check looks at: what was told of it goes.
        assert_eq!(store.alert_states().await.unwrap().len(), 1);
        let later = check(&store, &config, now + TimeDelta::days(3))
            .await
            .unwrap();
        assert_eq!(later, Vec::<i64>::new());
        assert!(store.alert_states().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn lost_measurements_are_told_when_they_start_and_when_they_stop() {
        use crate::store::instances::{Beat, InstanceStart};
        let (_dir, store, _, channel) = pay_and_a_channel().await;
        let now = Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap();
        let start = InstanceStart {
            name: "web-1",
            app_version: "1.0",
            started: now - TimeDelta::hours(1),
        };
        let instance = store.register_instance(&start).await.unwrap();
        let beat = |seconds_ago: i64, dropped: i64, stored: i64| Beat {
            time: now - TimeDelta::seconds(seconds_ago),
            cpu_percent: 1.0,
            memory_bytes: 1,
            in_flight: 0,
            queued: 0,
            dropped,
            stored,
            writer_lag_ms: 1.0,
        };
        let pipeline = Condition::Pipeline { minutes: 2 };
        add_rule(
            &store,
            "Pipeline",
            &pipeline,
            channel,
            0,
            now - TimeDelta::hours(1),
        )
        .await;
        let config = Config::default();
        for beat in [beat(100, 0, 10), beat(85, 0, 20), beat(70, 40, 20)] {
            store
                .write_heartbeat(instance, &start, &beat)
                .await
                .unwrap();
        }
        let lost = messages(&store, &check(&store, &config, now).await.unwrap()).await;
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].title, "Measurements lost or not stored for 2 min");
        assert_eq!(lost[0].lines, ["web-1: 40 measurements dropped"]);
        assert!(lost[0].link.ends_with("/servers"), "{}", lost[0].link);
        assert_eq!(
            check(&store, &config, now).await.unwrap(),
            Vec::<i64>::new()
        );
        // Two minutes on, nothing dropped in the window: resolved.
        let later = now + TimeDelta::minutes(2);
        for seconds_ago in [-30, -60, -90, -120] {
            store
                .write_heartbeat(instance, &start, &beat(seconds_ago, 40, 100 - seconds_ago))
                .await
                .unwrap();
        }
        let resolved = messages(&store, &check(&store, &config, later).await.unwrap()).await;
        assert_eq!(resolved.len(), 1);
        assert!(!resolved[0].firing);
        assert!(
            resolved[0].title.starts_with("Resolved"),
            "{}",
            resolved[0].title
        );
    }

    #[test]
    fn a_burst_is_one_message_of_at_most_twenty_lines() {
        let lines: Vec<String> = (0..1000).map(|n| format!("group {n}")).collect();
        let shown = capped(lines);
        assert_eq!(shown.len(), MAX_LINES);
        assert_eq!(shown[MAX_LINES - 2], "group 18");
        assert_eq!(shown[MAX_LINES - 1], "… and 981 more");
        assert_eq!(capped(vec!["one".into()]), ["one"]);
    }
}
