//! The Queries and Outgoing calls pages: every statement (by fingerprint) or upstream (host and
//! path template) the application's requests waited on over the range, ranked by total time,
//! optionally of one endpoint.

use dashboard_shared::DependencyKind;
use dashboard_shared::dom;
use dashboard_shared::page_query;
use dashboard_shared::pages::Page;
use leptos::prelude::*;

use crate::api as client;
use crate::components::calls::DependencyTable;
use crate::components::chart::{DayRange, DayRangeInputs};
use crate::components::endpoint_select::EndpointSelect;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::url_state::UrlParam;

/// The Queries page (`/queries`).
#[component]
pub(crate) fn QueriesPage() -> impl IntoView {
    view! { <DependenciesPage page=Page::Queries kind=DependencyKind::Query /> }
}

/// The Outgoing calls page (`/outgoing-calls`).
#[component]
pub(crate) fn OutgoingCallsPage() -> impl IntoView {
    view! { <DependenciesPage page=Page::OutgoingCalls kind=DependencyKind::Http /> }
}

/// Statements or upstreams over the page's range, of the endpoint chosen in the address.
#[component]
fn DependenciesPage(page: Page, kind: DependencyKind) -> impl IntoView {
    DayRange::provide();
    let range = expect_context::<DayRange>();
    let endpoint = UrlParam::new(page_query::ENDPOINT);
    let chosen = move || endpoint.parsed::<i64>();
    let choose = move |id: Option<i64>| endpoint.set(id.map(|id| id.to_string()));
    let list = live_resource(move || client::dependencies(kind, chosen(), range.query()));
    let hint = match kind {
        DependencyKind::Query => {
            "Statements by fingerprint: literals and placeholders are blanked, so one statement with different values is one row. N+1 marks requests that ran a statement once per item."
        }
        DependencyKind::Http => {
            "Upstreams by host and path template: ids in the path are blanked and the query string is dropped."
        }
    };
    view! {
        <Nav />
        <main>
            <h1>{page.title()}</h1>
            <p class="hint">{hint}</p>
            <DayRangeInputs />
            <EndpointSelect id=dom::DEPENDENCY_ENDPOINT chosen choose />
            <section class="card">
                <Loaded resource=list ok=move |list| view! {
                    <DependencyTable list kind id=dom::DEPENDENCIES endpoints=true />
                } />
            </section>
        </main>
    }
}
