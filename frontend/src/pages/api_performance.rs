//! API performance: a latency box plot per endpoint over a range of days.

use dashboard_shared::ApiPerformanceChart;
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::components::chart_page::ChartPage;
use crate::components::figures::BoxPlotFigure;

/// The box plots with their range of days and downloads.
#[component]
pub(crate) fn ApiPerformancePage() -> impl IntoView {
    view! {
        <ChartPage page=Page::ApiPerformance route=ApiPerformanceChart
            render=|plots, selection| view! { <BoxPlotFigure plots name="api-performance" of="Endpoint" choose=("Endpoints", selection.endpoints) hint="quantiles within 1.5 % of the exact values" /> } />
    }
}
