//! The frame of every application chart page: the menu, a title, the range of days, and the
//! chart's card.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::components::chart::{ChartCard, DayRange, DayRangeInputs, Selection};
use crate::components::nav::Nav;

/// A page with one chart over days, loaded from the API route `path`.
#[component]
pub(crate) fn ChartPage<T, V>(
    name: &'static str,
    title: &'static str,
    path: &'static str,
    render: fn(T, Selection) -> V,
) -> impl IntoView
where
    T: DeserializeOwned + Clone + 'static,
    V: IntoView + 'static,
{
    DayRange::provide();
    view! {
        <Nav />
        <main>
            <h1>{title}</h1>
            <DayRangeInputs />
            <ChartCard name title path=path.to_owned() render />
        </main>
    }
}
