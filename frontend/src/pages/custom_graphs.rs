//! The custom-graphs page: one line chart per graph registered with `DashboardBuilder::graph`,
//! over the page's range of days (by default the last 14).

use dashboard_shared::dom;
use dashboard_shared::{CustomGraph, CustomGraphChart, GraphData};
use leptos::prelude::*;

use crate::api;
use crate::app::SessionState;
use crate::components::chart::{ChartCard, DayRange, DayRangeInputs, Selection};
use crate::components::figures::LineFigure;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;

/// Every custom graph, each in its own card.
#[component]
pub(crate) fn CustomGraphsPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    DayRange::provide_with_hours();
    let graphs = live_resource(move || async move {
        session.current().await?;
        api::custom_graphs().await
    });
    view! {
        <Nav />
        <main>
            <h1>"Custom graphs"</h1>
            <DayRangeInputs />
            <Loaded resource=graphs ok=|graphs| view! { <GraphCards graphs /> }.into_any() />
        </main>
    }
}

/// A card per graph, or how to register one.
#[component]
fn GraphCards(graphs: Vec<CustomGraph>) -> impl IntoView {
    if graphs.is_empty() {
        return view! {
            <p class="hint" id=dom::NO_CUSTOM_GRAPHS>
                "No custom graphs yet: register one with "<code>"DashboardBuilder::graph"</code>
                " (see the README)."
            </p>
        }
        .into_any();
    }
    graphs
        .into_iter()
        .map(|graph| {
            view! {
                <ChartCard
                    name=format!("custom-graph-{}", graph.id)
                    title=graph.title
                    route=CustomGraphChart
                    id=graph.id
                    render=line
                />
            }
        })
        .collect_view()
        .into_any()
}

/// The figure of a graph's card.
fn line(data: GraphData, _selection: Selection) -> impl IntoView {
    view! { <LineFigure data /> }
}
