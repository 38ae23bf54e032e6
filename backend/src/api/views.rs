//! The one boundary where the store's domain rows become the `dashboard-shared` DTOs that the
//! API answers with (and the CLI's export writes): ids widen to `i64`, levels and status codes
//! narrow to their wire types, medians come from the latency histograms.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use dashboard_shared::{
    CountSpread, DependencyList, DependencyRow, EndpointCallSummary, EndpointDetails,
    ExportedEndpoint, ExportedRequest, Heartbeat, NPlusOneFlag, NamedEndpoint, OverviewRow,
    SILENT_AFTER_SECONDS, Server, Servers, SlowCallSample,
};

use crate::histogram;
use crate::store::calls::{
    DependencyBucket, DependencyDayRow, NPlusOneRow, QueriesPerRequest, SlowCallRow,
    kind_of_number, shown_name,
};
use crate::store::endpoint::EndpointFacts;
use crate::store::export::{EndpointRule, RequestRow};
use crate::store::instances::{Beat, InstanceRow};
use crate::store::overview::EndpointActivity;

/// An exported (or failed) request.
pub(crate) fn exported_request(row: RequestRow) -> ExportedRequest {
    ExportedRequest {
        id: row.id,
        endpoint: row.name,
        duration_ms: row.duration_ms,
        time_requested: row.time_requested,
        version_requested: row.version_requested,
        group_by: row.group_by,
        ip: row.ip,
        status_code: u16::try_from(row.status_code).unwrap_or(0),
        query_count: u64::try_from(row.query_count).unwrap_or(0),
        query_ms: row.query_ms,
        call_count: u64::try_from(row.call_count).unwrap_or(0),
        call_ms: row.call_ms,
    }
}

/// An endpoint's monitoring rule in the export.
pub(super) fn exported_endpoint(rule: EndpointRule) -> ExportedEndpoint {
    ExportedEndpoint {
        name: rule.name,
        monitor_level: u8::try_from(rule.monitor_level).unwrap_or(1),
        time_added: rule.time_added,
        version_added: rule.version_added,
        last_requested: rule.last_requested,
    }
}

/// The endpoint page's details card.
pub(super) fn endpoint_details(facts: EndpointFacts) -> EndpointDetails {
    EndpointDetails {
        id: i64::from(facts.id),
        name: facts.name,
        route: facts.route,
        methods: facts.methods,
        monitor_level: u8::try_from(facts.monitor_level).unwrap_or(0),
        total_hits: facts.total_hits,
        time_added: facts.time_added,
        version_added: facts.version_added,
        last_requested: facts.last_requested,
    }
}

/// The overview's row of one endpoint: its medians from its latency histograms.
pub(super) fn overview_row(endpoint: EndpointActivity) -> OverviewRow {
    let median = |buckets: &[(i32, u64)]| histogram::quantile(buckets, 0.5);
    OverviewRow {
        id: i64::from(endpoint.id),
        monitor_level: u8::try_from(endpoint.monitor_level).unwrap_or(1),
        hits_today: endpoint.hits.today,
        hits_week: endpoint.hits.week,
        hits_overall: endpoint.hits.overall,
        errors_today: endpoint.errors.today,
        errors_week: endpoint.errors.week,
        errors_overall: endpoint.errors.overall,
        median_today_ms: median(&endpoint.latency.today),
        median_week_ms: median(&endpoint.latency.week),
        median_overall_ms: median(&endpoint.latency.overall),
        last_requested: endpoint.last_requested,
        name: endpoint.name,
        method: endpoint.method,
        route: endpoint.route,
    }
}

/// How a stored dependency is named on its own.
fn dependency_name(kind: i16, operation: &str, system: &str, name: &str) -> String {
    shown_name(kind_of_number(kind), operation, system, name)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Statements or upstreams over `days`: each dependency's day rows summed, its endpoints by
/// calls, its calls per day and its p95 from the buckets; most total time first.
pub(super) fn dependency_list(
    days: Vec<String>,
    rows: Vec<DependencyDayRow>,
    buckets: &[DependencyBucket],
    endpoint_names: &HashMap<i32, String>,
) -> DependencyList {
    let mut by_dependency: HashMap<i32, (DependencyRow, HashMap<i32, u64>)> = HashMap::new();
    for row in rows {
        let (dependency, endpoints) = by_dependency.entry(row.dependency_id).or_insert_with(|| {
            (
                DependencyRow {
                    id: i64::from(row.dependency_id),
                    kind: kind_of_number(row.kind),
                    system: row.system.clone(),
                    operation: row.operation.clone(),
                    name: row.name.clone(),
                    calls: 0,
                    total_ms: 0.0,
                    mean_ms: 0.0,
                    p95_ms: 0.0,
                    requests: 0,
                    n_plus_one: 0,
                    client_errors: 0,
                    server_errors: 0,
                    failed: 0,
                    endpoints: Vec::new(),
                    daily: vec![0; days.len()],
                },
                HashMap::new(),
            )
        });
        dependency.calls += count(row.calls);
        dependency.total_ms += crate::store::ms_of_micros(row.total_us);
        dependency.requests += count(row.requests);
        dependency.n_plus_one += count(row.n_plus_one);
        dependency.client_errors += count(row.client_errors);
        dependency.server_errors += count(row.server_errors);
        dependency.failed += count(row.failed);
        if let Some(day) = days.iter().position(|day| *day == row.day.to_string()) {
            dependency.daily[day] += count(row.calls);
        }
        *endpoints.entry(row.endpoint_id).or_default() += count(row.calls);
    }
    let mut histograms: HashMap<i32, Vec<(i32, u64)>> = HashMap::new();
    for bucket in buckets {
        histograms
            .entry(bucket.dependency_id)
            .or_default()
            .push((bucket.bucket, count(bucket.count)));
    }
    let mut rows: Vec<DependencyRow> = by_dependency
        .into_iter()
        .map(|(id, (mut row, endpoints))| {
            row.mean_ms = row.total_ms / row.calls.max(1) as f64;
            if let Some(histogram) = histograms.get_mut(&id) {
                histogram.sort_unstable();
                row.p95_ms = histogram::quantile(histogram, 0.95).unwrap_or(0.0);
            }
            let mut endpoints: Vec<(i32, u64)> = endpoints.into_iter().collect();
            endpoints.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            row.endpoints = endpoints
                .into_iter()
                .map(|(id, _)| NamedEndpoint {
                    id: i64::from(id),
                    name: endpoint_names.get(&id).cloned().unwrap_or_default(),
                })
                .collect();
            row
        })
        .collect();
    rows.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms).then(a.id.cmp(&b.id)));
    DependencyList { days, rows }
}

/// The value at quantile `q` of counts given as (value, requests), sorted by value.
fn count_quantile(counts: &[(u64, u64)], total: u64, q: f64) -> u64 {
    let rank = (q * total.saturating_sub(1) as f64).round() as u64;
    let mut seen = 0;
    for (value, requests) in counts {
        seen += requests;
        if seen > rank {
            return *value;
        }
    }
    counts.last().map_or(0, |(value, _)| *value)
}

/// An endpoint's statements per request and times, N+1 flags and slow samples.
pub(super) fn endpoint_calls(
    per_request: &[QueriesPerRequest],
    flags: &[NPlusOneRow],
    flagged: u64,
    slow: Vec<SlowCallRow>,
) -> Result<EndpointCallSummary, sea_orm::DbErr> {
    let mut counts: Vec<(u64, u64)> = per_request
        .iter()
        .map(|row| (count(row.query_count), count(row.requests)))
        .collect();
    counts.sort_unstable();
    let requests: u64 = counts.iter().map(|(_, requests)| requests).sum();
    let quantile = |q| count_quantile(&counts, requests, q);
    let sum = |part: fn(&QueriesPerRequest) -> i64| {
        per_request
            .iter()
            .map(|row| crate::store::ms_of_micros(part(row)))
            .sum()
    };
    Ok(EndpointCallSummary {
        queries_per_request: CountSpread {
            requests,
            min: counts.first().map_or(0, |(value, _)| *value),
            q1: quantile(0.25),
            median: quantile(0.5),
            q3: quantile(0.75),
            p95: quantile(0.95),
            max: counts.last().map_or(0, |(value, _)| *value),
        },
        request_ms: sum(|row| row.duration_us),
        query_ms: sum(|row| row.query_us),
        call_ms: sum(|row| row.call_us),
        flagged_requests: flagged,
        n_plus_one: flags
            .iter()
            .map(|flag| NPlusOneFlag {
                request_id: flag.request_id,
                time: crate::store::time_of_micros(flag.time_us),
                dependency_id: i64::from(flag.dependency_id),
                statement: flag.name.clone(),
                count: count(flag.calls),
            })
            .collect(),
        slow: slow
            .into_iter()
            .map(|row| {
                Ok(SlowCallSample {
                    request_id: row.request_id,
                    time: crate::store::time_of_micros(row.time_us),
                    kind: kind_of_number(row.kind),
                    name: dependency_name(row.kind, &row.operation, &row.system, &row.name),
                    duration_ms: crate::store::ms_of_micros(row.duration_us),
                    rows: row.rows.map(count),
                    status: row
                        .status_code
                        .and_then(|status| u16::try_from(status).ok()),
                    stack: serde_json::from_str(&row.stack)
                        .map_err(|error| sea_orm::DbErr::Custom(error.to_string()))?,
                })
            })
            .collect::<Result<_, sea_orm::DbErr>>()?,
    })
}

/// The Servers page from the instances, their heartbeats and today's requests per instance:
/// live instances first (by name), then silent ones (latest first).
pub(super) fn servers(
    now: DateTime<Utc>,
    instances: Vec<InstanceRow>,
    heartbeats: &mut HashMap<i32, Vec<Beat>>,
    requests_today: &HashMap<i32, u64>,
) -> Servers {
    let count = |value: i64| u64::try_from(value).unwrap_or(0);
    let mut servers: Vec<Server> = instances
        .into_iter()
        .map(|instance| Server {
            id: i64::from(instance.id),
            live: (now - instance.last_seen).num_seconds() <= SILENT_AFTER_SECONDS,
            requests_today: requests_today.get(&instance.id).copied().unwrap_or(0),
            heartbeats: heartbeats
                .remove(&instance.id)
                .unwrap_or_default()
                .into_iter()
                .map(|beat| Heartbeat {
                    time: beat.time,
                    cpu_percent: beat.cpu_percent,
                    memory_bytes: count(beat.memory_bytes),
                    in_flight: count(beat.in_flight),
                    queued: count(beat.queued),
                    dropped: count(beat.dropped),
                    stored: count(beat.stored),
                    writer_lag_ms: beat.writer_lag_ms,
                })
                .collect(),
            name: instance.name,
            app_version: instance.app_version,
            dashboard_version: instance.dashboard_version,
            started: instance.started,
            last_seen: instance.last_seen,
        })
        .collect();
    servers.sort_by(|a, b| {
        b.live.cmp(&a.live).then_with(|| {
            if a.live {
                a.name.cmp(&b.name)
            } else {
                b.last_seen.cmp(&a.last_seen)
            }
        })
    });
    Servers {
        servers,
        requests_today: requests_today.values().sum(),
    }
}

/// A stored alert rule, firing when its id is in `firing`; `None` (and a warning) when its JSON
/// cannot be read.
pub(super) fn alert_rule(
    row: crate::store::alerts::RuleRow,
    firing: &[i32],
) -> Option<dashboard_shared::alerts::Rule> {
    let (condition, channels) = crate::alerts::parse_rule(&row)
        .map_err(|error| tracing::warn!("{error}"))
        .ok()?;
    let firing = firing.contains(&row.id);
    Some(dashboard_shared::alerts::Rule {
        id: i64::from(row.id),
        rule: dashboard_shared::alerts::RuleInput {
            name: row.values.name,
            condition,
            channels,
            quiet_minutes: u32::try_from(row.values.quiet_minutes).unwrap_or(0),
            muted: row.values.muted,
        },
        firing,
        last_sent: row.last_sent,
    })
}

/// A stored channel without its secret: only its hint.
pub(super) fn alert_channel(
    row: crate::store::alerts::ChannelRow,
) -> Option<dashboard_shared::alerts::Channel> {
    let settings = crate::alerts::parse_channel(&row)
        .map_err(|error| tracing::warn!("{error}"))
        .ok()?;
    Some(dashboard_shared::alerts::Channel {
        id: i64::from(row.id),
        secret_hint: crate::alerts::secret_hint(&settings, &row.secret),
        name: row.name,
        settings,
    })
}

/// A line of the delivery log: the message's title from its JSON.
pub(super) fn delivery(
    row: crate::store::alerts::DeliveryRow,
) -> dashboard_shared::alerts::Delivery {
    let title = serde_json::from_str::<dashboard_shared::alerts::Alert>(&row.message)
        .map_or_else(|_| "(unreadable message)".to_owned(), |alert| alert.title);
    dashboard_shared::alerts::Delivery {
        id: row.id,
        time: row.time,
        rule: row.rule_name,
        channel: row.channel_name,
        title,
        outcome: dashboard_shared::alerts::Outcome::named(&row.outcome)
            .unwrap_or(dashboard_shared::alerts::Outcome::Failed),
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        error: row.error,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn instance(id: i32, name: &str, last_seen: DateTime<Utc>) -> InstanceRow {
        InstanceRow {
            id,
            name: name.to_owned(),
            app_version: "1.0".to_owned(),
            dashboard_version: "0.1.0".to_owned(),
            started: last_seen - TimeDelta::hours(1),
            last_seen,
        }
    }

    #[test]
    fn live_servers_come_first_by_name_and_a_minute_of_silence_greys_one() {
        let now = Utc::now();
        let seconds = |n| now - TimeDelta::seconds(n);
        let instances = vec![
            instance(1, "web-b", seconds(5)),
            instance(2, "old", seconds(3_600)),
            instance(3, "web-a", seconds(SILENT_AFTER_SECONDS)),
            instance(4, "older", seconds(7_200)),
            instance(5, "quiet", seconds(SILENT_AFTER_SECONDS + 1)),
        ];
        let requests = HashMap::from([(1, 5), (3, 3), (2, 1), (0, 10)]);
        let servers = servers(now, instances, &mut HashMap::new(), &requests);
        let shown: Vec<(&str, bool, u64)> = servers
            .servers
            .iter()
            .map(|server| (server.name.as_str(), server.live, server.requests_today))
            .collect();
        assert_eq!(
            shown,
            [
                ("web-a", true, 3),
                ("web-b", true, 5),
                ("quiet", false, 0),
                ("old", false, 1),
                ("older", false, 0),
            ]
        );
        assert_eq!(
            servers.requests_today, 19,
            "every instance's, the forgotten ones' (instance 0) too"
        );
    }
}
