//! One endpoint's page: its details card with the level selector, and its charts over the
//! page's range of days: hourly load, box plots per version and per user, median matrices of
//! versions × users and versions × addresses, status codes, and the failed requests.

use chrono::Utc;
use dashboard_shared::dom;
use dashboard_shared::page_query;
use dashboard_shared::{
    EndpointDetails, EndpointHourlyLoadChart, EndpointStatusCodesChart, EndpointUsersChart,
    EndpointVersionIpChart, EndpointVersionUserChart, EndpointVersionsChart, ExportedRequest, Role,
    SessionInfo,
};
use leptos::prelude::*;

use crate::api::{self as client, ApiFailure};
use crate::app::SessionState;
use crate::components::calls::EndpointCalls;
use crate::components::chart::{ChartCard, DayRange, DayRangeInputs};
use crate::components::figures::{BoxPlotFigure, Heatmap, MatrixFigure, StatusPie};
use crate::components::id_page::IdPage;
use crate::components::instance_select::InstanceSelect;
use crate::components::level_buttons::LevelButtons;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::scroll_table::ScrollTable;
use crate::components::url_state::UrlParam;
use crate::time::{ago, local_time};

/// The page of the endpoint whose id is in the address (`/endpoint/{id}`).
#[component]
pub(crate) fn EndpointPage() -> impl IntoView {
    view! { <IdPage what="endpoint" content=|id| view! { <EndpointViews id /> } /> }
}

/// The details and the charts of endpoint `id`.
#[component]
fn EndpointViews(id: i64) -> impl IntoView {
    let session = expect_context::<SessionState>();
    DayRange::provide();
    let details = live_resource(move || async move {
        let me = session.current().await?;
        Ok::<_, ApiFailure>((me, client::endpoint(id).await?))
    });
    view! {
        <Loaded resource=details ok={move |(me, details)| view! { <DetailsCard me details /> }.into_any()} />
        <DayRangeInputs />
        <InstanceSelect />
        <Loaded resource=details ok={move |(me, _)| view! { <EndpointCalls id zone=me.timezone /> }} />
        <ChartCard name="endpoint-hourly-load" title="Hourly load" route=EndpointHourlyLoadChart id=id
            render=|load, _| view! { <Heatmap load name="endpoint-hourly-load" /> } />
        <ChartCard name="versions" title="Per version" route=EndpointVersionsChart id=id
            render=|plots, selection| view! { <BoxPlotFigure plots name="versions" of="Version" choose=("Versions", selection.versions) hint="quantiles within 1.5 % of the exact values" /> } />
        <ChartCard name="users" title="Per user" route=EndpointUsersChart id=id
            render=|plots, selection| view! { <BoxPlotFigure plots name="users" of="User" choose=("Users", selection.callers) hint="exact quantiles" /> } />
        <ChartCard name="version-user" title="Versions × users: median time" route=EndpointVersionUserChart id=id
            render=|matrix, selection| view! { <MatrixFigure matrix name="version-user" of="User" versions=selection.versions callers=selection.callers /> } />
        <ChartCard name="version-ip" title="Versions × IP addresses: median time" route=EndpointVersionIpChart id=id
            render=|matrix, selection| view! { <MatrixFigure matrix name="version-ip" of="IP address" versions=selection.versions callers=selection.callers /> } />
        <ChartCard name="status-codes" title="Status codes" route=EndpointStatusCodesChart id=id
            render=|codes, _| view! { <StatusPie codes /> } />
        <FailedRequests id />
    }
}

/// Route, methods, level, requests, first and last appearance.
#[component]
fn DetailsCard(me: SessionInfo, details: EndpointDetails) -> impl IntoView {
    let level = RwSignal::new(details.monitor_level);
    let message = RwSignal::new(None::<String>);
    let id = details.id;
    let level_control = move || {
        if me.role == Role::Admin {
            view! {
                <LevelButtons id current=level.get() changed=move |stored| level.set(stored) failed=move |failure| message.set(Some(failure)) />
            }
            .into_any()
        } else {
            view! { <span class="level-value">{level.get()}</span> }.into_any()
        }
    };
    let first_seen = format!(
        "{} in version {}",
        local_time(details.time_added, &me.timezone),
        details.version_added
    );
    let last = details
        .last_requested
        .map(|time| local_time(time, &me.timezone))
        .unwrap_or_default();
    view! {
        <h1 id=dom::ENDPOINT_NAME>{details.name.clone()}</h1>
        <section class="card">
            <dl id=dom::ENDPOINT_DETAILS class="details">
                <dt>"Route"</dt><dd data-field="route">{details.route.clone()}</dd>
                <dt>"Methods"</dt><dd data-field="methods">{details.methods.join(", ")}</dd>
                <dt>"Monitoring level"</dt><dd data-field="level" data-level=move || level.get()>{level_control}</dd>
                <dt>"Requests"</dt><dd data-field="total-hits" data-value=details.total_hits>{details.total_hits}</dd>
                <dt>"First seen"</dt><dd data-field="first-seen" data-version=details.version_added.clone()>{first_seen}</dd>
                <dt>"Last requested"</dt><dd data-field="last-requested" title=last>{ago(Utc::now(), details.last_requested)}</dd>
            </dl>
            <p>
                <a id=dom::OUTLIERS_LINK href=format!("{}/endpoint/{id}/outliers", client::base_path())>"Outliers ›"</a>" · "
                <a id=dom::PROFILER_LINK href=format!("{}/endpoint/{id}/profiler", client::base_path())>"Profiler ›"</a>" · "
                <a id=dom::GROUPED_LINK href=format!("{}/endpoint/{id}/grouped-profiler", client::base_path())>"Grouped profile ›"</a>
            </p>
            <p class="error">{move || message.get()}</p>
        </section>
    }
}

/// The failed requests (status 400 and above), newest first, a page at a time; the cursors of
/// the pages after the first are kept in the address (comma-separated), so Newer steps back.
#[component]
fn FailedRequests(id: i64) -> impl IntoView {
    let session = expect_context::<SessionState>();
    let trail = UrlParam::new(page_query::FAILED);
    let cursors = move || -> Vec<String> {
        trail
            .get()
            .map(|trail| trail.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let page = live_resource(move || {
        let cursor = cursors().last().cloned();
        async move {
            let me = session.current().await?;
            Ok::<_, ApiFailure>((me.timezone, client::failed_requests(id, cursor).await?))
        }
    });
    let show =
        move |cursors: Vec<String>| trail.set((!cursors.is_empty()).then(|| cursors.join(",")));
    view! {
        <section class="card" id=dom::FAILED_REQUESTS_CARD>
            <div class="card-title"><h2>"Failed requests"</h2></div>
            <Loaded resource=page ok=move |(zone, page)| {
                let seen = untrack(cursors);
                let pages = seen.len() + 1;
                let next = page.next_cursor.clone();
                let has_next = next.is_some();
                let newer = {
                    let seen = seen.clone();
                    move |_| show(seen[..seen.len().saturating_sub(1)].to_vec())
                };
                let older = move |_| {
                    if let Some(next) = next.clone() {
                        show(seen.iter().cloned().chain([next]).collect());
                    }
                };
                view! {
                    <FailedTable requests=page.requests zone />
                    <div class="table-controls">
                        <button type="button" id=dom::FAILED_PREVIOUS disabled=pages == 1 on:click=newer>"‹ Newer"</button>
                        <span id=dom::FAILED_PAGE>{format!("page {pages}")}</span>
                        <button type="button" id=dom::FAILED_NEXT disabled=!has_next on:click=older>"Older ›"</button>
                    </div>
                }
            } />
        </section>
    }
}

/// A page of failed requests.
#[component]
fn FailedTable(requests: Vec<ExportedRequest>, zone: String) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p id=dom::FAILED_REQUESTS_EMPTY>"No failed requests."</p> }.into_any();
    }
    let rows = requests
        .into_iter()
        .map(|request| {
            view! {
                <tr data-id=request.id data-status=request.status_code>
                    <td>{local_time(request.time_requested, &zone)}</td>
                    <td>{request.status_code}</td>
                    <td>{format!("{:.1}", request.duration_ms)}</td>
                    <td>{request.version_requested}</td>
                    <td>{request.group_by.unwrap_or_default()}</td>
                    <td>{request.ip.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable>
            <table id=dom::FAILED_REQUESTS_TABLE>
                <thead><tr><th>"Time"</th><th>"Status"</th><th>"Duration (ms)"</th><th>"Version"</th><th>"User"</th><th>"IP address"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
    .into_any()
}
