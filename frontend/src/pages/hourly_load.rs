//! The hourly-load heatmap of the application: requests per hour of the day, per day.

use dashboard_shared::HourlyLoadChart;
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::components::chart_page::ChartPage;
use crate::components::figures::Heatmap;

/// The heatmap with its range of days and downloads.
#[component]
pub(crate) fn HourlyLoadPage() -> impl IntoView {
    view! {
        <ChartPage page=Page::HourlyLoad route=HourlyLoadChart render=|load, _| view! { <Heatmap load name="hourly-load" /> } />
    }
}
