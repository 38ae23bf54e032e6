//! The hourly-load heatmap: requests per hour of the day, per day, for a range of days.

use dashboard_shared::HourlyLoad;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::day_range::DayRangeControls;
use crate::components::nav::Nav;

/// The heatmap with its date range and an SVG download.
#[component]
pub fn HourlyLoadPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let load = LocalResource::new(move || {
        let range = (from.get(), to.get());
        async move {
            session.current().await?;
            api::hourly_load(&range.0, &range.1).await
        }
    });
    let download = move || api::hourly_load_svg_url(&from.get(), &to.get());
    view! {
        <Nav />
        <main>
            <h1>"Hourly load"</h1>
            <DayRangeControls from to download=Signal::derive(download) filename="hourly-load.svg" />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    load.get()
                        .map(|result| match result {
                            Ok(load) => view! { <Heatmap load /> }.into_any(),
                            Err(ApiFailure::Unauthorized(_)) => view! { <Redirect path="/login" /> }.into_any(),
                            Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </main>
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
