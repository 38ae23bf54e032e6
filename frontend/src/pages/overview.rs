//! The overview page: one row per endpoint with hits, errors and medians.

use dashboard_shared::OverviewRow;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::nav::Nav;

/// Loads the session and the overview; sends visitors without a session to the login page.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let rows = LocalResource::new(move || async move {
        session.current().await?;
        api::overview().await
    });
    view! {
        <Nav />
        <main>
            <h1>"Overview"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    rows.get()
                        .map(|result| match result {
                            Ok(rows) => view! { <OverviewTable rows /> }.into_any(),
                            Err(ApiFailure::Unauthorized(_)) => view! { <Redirect path="/login" /> }.into_any(),
                            Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </main>
    }
}

/// A duration with the precision it deserves: `850 µs`, `12.3 ms`, `1450 ms`.
fn median(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(ms) if ms < 1.0 => format!("{:.0} µs", ms * 1000.0),
        Some(ms) if ms < 100.0 => format!("{ms:.1} ms"),
        Some(ms) => format!("{ms:.0} ms"),
    }
}

/// The cell class of an error count: highlighted only when there are errors.
fn error_class(kind: &str, count: u64) -> String {
    if count > 0 {
        format!("{kind} has-errors")
    } else {
        kind.to_owned()
    }
}

/// The table of endpoints.
#[component]
fn OverviewTable(rows: Vec<OverviewRow>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr data-endpoint=row.name.clone()>
                    <td class="name">{row.name.clone()}</td>
                    <td class="level">{row.monitor_level}</td>
                    <td class="hits-today">{row.hits_today}</td>
                    <td class="hits-week">{row.hits_week}</td>
                    <td class="hits-overall">{row.hits_overall}</td>
                    <td class=error_class("errors-today", row.errors_today)>{row.errors_today}</td>
                    <td class=error_class("errors-week", row.errors_week)>{row.errors_week}</td>
                    <td class=error_class("errors-overall", row.errors_overall)>{row.errors_overall}</td>
                    <td class="median-today">{median(row.median_today_ms)}</td>
                    <td class="median-week">{median(row.median_week_ms)}</td>
                    <td class="median-overall">{median(row.median_overall_ms)}</td>
                    <td class="last-requested">
                        {row.last_requested.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_default()}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
        <table id="overview">
            <thead>
                <tr>
                    <th>"Endpoint"</th>
                    <th>"Level"</th>
                    <th>"Hits today"</th>
                    <th>"Hits 7 days"</th>
                    <th>"Hits overall"</th>
                    <th>"Errors today"</th>
                    <th>"Errors 7 days"</th>
                    <th>"Errors overall"</th>
                    <th>"Median today"</th>
                    <th>"Median 7 days"</th>
                    <th>"Median overall"</th>
                    <th>"Last requested"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_are_shown_with_a_fitting_unit() {
        assert_eq!(median(None), "–");
        assert_eq!(median(Some(0.0421)), "42 µs");
        assert_eq!(median(Some(12.345)), "12.3 ms");
        assert_eq!(median(Some(1450.2)), "1450 ms");
        assert_eq!(error_class("errors-today", 0), "errors-today");
        assert_eq!(error_class("errors-today", 2), "errors-today has-errors");
    }
}
