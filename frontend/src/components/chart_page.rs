//! The frame of every application chart page: the menu, a title, the range of days, and the
//! chart's card.

use dashboard_shared::ChartQuery;
use dashboard_shared::api::{NoBody, Route};
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::components::chart::{ChartCard, DayRange, DayRangeInputs, Selection};
use crate::components::nav::Nav;

/// The page `page` with one chart over days, loaded from the API route `route`; its card is
/// named by the page's slug, its title is the page's.
#[component]
pub(crate) fn ChartPage<R, V>(
    page: Page,
    route: R,
    render: fn(R::Response, Selection) -> V,
) -> impl IntoView
where
    R: Route<Query = ChartQuery, Body = NoBody> + Copy + Send + Sync + 'static,
    R::Response: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
{
    DayRange::provide();
    let (name, title) = (page.slug(), page.title());
    view! {
        <Nav />
        <main>
            <h1>{title}</h1>
            <DayRangeInputs />
            <ChartCard name title route render />
        </main>
    }
}
