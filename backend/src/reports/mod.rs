//! Performance reports: every endpoint's comparison set against its baseline set — medians with
//! Mood's median test, and status-code shares — and the automatic comparison of a new version
//! with the previous one.

mod mood;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Days, Months, NaiveTime, TimeDelta, Utc};
use dashboard_shared::{
    EndpointReport, LatencyBox, LatencyComparison, Period, Report, ReportRequest, ReportSet,
    StatusComparison, StatusShare, TimeRange, VersionComparison,
};
use sea_orm::DbErr;

use crate::config::Config;
use crate::histogram::{exact_quantile, latency_box};
use crate::store::Store;
use crate::store::reports::RequestSet;

/// Requests per set and endpoint whose durations a report draws.
pub(crate) const SAMPLE_SIZE: u64 = 500;
/// Mood's test is significant below this p-value.
const SIGNIFICANCE: f64 = 0.05;
/// Status codes are compared only when both sets have this many requests.
const MIN_STATUS_REQUESTS: u64 = 30;
/// A code's share must rise by more than this many percentage points to be significant.
const STATUS_RISE_POINTS: f64 = 3.0;
/// The setting that holds the latest automatic [`VersionComparison`] as JSON.
const VERSION_COMPARISON_SETTING: &str = "version_comparison";
/// Colours of the two sets' boxes: orange for the comparison, the dashboard's blue for the
/// baseline.
const COMPARISON_COLOUR: [u8; 3] = [230, 126, 34];
const BASELINE_COLOUR: [u8; 3] = dashboard_shared::charts::BLUE;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReportError {
    /// The request makes no sense.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The longest range a report compares, like the charts'.
pub(crate) const MAX_RANGE_DAYS: i64 = 366;

/// The report that `request` asks for at `now`.
pub(crate) async fn report(
    store: &Store,
    request: &ReportRequest,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let ((comparison, comparison_set), (baseline, baseline_set)) = sets(request, now)?;
    let comparison_codes = per_endpoint(store.set_status_counts(&comparison_set).await?);
    let baseline_codes = per_endpoint(store.set_status_counts(&baseline_set).await?);
    let mut endpoints = Vec::new();
    for (id, name) in store.endpoint_names().await? {
        let empty = BTreeMap::new();
        let comparison_status = comparison_codes.get(&id).unwrap_or(&empty);
        let baseline_status = baseline_codes.get(&id).unwrap_or(&empty);
        let comparison_requests: u64 = comparison_status.values().sum();
        let baseline_requests: u64 = baseline_status.values().sum();
        if comparison_requests == 0 && baseline_requests == 0 {
            continue;
        }
        let comparison_sample = store
            .sample_durations(id, &comparison_set, SAMPLE_SIZE)
            .await?;
        let baseline_sample = store
            .sample_durations(id, &baseline_set, SAMPLE_SIZE)
            .await?;
        endpoints.push(EndpointReport {
            id: i64::from(id),
            name,
            comparison_requests,
            baseline_requests,
            latency: latency(comparison_sample, baseline_sample, (&comparison, &baseline)),
            status_codes: status_codes(comparison_status, baseline_status),
        });
    }
    endpoints.sort_by(|a, b| {
        b.significant()
            .cmp(&a.significant())
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(Report {
        comparison,
        baseline,
        endpoints,
    })
}

/// `(endpoint, status, requests)` rows as status counts per endpoint.
fn per_endpoint(rows: Vec<(i32, u16, u64)>) -> HashMap<i32, BTreeMap<u16, u64>> {
    let mut counts: HashMap<i32, BTreeMap<u16, u64>> = HashMap::new();
    for (endpoint, status, hits) in rows {
        *counts
            .entry(endpoint)
            .or_default()
            .entry(status)
            .or_default() += hits;
    }
    counts
}

/// A set as the report describes it and as the store filters requests.
type Described = (ReportSet, RequestSet);

/// The comparison and baseline sets of a request, described and as filters.
fn sets(
    request: &ReportRequest,
    now: DateTime<Utc>,
) -> Result<(Described, Described), ReportError> {
    let (comparison, baseline) = match request {
        ReportRequest::Preset { period } => preset(*period, now),
        ReportRequest::Intervals {
            comparison,
            baseline,
        } => (*comparison, *baseline),
        ReportRequest::Versions {
            comparison,
            baseline,
        } => {
            let set = |version: &str| {
                (
                    ReportSet {
                        label: format!("version {version}"),
                        range: None,
                        version: Some(version.to_owned()),
                    },
                    RequestSet::Version(version.to_owned()),
                )
            };
            return Ok((set(comparison), set(baseline)));
        }
    };
    let set = |range: TimeRange, role: &str| {
        if range.from >= range.to {
            return Err(ReportError::Invalid(format!(
                "the {role} range must end after it starts; it runs from {} to {}",
                range.from, range.to
            )));
        }
        if range.to - range.from > chrono::TimeDelta::days(MAX_RANGE_DAYS) {
            return Err(ReportError::Invalid(format!(
                "the {role} range covers at most {MAX_RANGE_DAYS} days; it runs from {} to {}",
                range.from, range.to
            )));
        }
        Ok((
            ReportSet {
                label: format!(
                    "{} – {} UTC",
                    range.from.format("%Y-%m-%d %H:%M"),
                    range.to.format("%Y-%m-%d %H:%M")
                ),
                range: Some(range),
                version: None,
            },
            RequestSet::Range(range.from, range.to),
        ))
    };
    Ok((set(comparison, "comparison")?, set(baseline, "baseline")?))
}

/// The current period so far and the whole previous one, in UTC.
fn preset(period: Period, now: DateTime<Utc>) -> (TimeRange, TimeRange) {
    let today = now.date_naive();
    let (start, previous) = match period {
        Period::Day => (today, today - Days::new(1)),
        Period::Week => {
            let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
            (monday, monday - Days::new(7))
        }
        Period::Month => {
            let first = today.with_day(1).unwrap_or(today);
            (first, first - Months::new(1))
        }
    };
    let midnight = |day: chrono::NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
    let start = midnight(start);
    (
        TimeRange {
            from: start,
            to: now.max(start + TimeDelta::seconds(1)),
        },
        TimeRange {
            from: midnight(previous),
            to: start,
        },
    )
}

/// Medians, their difference and Mood's median test of two samples of durations.
fn latency(
    mut comparison: Vec<f64>,
    mut baseline: Vec<f64>,
    sets: (&ReportSet, &ReportSet),
) -> LatencyComparison {
    let test = mood::median_test(&comparison, &baseline);
    let comparison_box = distribution(&mut comparison, &sets.0.label, COMPARISON_COLOUR);
    let baseline_box = distribution(&mut baseline, &sets.1.label, BASELINE_COLOUR);
    let difference_percent = match (&comparison_box, &baseline_box) {
        (Some(comparison), Some(baseline)) if baseline.median_ms > 0.0 => {
            Some((comparison.median_ms - baseline.median_ms) / baseline.median_ms * 100.0)
        }
        _ => None,
    };
    LatencyComparison {
        comparison: comparison_box,
        baseline: baseline_box,
        difference_percent,
        statistic: test.map(|test| test.statistic),
        p_value: test.map(|test| test.p_value),
        significant: test.is_some_and(|test| test.p_value < SIGNIFICANCE),
    }
}

/// A sample's box: p5, quartiles, p95 and p99 (sorts the sample).
fn distribution(sample: &mut [f64], label: &str, colour: [u8; 3]) -> Option<LatencyBox> {
    sample.sort_by(f64::total_cmp);
    latency_box(label.to_owned(), colour, sample.len() as u64, |q| {
        exact_quantile(sample, q)
    })
}

/// Both sets' shares of every status code; significant when both have enough requests and some
/// code's share rose by more than [`STATUS_RISE_POINTS`].
fn status_codes(
    comparison: &BTreeMap<u16, u64>,
    baseline: &BTreeMap<u16, u64>,
) -> StatusComparison {
    let total = |counts: &BTreeMap<u16, u64>| counts.values().sum::<u64>();
    let (comparison_total, baseline_total) = (total(comparison), total(baseline));
    let share = |count: u64, total: u64| {
        if total == 0 {
            0.0
        } else {
            count as f64 / total as f64 * 100.0
        }
    };
    let codes: BTreeSet<u16> = comparison.keys().chain(baseline.keys()).copied().collect();
    let codes: Vec<StatusShare> = codes
        .into_iter()
        .map(|status| {
            let comparison = comparison.get(&status).copied().unwrap_or(0);
            let baseline = baseline.get(&status).copied().unwrap_or(0);
            StatusShare {
                status,
                comparison,
                baseline,
                comparison_percent: share(comparison, comparison_total),
                baseline_percent: share(baseline, baseline_total),
            }
        })
        .collect();
    let enough = comparison_total >= MIN_STATUS_REQUESTS && baseline_total >= MIN_STATUS_REQUESTS;
    let significant = enough
        && codes
            .iter()
            .any(|code| code.comparison_percent - code.baseline_percent > STATUS_RISE_POINTS);
    StatusComparison { codes, significant }
}

/// Compares the newest version with the one before it, once the newest has served
/// `VERSION_COMPARE_REQUESTS` requests, and keeps the outcome for the overview. Does nothing when
/// that pair was compared already.
pub(crate) async fn compare_new_version(store: &Store, config: &Config) -> Result<(), ReportError> {
    // Every minute: a look along the rollups' hour index is all it costs once compared.
    let latest = latest_version_comparison(store).await?;
    if let Some(latest) = &latest
        && store.latest_version().await?.as_ref() == Some(&latest.version)
    {
        return Ok(());
    }
    let versions = store.versions_newest_first().await?;
    let [(version, hits), (baseline, _), ..] = versions.as_slice() else {
        return Ok(());
    };
    if *hits < config.version_compare_requests {
        return Ok(());
    }
    if latest.is_some_and(|latest| latest.version == *version && latest.baseline == *baseline) {
        return Ok(());
    }
    let request = ReportRequest::Versions {
        comparison: version.clone(),
        baseline: baseline.clone(),
    };
    let report = report(store, &request, Utc::now()).await?;
    let comparison = VersionComparison {
        version: version.clone(),
        baseline: baseline.clone(),
        compared_at: Utc::now(),
        regressed: report
            .endpoints
            .iter()
            .filter(|endpoint| endpoint.regressed())
            .map(|endpoint| endpoint.id)
            .collect(),
    };
    tracing::info!(
        version = %comparison.version,
        baseline = %comparison.baseline,
        regressed = comparison.regressed.len(),
        "compared the new version with the previous one"
    );
    let json =
        serde_json::to_string(&comparison).map_err(|error| DbErr::Custom(error.to_string()))?;
    store.set_setting(VERSION_COMPARISON_SETTING, json).await?;
    Ok(())
}

/// The latest automatic comparison of versions, if any.
pub(crate) async fn latest_version_comparison(
    store: &Store,
) -> Result<Option<VersionComparison>, DbErr> {
    Ok(store
        .setting(VERSION_COMPARISON_SETTING)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_run_from_the_utc_start_of_the_period_and_compare_with_the_whole_previous_one() {
        let now: DateTime<Utc> = "2026-11-22T15:30:00Z".parse().unwrap(); // a Sunday
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let (today, yesterday) = preset(Period::Day, now);
        assert_eq!((today.from, today.to), (at("2026-11-22T00:00:00Z"), now));
        assert_eq!(
            (yesterday.from, yesterday.to),
            (at("2026-11-21T00:00:00Z"), at("2026-11-22T00:00:00Z"))
        );
        let (week, last_week) = preset(Period::Week, now);
        assert_eq!(week.from, at("2026-11-16T00:00:00Z"));
        assert_eq!(last_week.from, at("2026-11-09T00:00:00Z"));
        let (month, last_month) = preset(Period::Month, now);
        assert_eq!(month.from, at("2026-11-01T00:00:00Z"));
        assert_eq!(
            (last_month.from, last_month.to),
            (at("2026-10-01T00:00:00Z"), at("2026-11-01T00:00:00Z"))
        );
    }

    #[test]
    fn a_status_code_rising_more_than_three_points_is_significant_with_enough_requests() {
        let counts = |ok: u64, failed: u64| BTreeMap::from([(200, ok), (500, failed)]);
        let rose = status_codes(&counts(90, 10), &counts(95, 5));
        assert!(rose.significant);
        assert_eq!(rose.codes[1].status, 500);
        assert!((rose.codes[1].comparison_percent - 10.0).abs() < 1e-9);
        assert!(
            !status_codes(&counts(97, 3), &counts(100, 0)).significant,
            "3 points"
        );
        assert!(
            !status_codes(&counts(18, 10), &counts(95, 5)).significant,
            "28 requests"
        );
        // Any code counts, as in the reference: fewer errors means more 200s.
        assert!(status_codes(&counts(95, 5), &counts(90, 10)).significant);
        assert!(!status_codes(&counts(90, 10), &counts(90, 10)).significant);
    }
}
