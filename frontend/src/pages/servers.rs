//! The Servers page: a card per process sharing the database (live ones first, silent ones
//! after a minute without a heartbeat, gone after a day), each with its latest figures and
//! sparklines of its last hour.

use chrono::Utc;
use dashboard_shared::dom;
use dashboard_shared::pages::Page;
use dashboard_shared::{Heartbeat, Server};
use leptos::prelude::*;

use crate::api as client;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::sparkline::figure_line;
use crate::time::{ago, duration};

/// The Servers page (`/servers`).
#[component]
pub(crate) fn ServersPage() -> impl IntoView {
    let servers = live_resource(client::servers);
    view! {
        <Nav />
        <main>
            <h1>{Page::Servers.title()}</h1>
            <p class="hint">"Every process that writes to this database sends a heartbeat every 15 seconds. A process silent for a minute is greyed; after a day it is forgotten."</p>
            <Loaded resource=servers ok=move |servers| view! {
                <p>"Requests stored today by every instance: "
                    <strong id=dom::SERVERS_TOTAL>{servers.requests_today}</strong></p>
                <div id=dom::SERVERS class="servers">
                    {servers.servers.into_iter().map(|server| view! { <ServerCard server /> }).collect_view()}
                </div>
            } />
        </main>
    }
}

/// One instance's card.
#[component]
fn ServerCard(server: Server) -> impl IntoView {
    let now = Utc::now();
    let latest = server.heartbeats.last().copied();
    let class = if server.live {
        "card server live"
    } else {
        "card server silent"
    };
    let state = if server.live { "live" } else { "silent" };
    let figure = |text: Option<String>| text.unwrap_or_else(|| "–".to_owned());
    let times: Vec<String> = server
        .heartbeats
        .iter()
        .map(|beat| beat.time.format("%H:%M:%S UTC").to_string())
        .collect();
    let line = |title: &'static str, value: fn(&Heartbeat) -> u64| {
        let values: Vec<u64> = server.heartbeats.iter().map(value).collect();
        view! { <dt>{title}</dt><dd inner_html=figure_line(&values, &times, title) /> }
    };
    view! {
        <section class=class data-instance=server.id.to_string() data-state=state>
            <h2>{server.name.clone()} " " <span class="badge">{state}</span></h2>
            <dl>
                <dt>"Requests today"</dt><dd data-requests-today=server.requests_today.to_string()>{server.requests_today}</dd>
                <dt>"Versions"</dt><dd>{format!("app {}, dashboard {}", server.app_version, server.dashboard_version)}</dd>
                <dt>"Started"</dt><dd>{ago(now, Some(server.started))}</dd>
                <dt>"Last heartbeat"</dt><dd>{ago(now, Some(server.last_seen))}</dd>
                <dt>"CPU"</dt><dd>{figure(latest.map(|beat| format!("{:.0} %", beat.cpu_percent)))}</dd>
                <dt>"Memory"</dt><dd>{figure(latest.map(|beat| format!("{:.0} MiB", beat.memory_bytes as f64 / 1_048_576.0)))}</dd>
                <dt>"In flight"</dt><dd>{figure(latest.map(|beat| beat.in_flight.to_string()))}</dd>
                <dt>"Queue"</dt><dd>{figure(latest.map(|beat| beat.queued.to_string()))}</dd>
                <dt>"Stored"</dt><dd>{figure(latest.map(|beat| beat.stored.to_string()))}</dd>
                <dt>"Dropped"</dt><dd>{figure(latest.map(|beat| beat.dropped.to_string()))}</dd>
                <dt>"Writer lag"</dt><dd>{figure(latest.map(|beat| duration(beat.writer_lag_ms)))}</dd>
            </dl>
            <h3>"Last hour"</h3>
            <dl>
                {line("CPU %", |beat| beat.cpu_percent.round() as u64)}
                {line("Memory MiB", |beat| beat.memory_bytes / 1_048_576)}
                {line("In flight", |beat| beat.in_flight)}
                {line("Queue", |beat| beat.queued)}
            </dl>
        </section>
    }
}
