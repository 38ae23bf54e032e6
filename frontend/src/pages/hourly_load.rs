//! The hourly-load heatmap: requests per hour of the day, per day, for a range of days.

use dashboard_shared::HourlyLoad;
use leptos::prelude::*;

use crate::api;
use crate::components::chart_page::ChartPage;

/// The heatmap with its date range and an SVG download.
#[component]
pub fn HourlyLoadPage() -> impl IntoView {
    view! {
        <ChartPage title="Hourly load" filename="hourly-load.svg" fetch=api::hourly_load download=api::hourly_load_svg_url render=|load| view! { <Heatmap load /> } />
    }
}

/// The chart, drawn by the same code as the download, and its numbers for screen readers.
#[component]
fn Heatmap(load: HourlyLoad) -> impl IntoView {
    let svg = dashboard_shared::charts::hourly_load_svg(&load);
    let rows = load
        .days
        .iter()
        .zip(&load.counts)
        .map(|(day, counts)| {
            let cells = counts
                .iter()
                .enumerate()
                .map(|(hour, count)| view! { <td data-day=day.clone() data-hour=hour data-count=*count>{*count}</td> })
                .collect_view();
            view! { <tr><th>{day.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="card">
            <p class="hint">{format!("Times in {}", load.timezone)}</p>
            <div id="hourly-load-chart" inner_html=svg></div>
            <details>
                <summary>"Numbers"</summary>
                <div class="table-wrap">
                    <table id="hourly-load-table">
                        <thead><tr><th>"Day"</th>{(0..24).map(|hour| view! { <th>{format!("{hour:02}")}</th> }).collect_view()}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}
