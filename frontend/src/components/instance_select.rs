//! The choice of one instance (or all) that limits the overview's rows and a page's charts,
//! kept in the address (`instance=`).

use dashboard_shared::dom;
use dashboard_shared::page_query;
use leptos::prelude::*;

use crate::api::{self as client};
use crate::components::loaded::live_resource;
use crate::components::url_state::UrlParam;

/// The instance chosen in the address, if any (tracked).
pub(crate) fn chosen_instance() -> Option<i64> {
    UrlParam::new(page_query::INSTANCE).parsed()
}

/// A labelled `<select>` of the instances heard from in the last day, "All instances" first;
/// shown only when more than one instance wrote to the database.
#[component]
pub(crate) fn InstanceSelect() -> impl IntoView {
    let param = UrlParam::new(page_query::INSTANCE);
    let servers = live_resource(client::servers);
    move || {
        let servers = servers.get().and_then(Result::ok)?;
        let chosen = param.parsed::<i64>();
        (servers.servers.len() > 1 || chosen.is_some()).then(|| {
            let options = servers
                .servers
                .into_iter()
                .map(|server| {
                    let label = if server.live {
                        server.name
                    } else {
                        format!("{} (silent)", server.name)
                    };
                    view! {
                        <option value=server.id.to_string() selected=chosen == Some(server.id)>{label}</option>
                    }
                })
                .collect_view();
            view! {
                <label>"Instance "
                    <select id=dom::INSTANCE on:change=move |event| {
                        let value = event_target_value(&event);
                        param.set((!value.is_empty()).then_some(value));
                    }>
                        <option value="">"All instances"</option>
                        {options}
                    </select>
                </label>
            }
        })
    }
}
