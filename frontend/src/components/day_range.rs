//! The controls of a chart over days: a first and a last day, and the SVG download.

use leptos::prelude::*;

/// Date inputs writing into `from` and `to` (`YYYY-MM-DD`, empty for the server's default), and
/// a link to download the chart.
#[component]
pub fn DayRangeControls(
    from: RwSignal<String>,
    to: RwSignal<String>,
    download: Signal<String>,
    filename: &'static str,
) -> impl IntoView {
    view! {
        <div class="table-controls">
            <label>"From "<input id="from" type="date" on:change=move |ev| from.set(event_target_value(&ev)) /></label>
            <label>"To "<input id="to" type="date" on:change=move |ev| to.set(event_target_value(&ev)) /></label>
            <a id="download-svg" href=download download=filename>"Download SVG"</a>
        </div>
    }
}
