//! The overview's header: the whole application's requests, error ratio, median, p95 and p99
//! over the page's range of days, each with its change against the period just before and a
//! sparkline (per hour for a range of one day, else per day).

use dashboard_shared::api::ApplicationSummary;
use dashboard_shared::dom;
use dashboard_shared::{AppSummary, Figure};
use leptos::prelude::*;

use crate::api;
use crate::app::SessionState;
use crate::components::chart::DayRange;
use crate::components::loaded::{Loaded, live_resource};
use crate::time::duration;

/// Size of a sparkline, in CSS pixels.
const SPARK_WIDTH: f64 = 140.0;
const SPARK_HEIGHT: f64 = 32.0;

/// A figure's value as the tile shows it.
fn shown(figure: Figure, value: f64) -> String {
    match figure {
        Figure::Requests => format!("{value:.0}"),
        Figure::ErrorRatio => format!("{value:.1} %"),
        Figure::Median | Figure::P95 | Figure::P99 => duration(value),
    }
}

/// The change from `before` to `now`: in points or percent; `None` when either is missing
/// (or, in percent, when there was nothing before).
fn change(now: Option<f64>, before: Option<f64>, in_points: bool) -> Option<String> {
    let (now, before) = (now?, before?);
    if in_points {
        return Some(format!("{:+.1} points", now - before));
    }
    (before > 0.0).then(|| format!("{:+.0} %", (now - before) / before * 100.0))
}

/// The points of a sparkline through `values` (missing ones leave a gap in the x axis but are
/// not drawn), from the lowest at the bottom to the highest at the top.
fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let high = known.iter().copied().fold(0.0, f64::max);
    let step = SPARK_WIDTH / values.len().saturating_sub(1).max(1) as f64;
    values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| {
            let value = (*value)?;
            let y = if high > 0.0 { value / high } else { 0.0 };
            Some(format!(
                "{:.1},{:.1}",
                index as f64 * step,
                SPARK_HEIGHT - 2.0 - y * (SPARK_HEIGHT - 4.0)
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The header, loaded for the page's range of days.
#[component]
pub(crate) fn SummaryHeader() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let range = expect_context::<DayRange>();
    let summary = live_resource(move || {
        let query = range.query();
        async move {
            session.current().await?;
            api::chart::<ApplicationSummary>(None, query).await
        }
    });
    view! { <Loaded resource=summary ok=|summary| view! { <Tiles summary /> } /> }
}

#[component]
fn Tiles(summary: AppSummary) -> impl IntoView {
    let tiles = Figure::ALL
        .into_iter()
        .map(|figure| {
            let now = figure.of(&summary.current);
            let before = figure.of(&summary.previous);
            let series: Vec<Option<f64>> = summary
                .points
                .iter()
                .map(|point| figure.of(&point.figures))
                .collect();
            let value = now.map_or_else(|| "–".to_owned(), |now| shown(figure, now));
            // A ratio changes by points, the others by percent.
            let changed = change(now, before, figure == Figure::ErrorRatio)
                .map(|change| format!("{change} against the period before"))
                .unwrap_or_else(|| "nothing to compare with".to_owned());
            let line = sparkline(&series);
            let drawn = (series.iter().flatten().count() > 1).then(|| {
                view! {
                    <svg class="sparkline" viewBox=format!("0 0 {SPARK_WIDTH} {SPARK_HEIGHT}")
                        width=SPARK_WIDTH height=SPARK_HEIGHT role="img"
                        aria-label=format!("{} over the range", figure.title())>
                        <polyline points=line fill="none" stroke="currentColor" stroke-width="1.5" />
                    </svg>
                }
            });
            view! {
                <div class="tile" data-figure=figure.key() data-value=now.map(|v| format!("{v:.3}")).unwrap_or_default()>
                    <div class="tile-title">{figure.title()}</div>
                    <div class="tile-value">{value}</div>
                    <div class="tile-change hint">{changed}</div>
                    {drawn}
                </div>
            }
        })
        .collect_view();
    view! {
        <section id=dom::SUMMARY class="summary" aria-label=format!("The application from {} to {}", summary.from, summary.to)>
            {tiles}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_told_in_percent_or_points() {
        assert_eq!(
            change(Some(150.0), Some(100.0), false).as_deref(),
            Some("+50 %")
        );
        assert_eq!(
            change(Some(2.5), Some(4.0), true).as_deref(),
            Some("-1.5 points")
        );
        assert_eq!(change(Some(3.0), Some(0.0), false), None, "nothing before");
        assert_eq!(change(None, Some(1.0), false), None);
    }

    #[test]
    fn sparklines_run_from_the_lowest_to_the_highest_value() {
        assert_eq!(
            sparkline(&[Some(0.0), None, Some(10.0)]),
            "0.0,30.0 140.0,2.0"
        );
    }
}
