//! Daily utilisation: requests per day, stacked by endpoint.

use dashboard_shared::DailyUtilization;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::day_range::DayRangeControls;
use crate::components::nav::Nav;

/// The stacked bars with their date range and an SVG download.
#[component]
pub fn DailyUtilizationPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let utilization = LocalResource::new(move || {
        let range = (from.get(), to.get());
        async move {
            session.current().await?;
            api::daily_utilization(&range.0, &range.1).await
        }
    });
    let download = move || api::daily_utilization_svg_url(&from.get(), &to.get());
    view! {
        <Nav />
        <main>
            <h1>"Daily utilization"</h1>
            <DayRangeControls from to download=Signal::derive(download) filename="daily-utilization.svg" />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    utilization
                        .get()
                        .map(|result| match result {
                            Ok(utilization) => view! { <StackedBars utilization /> }.into_any(),
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
