//! Daily utilisation: requests per day, stacked by endpoint.

use dashboard_shared::DailyUtilizationChart;
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::components::chart_page::ChartPage;
use crate::components::figures::StackedBars;

/// The stacked bars with their range of days and downloads.
#[component]
pub(crate) fn DailyUtilizationPage() -> impl IntoView {
    view! {
        <ChartPage page=Page::DailyUtilization route=DailyUtilizationChart render=|utilization, selection| view! { <StackedBars utilization chosen=selection.endpoints /> } />
    }
}
