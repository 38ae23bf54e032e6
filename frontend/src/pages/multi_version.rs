//! The multi-version heatmap: how each version's requests divide among the endpoints.

use dashboard_shared::MultiVersionChart;
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::components::chart_page::ChartPage;
use crate::components::figures::VersionHeatmap;

/// The heatmap with its range of days, its choice of versions and downloads.
#[component]
pub(crate) fn MultiVersionPage() -> impl IntoView {
    view! {
        <ChartPage page=Page::MultiVersion route=MultiVersionChart
            render=|utilization, selection| view! { <VersionHeatmap utilization versions=selection.versions endpoints=selection.endpoints /> } />
    }
}
