//! Daily utilisation: requests per day, stacked by endpoint.

use dashboard_shared::DailyUtilization;
use leptos::prelude::*;

use crate::api;
use crate::components::chart_page::ChartPage;

/// The stacked bars with their date range and an SVG download.
#[component]
pub fn DailyUtilizationPage() -> impl IntoView {
    view! {
        <ChartPage title="Daily utilization" filename="daily-utilization.svg" fetch=api::daily_utilization download=api::daily_utilization_svg_url render=|utilization| view! { <StackedBars utilization /> } />
    }
}

/// The chart, drawn by the same code as the download, and its numbers.
#[component]
fn StackedBars(utilization: DailyUtilization) -> impl IntoView {
    let svg = dashboard_shared::charts::daily_utilization_svg(&utilization);
    let header = utilization
        .days
        .iter()
        .map(|day| view! { <th>{day.clone()}</th> })
        .collect_view();
    let rows = utilization
        .endpoints
        .iter()
        .map(|series| {
            let cells = series
                .hits
                .iter()
                .zip(&utilization.days)
                .map(|(hits, day)| view! { <td data-endpoint=series.endpoint.clone() data-day=day.clone() data-hits=*hits>{*hits}</td> })
                .collect_view();
            view! { <tr><th>{series.endpoint.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="card">
            <p class="hint">{format!("Days in {}", utilization.timezone)}</p>
            <div id="daily-utilization-chart" inner_html=svg></div>
            <div class="table-wrap">
                <table id="daily-utilization-table">
                    <thead><tr><th>"Endpoint"</th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
