//! API performance: a latency box plot per endpoint over a range of days.

use dashboard_shared::ApiPerformance;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::day_range::DayRangeControls;
use crate::components::nav::Nav;

/// The box plots with their date range and an SVG download.
#[component]
pub fn ApiPerformancePage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let performance = LocalResource::new(move || {
        let range = (from.get(), to.get());
        async move {
            session.current().await?;
            api::api_performance(&range.0, &range.1).await
        }
    });
    let download = move || api::api_performance_svg_url(&from.get(), &to.get());
    view! {
        <Nav />
        <main>
            <h1>"API performance"</h1>
            <DayRangeControls from to download=Signal::derive(download) filename="api-performance.svg" />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    performance
                        .get()
                        .map(|result| match result {
                            Ok(performance) => view! { <BoxPlots performance /> }.into_any(),
                            Err(ApiFailure::Unauthorized(_)) => view! { <Redirect path="/login" /> }.into_any(),
                            Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </main>
    }
}

/// The chart, drawn by the same code as the download, and its numbers.
#[component]
fn BoxPlots(performance: ApiPerformance) -> impl IntoView {
    let svg = dashboard_shared::charts::api_performance_svg(&performance);
    let rows = performance
        .endpoints
        .iter()
        .map(|latency| {
            view! {
                <tr data-endpoint=latency.endpoint.clone() data-median=latency.median_ms data-count=latency.count>
                    <td>{latency.endpoint.clone()}</td>
                    <td>{latency.count}</td>
                    <td>{format!("{:.1}", latency.p5_ms)}</td>
                    <td>{format!("{:.1}", latency.q1_ms)}</td>
                    <td>{format!("{:.1}", latency.median_ms)}</td>
                    <td>{format!("{:.1}", latency.q3_ms)}</td>
                    <td>{format!("{:.1}", latency.p95_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <p class="hint">{format!("{} to {}; quantiles within 2 % of the exact values", performance.from, performance.to)}</p>
            <div id="api-performance-chart" inner_html=svg></div>
            <div class="table-wrap">
                <table id="api-performance-table">
                    <thead>
                        <tr>
                            <th>"Endpoint"</th><th>"Requests"</th><th>"p5 (ms)"</th><th>"Q1 (ms)"</th>
                            <th>"Median (ms)"</th><th>"Q3 (ms)"</th><th>"p95 (ms)"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
