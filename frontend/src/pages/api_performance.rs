//! API performance: a latency box plot per endpoint over a range of days.

use dashboard_shared::ApiPerformance;
use leptos::prelude::*;

use crate::api;
use crate::components::chart_page::ChartPage;

/// The box plots with their date range and an SVG download.
#[component]
pub fn ApiPerformancePage() -> impl IntoView {
    view! {
        <ChartPage title="API performance" filename="api-performance.svg" fetch=api::api_performance download=api::api_performance_svg_url render=|performance| view! { <BoxPlots performance /> } />
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
