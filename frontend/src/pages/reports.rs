//! The reporting page: compares every endpoint between two sets of requests (today against
//! yesterday and the like, two ranges of days, or two versions), with the two latency
//! distributions side by side, Mood's median test and the status codes' shares.

use chrono::{Days, NaiveDate};
use dashboard_shared::dom;
use dashboard_shared::page_query;
use dashboard_shared::{
    BoxPlots, EndpointReport, LatencyBox, Period, Report, ReportRequest, StatusComparison,
    TimeRange, VersionRequests,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::app::SessionState;
use crate::components::chart_svg::ChartSvg;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::url_state::UrlParam;

/// The report being made or shown.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Running,
    Done(Report),
    Failed(String),
}

/// The choices of sets and the report they gave.
#[component]
pub(crate) fn ReportsPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let outcome = RwSignal::new(None::<Outcome>);
    // The report asked for lives in the address (as JSON), so that a link reruns it.
    let asked = UrlParam::new(page_query::REPORT);
    let request = Memo::new(move |_| {
        asked
            .get()
            .and_then(|json| serde_json::from_str::<ReportRequest>(&json).ok())
    });
    let fetch = move |request: ReportRequest| {
        outcome.set(Some(Outcome::Running));
        spawn_local(async move {
            let result = session
                .with_csrf(|token| async move { api::report(&token, &request).await })
                .await;
            outcome.set(Some(match result {
                Ok(report) => Outcome::Done(report),
                Err(failure) => Outcome::Failed(failure.message()),
            }));
        });
    };
    Effect::new(move |_| {
        if let Some(request) = request.get() {
            fetch(request);
        }
    });
    // Asking again for the report shown runs it again; another one goes into the address.
    let run = move |wanted: ReportRequest| {
        if request.get_untracked().as_ref() == Some(&wanted) {
            fetch(wanted);
        } else {
            asked.set(serde_json::to_string(&wanted).ok());
        }
    };
    let versions = live_resource(move || async move {
        session.current().await?;
        api::report_versions().await
    });
    view! {
        <Nav />
        <main>
            <h1>"Reports"</h1>
            <section class="card report-choices">
                <h2>"Compare"</h2>
                <div class="inline-form">
                    <h3>"This period so far against the whole previous one (UTC)"</h3>
                    <button id=dom::PRESET_DAY on:click=move |_| run(ReportRequest::Preset { period: Period::Day })>"Today vs yesterday"</button>
                    <button id=dom::PRESET_WEEK on:click=move |_| run(ReportRequest::Preset { period: Period::Week })>"This week vs last week"</button>
                    <button id=dom::PRESET_MONTH on:click=move |_| run(ReportRequest::Preset { period: Period::Month })>"This month vs last month"</button>
                </div>
                <IntervalsForm run outcome />
                <Loaded resource=versions ok=move |versions| view! { <VersionsForm versions run /> }.into_any() />
            </section>
            {move || outcome.get().map(|outcome| view! { <ReportView outcome /> })}
        </main>
    }
}

/// Two ranges of days in UTC, the last day included.
#[component]
fn IntervalsForm(
    run: impl Fn(ReportRequest) + Copy + 'static,
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let days = [(); 4].map(|()| RwSignal::new(String::new()));
    let [comparison_from, comparison_to, baseline_from, baseline_to] = days;
    let compare = move |_| {
        let range =
            |from: RwSignal<String>, to: RwSignal<String>| day_range(&from.get(), &to.get());
        match (
            range(comparison_from, comparison_to),
            range(baseline_from, baseline_to),
        ) {
            (Some(comparison), Some(baseline)) => run(ReportRequest::Intervals {
                comparison,
                baseline,
            }),
            _ => outcome.set(Some(Outcome::Failed(
                "Choose the first and the last day of both ranges.".to_owned(),
            ))),
        }
    };
    let input = |id: &'static str, day: RwSignal<String>| {
        view! { <input id=id type="date" on:change=move |ev| day.set(event_target_value(&ev)) /> }
    };
    view! {
        <div class="inline-form">
            <h3>"Two ranges of days (UTC, last day included)"</h3>
            <label>"Comparison "{input("comparison-from", comparison_from)}" – "{input("comparison-to", comparison_to)}</label>
            <label>"Baseline "{input("baseline-from", baseline_from)}" – "{input("baseline-to", baseline_to)}</label>
            <button id=dom::COMPARE_INTERVALS on:click=compare>"Compare ranges"</button>
        </div>
    }
}

/// `[from's midnight, the midnight after to)` in UTC, for `YYYY-MM-DD` days.
fn day_range(from: &str, to: &str) -> Option<TimeRange> {
    let from: NaiveDate = from.parse().ok()?;
    let after: NaiveDate = to
        .parse::<NaiveDate>()
        .ok()?
        .checked_add_days(Days::new(1))?;
    Some(TimeRange {
        from: from.and_hms_opt(0, 0, 0)?.and_utc(),
        to: after.and_hms_opt(0, 0, 0)?.and_utc(),
    })
}

/// Two versions; by default the newest against the one before it.
#[component]
fn VersionsForm(
    versions: Vec<VersionRequests>,
    run: impl Fn(ReportRequest) + Copy + 'static,
) -> impl IntoView {
    let name = |index: usize| {
        versions
            .get(index)
            .map(|v| v.version.clone())
            .unwrap_or_default()
    };
    let comparison = RwSignal::new(name(0));
    let baseline = RwSignal::new(name(1));
    let select = |id: &'static str, chosen: RwSignal<String>| {
        let options = versions
            .iter()
            .map(|v| {
                let selected = v.version == chosen.get_untracked();
                view! {
                    <option value=v.version.clone() selected=selected>
                        {format!("{} ({} requests)", v.version, v.requests)}
                    </option>
                }
            })
            .collect_view();
        view! { <select id=id on:change=move |ev| chosen.set(event_target_value(&ev))>{options}</select> }
    };
    let compare = move |_| {
        run(ReportRequest::Versions {
            comparison: comparison.get(),
            baseline: baseline.get(),
        })
    };
    view! {
        <div class="inline-form">
            <h3>"Two versions, over all their requests"</h3>
            <label>"Comparison "{select("comparison-version", comparison)}</label>
            <label>"Baseline "{select("baseline-version", baseline)}</label>
            <button id=dom::COMPARE_VERSIONS on:click=compare disabled=versions.len() < 2>"Compare versions"</button>
        </div>
    }
}

/// The report, with the "significant only" toggle.
#[component]
fn ReportView(outcome: Outcome) -> impl IntoView {
    let report = match outcome {
        Outcome::Running => return view! { <p id=dom::REPORT_RUNNING>"Comparing…"</p> }.into_any(),
        Outcome::Failed(message) => {
            return view! { <p class="error" id=dom::REPORT_ERROR>{message}</p> }.into_any();
        }
        Outcome::Done(report) => report,
    };
    let only_significant = UrlParam::new(page_query::SIGNIFICANT);
    let significant_only = Signal::derive(move || only_significant.get().is_some());
    let endpoints = StoredValue::new(report.endpoints);
    let shown = move || {
        endpoints.with_value(|endpoints| {
            endpoints
                .iter()
                .filter(|endpoint| !significant_only.get() || endpoint.significant())
                .map(|endpoint| view! { <EndpointCard endpoint=endpoint.clone() /> })
                .collect_view()
        })
    };
    let significant = endpoints.with_value(|endpoints| {
        endpoints
            .iter()
            .filter(|endpoint| endpoint.significant())
            .count()
    });
    let total = endpoints.with_value(Vec::len);
    view! {
        <section class="card" id=dom::REPORT data-endpoints=total data-significant=significant>
            <h2>{format!("{} against {}", report.comparison.label, report.baseline.label)}</h2>
            <p class="hint">
                {format!("{total} endpoints with requests in either set, {significant} with a significant change. ")}
                "Latency: Mood's median test on up to 500 requests per set drawn at random, p < 0.05. "
                "Status codes: both sets have at least 30 requests and a code's share rose by more than 3 points."
            </p>
            <label><input id=dom::SIGNIFICANT_ONLY type="checkbox" prop:checked=significant_only
                on:change=move |ev| only_significant.set(event_target_checked(&ev).then(|| "1".to_owned())) />" Significant only"</label>
        </section>
        {shown}
    }
    .into_any()
}

/// One endpoint: its medians and test, the two distributions side by side, and the codes.
#[component]
fn EndpointCard(endpoint: EndpointReport) -> impl IntoView {
    let (regressed, significant) = (endpoint.regressed(), endpoint.significant());
    let latency = &endpoint.latency;
    let verdict = match (regressed, latency.significant) {
        (true, _) => "significantly slower",
        (false, true) => "significantly faster",
        (false, false) => "no significant latency change",
    };
    let difference = latency
        .difference_percent
        .map_or_else(|| "–".to_owned(), |d| format!("{d:+.1} %"));
    let p_value = latency
        .p_value
        .map_or_else(|| "–".to_owned(), |p| format!("{p:.4}"));
    let figure_of = |side: &Option<dashboard_shared::LatencyBox>, of: fn(&LatencyBox) -> f64| {
        side.as_ref()
            .map_or_else(|| "–".to_owned(), |b| format!("{:.1} ms", of(b)))
    };
    let compared = |of: fn(&LatencyBox) -> f64| {
        format!(
            "{} against {}",
            figure_of(&latency.comparison, of),
            figure_of(&latency.baseline, of)
        )
    };
    let boxes: Vec<_> = [&latency.comparison, &latency.baseline]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let figure = (!boxes.is_empty()).then(|| {
        let plots = BoxPlots {
            from: String::new(),
            to: String::new(),
            boxes,
            choices: Vec::new(),
        };
        view! { <ChartSvg chart=plots /> }
    });
    view! {
        <section
            class="card report-endpoint"
            data-endpoint=endpoint.name.clone()
            data-regressed=regressed.to_string()
            data-significant=significant.to_string()
            data-difference=latency.difference_percent.unwrap_or_default()
            data-p-value=latency.p_value.unwrap_or(1.0)
        >
            <div class="card-title">
                <h2>{endpoint.name.clone()}</h2>
                <span class=if regressed { "badge regressed" } else { "badge" }>{verdict}</span>
                {endpoint.status_codes.significant.then(|| view! { <span class="badge regressed">"status codes changed"</span> })}
            </div>
            <dl class="details">
                <dt>"Requests"</dt><dd>{format!("{} against {}", endpoint.comparison_requests, endpoint.baseline_requests)}</dd>
                <dt>"Median"</dt><dd>{compared(|b| b.median_ms)}</dd>
                <dt>"p95"</dt><dd>{compared(|b| b.p95_ms)}</dd>
                <dt>"p99"</dt><dd class="p99">{compared(|b| b.p99_ms)}</dd>
                <dt>"Difference"</dt><dd class="difference">{difference}</dd>
                <dt>"Mood's median test"</dt><dd class="p-value">{format!("p = {p_value}")}</dd>
            </dl>
            {figure}
            <StatusShares codes=endpoint.status_codes />
        </section>
    }
}

/// Each status code's share of the two sets.
#[component]
fn StatusShares(codes: StatusComparison) -> impl IntoView {
    let rows = codes
        .codes
        .into_iter()
        .map(|share| {
            view! {
                <tr data-status=share.status data-comparison=share.comparison_percent data-baseline=share.baseline_percent>
                    <td>{share.status}</td>
                    <td>{format!("{:.1} % ({})", share.comparison_percent, share.comparison)}</td>
                    <td>{format!("{:.1} % ({})", share.baseline_percent, share.baseline)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="status-shares">
            <thead><tr><th>"Status"</th><th>"Comparison"</th><th>"Baseline"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_days_ends_at_the_midnight_after_its_last_day() {
        let range = day_range("2026-11-01", "2026-11-07").unwrap();
        assert_eq!(range.from.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(range.to.to_rfc3339(), "2026-11-08T00:00:00+00:00");
        assert_eq!(day_range("", "2026-11-07"), None);
    }
}
