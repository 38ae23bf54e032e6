//! The frame of every application chart page: the menu, a title, the range of days, and the
//! chart's card.

use dashboard_shared::ChartQuery;
use dashboard_shared::api::{NoBody, Route};
use leptos::prelude::*;

use crate::components::chart::{ChartCard, DayRange, DayRangeInputs, Selection};
use crate::components::nav::Nav;

/// A page with one chart over days, loaded from the API route `route`.
#[component]
pub(crate) fn ChartPage<R, V>(
    name: &'static str,
    title: &'static str,
    route: R,
    render: fn(R::Response, Selection) -> V,
) -> impl IntoView
where
    R: Route<Query = ChartQuery, Body = NoBody> + Copy + Send + Sync + 'static,
    R::Response: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
{
    DayRange::provide();
    view! {
        <Nav />
        <main>
            <h1>{title}</h1>
            <DayRangeInputs />
            <ChartCard name title route render />
        </main>
    }
}
