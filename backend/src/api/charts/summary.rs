//! The overview's header: the whole application's requests, errors and latency quantiles over a
//! range of days and over as many days before it, with a point per hour (one day) or per day for
//! the sparklines. Requests and errors come from the hourly rollups, the quantiles from the daily
//! latency histograms: the cost grows with hours and days, not with requests.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{AppSummary, ChartQuery, ErrorBody, SummaryFigures, SummaryPoint};

use super::{HourWindow, LocalDays};
use crate::api::extract::ApiQuery;
use crate::api::session::Session;
use crate::api::{Answer, ApiError, ApiState, QueryOf};
use crate::histogram;
use crate::store::load::HourActivity;

/// The whole application's requests, error ratio, median, p95 and p99 over a range of days
/// (default the last 7) and over as many days just before it; or over the last `hours` and as
/// many before them (requests and errors only).
#[utoipa::path(
    get,
    path = routes::ApplicationSummary::PATH,
    tag = "read",
    security(("session" = [])),
    params(ChartQuery),
    responses(
        (status = 200, body = AppSummary),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)
    )
)]
pub(crate) async fn summary(
    State(state): State<ApiState>,
    _session: Session,
    ApiQuery(query): QueryOf<routes::ApplicationSummary>,
) -> Answer<routes::ApplicationSummary> {
    let state = state.for_instance(query.instance);
    if let Some(window) = HourWindow::of(&query, Utc::now())? {
        return Ok(Json(hour_summary(&state, window).await?));
    }
    let days = LocalDays::new(&query, state.config.timezone)?;
    let previous = days.before();
    let (first, last) = (previous.span().0, days.span().1);
    let hours = state
        .store
        .activity_per_hour(previous.start, days.end, None)
        .await?;
    let latency: BTreeMap<NaiveDate, Vec<(i32, u64)>> = state
        .store
        .latency_per_day(first, last)
        .await?
        .into_iter()
        .collect();
    let (from, to) = days.bounds();
    Ok(Json(AppSummary {
        from,
        to,
        current: figures(&days, &hours, &latency),
        previous: figures(&previous, &hours, &latency),
        points: points(&days, &hours, &latency),
    }))
}

/// The summary of the last hours: requests and errors per hour; no quantiles (the histograms
/// are kept per day).
async fn hour_summary(state: &ApiState, window: HourWindow) -> Result<AppSummary, ApiError> {
    let previous = window.before();
    let hours = state
        .store
        .activity_per_hour(previous.start, window.end, None)
        .await?;
    let within = |from: DateTime<Utc>, to: DateTime<Utc>| {
        measured(
            hours
                .iter()
                .filter(move |hour| hour.hour >= from && hour.hour < to),
            std::iter::empty(),
        )
    };
    let points = (0..window.hours())
        .map(|step| {
            let from = window.start + TimeDelta::hours(step);
            SummaryPoint {
                start: from,
                figures: within(from, next(from)),
            }
        })
        .collect();
    let label = |time: DateTime<Utc>| time.format("%Y-%m-%d %H:%M UTC").to_string();
    Ok(AppSummary {
        from: label(window.start),
        to: label(window.end),
        current: within(window.start, window.end),
        previous: within(previous.start, previous.end),
        points,
    })
}

/// The figures of `days`, from the hours and daily histograms that cover them.
fn figures(
    days: &LocalDays,
    hours: &[HourActivity],
    latency: &BTreeMap<NaiveDate, Vec<(i32, u64)>>,
) -> SummaryFigures {
    let (start, end) = days.instants();
    let (first, last) = days.span();
    let histograms = latency.range(first..=last).map(|(_, buckets)| buckets);
    measured(
        hours
            .iter()
            .filter(|hour| hour.hour >= start && hour.hour < end),
        histograms,
    )
}

/// Requests and errors of `hours`, quantiles of the `histograms` merged.
fn measured<'a>(
    hours: impl Iterator<Item = &'a HourActivity>,
    histograms: impl Iterator<Item = &'a Vec<(i32, u64)>>,
) -> SummaryFigures {
    let (requests, errors) = hours.fold((0, 0), |(requests, errors), hour| {
        (requests + hour.requests, errors + hour.errors)
    });
    let mut merged: BTreeMap<i32, u64> = BTreeMap::new();
    for (bucket, count) in histograms.flatten() {
        *merged.entry(*bucket).or_default() += count;
    }
    let buckets: Vec<(i32, u64)> = merged.into_iter().collect();
    SummaryFigures {
        requests,
        errors,
        median_ms: histogram::quantile(&buckets, 0.5),
        p95_ms: histogram::quantile(&buckets, 0.95),
        p99_ms: histogram::quantile(&buckets, 0.99),
    }
}

/// A point per hour of a single day (without quantiles: the histograms are per day), else a
/// point per day.
fn points(
    days: &LocalDays,
    hours: &[HourActivity],
    latency: &BTreeMap<NaiveDate, Vec<(i32, u64)>>,
) -> Vec<SummaryPoint> {
    let (start, end) = days.instants();
    if days.days.len() == 1 {
        let steps = (end - start).num_hours().max(1);
        return (0..steps)
            .map(|step| {
                let from = start + TimeDelta::hours(step);
                let within = |hour: &&HourActivity| hour.hour >= from && hour.hour < next(from);
                SummaryPoint {
                    start: from,
                    figures: measured(hours.iter().filter(within), std::iter::empty()),
                }
            })
            .collect();
    }
    days.days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let on_day = |hour: &&HourActivity| {
                days.locate(hour.hour)
                    .is_some_and(|(located, _)| located == index)
            };
            SummaryPoint {
                start: super::local_midnight(days.zone, *day),
                figures: measured(hours.iter().filter(on_day), latency.get(day).into_iter()),
            }
        })
        .collect()
}

/// The start of the hour after `hour`.
fn next(hour: DateTime<Utc>) -> DateTime<Utc> {
    hour + TimeDelta::hours(1)
}
