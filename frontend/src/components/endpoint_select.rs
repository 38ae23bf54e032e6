//! The choice of one endpoint (or all) that filters a page's list.

use leptos::prelude::*;

use crate::api::{self as client};
use crate::components::loaded::live_resource;

/// A labelled `<select>` of every endpoint, "All endpoints" first; `chosen` is the endpoint
/// shown as chosen, `choose` hears a new choice (`None`: all).
#[component]
pub(crate) fn EndpointSelect(
    /// The element's id.
    id: &'static str,
    chosen: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static,
    choose: impl Fn(Option<i64>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let endpoints = live_resource(|| client::overview(None));
    view! {
        <label>"Endpoint "
            <select id=id on:change=move |event| choose(event_target_value(&event).parse::<i64>().ok())>
                <option value="">"All endpoints"</option>
                {move || endpoints.get().and_then(Result::ok).map(|rows| {
                    rows.into_iter()
                        .map(|row| {
                            let selected = move || chosen() == Some(row.id);
                            view! { <option value=row.id.to_string() selected=selected>{row.name}</option> }
                        })
                        .collect_view()
                })}
            </select>
        </label>
    }
}
