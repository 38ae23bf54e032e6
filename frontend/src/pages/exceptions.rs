//! Exceptions: groups of panics, 5xx answers and reported errors, latest first (optionally of
//! one endpoint), with their occurrences per day; a group's detail shows its latest context and
//! the spans it happened in, and admins can delete it.

use dashboard_shared::dom;
use dashboard_shared::page_query;
use dashboard_shared::{ExceptionDetail, ExceptionGroup, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self as client, ApiFailure};
use crate::app::SessionState;
use crate::components::calls::RequestCalls;
use crate::components::context::{ContextView, SpanStack};
use crate::components::endpoint_select::EndpointSelect;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::pager::{PageOffset, Pager};
use crate::components::scroll_table::ScrollTable;
use crate::components::sparkline::sparkline;
use crate::components::url_state::{QueryWriter, UrlParam};
use crate::time::local_time;

/// Groups per page.
const PAGE: u64 = 20;

/// The group whose detail is open, kept in the URL's query.
#[derive(Clone, Copy)]
struct Selected(UrlParam);

impl Selected {
    fn get(self) -> Option<i64> {
        self.0.parsed()
    }

    fn set(self, id: Option<i64>) {
        self.0.set(id.map(|id| id.to_string()));
    }
}

/// The Exceptions page (`/exceptions`).
#[component]
pub(crate) fn ExceptionsPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let endpoint = UrlParam::new(page_query::ENDPOINT);
    let offset = PageOffset::new(PAGE);
    let group = UrlParam::new(page_query::EXCEPTION);
    let selected = Selected(group);
    // Bumped after a deletion, to read the groups again.
    let generation = RwSignal::new(0_u32);
    let groups = live_resource(move || {
        let (endpoint, offset) = (endpoint.parsed::<i64>(), offset.get());
        generation.track();
        async move {
            let me = session.current().await?;
            Ok::<_, ApiFailure>((me, client::exceptions(endpoint, offset, PAGE).await?))
        }
    });
    let writer = QueryWriter::new();
    let chosen_endpoint = move || endpoint.parsed::<i64>();
    let choose_endpoint = move |chosen: Option<i64>| {
        // A new filter starts at its first page.
        writer.set([
            (endpoint.key(), chosen.map(|id| id.to_string())),
            (page_query::PAGE.to_owned(), None),
            (group.key(), None),
        ]);
    };
    view! {
        <Nav />
        <main>
            <h1>"Exceptions"</h1>
            <EndpointSelect id=dom::EXCEPTION_ENDPOINT chosen=chosen_endpoint choose=choose_endpoint />
            <Loaded resource=groups ok={move |(me, page)| {
                let total = page.total;
                    view! {
                    <p id=dom::EXCEPTION_COUNT data-total=total>{format!("{total} groups")}</p>
                    <GroupTable groups=page.groups days=page.days zone=me.timezone.clone() selected />
                    <Pager name="exceptions" offset total />
                    {move || selected.get().map(|id| view! {
                        <GroupDetail id zone=me.timezone.clone() admin=me.role == Role::Admin
                            csrf=me.csrf_token.clone()
                            deleted=move || { selected.set(None); generation.update(|g| *g += 1); } />
                                })}
                            }
                            .into_any()
                        }} />
        </main>
    }
}

/// The groups, a row each; a click shows the group's detail.
#[component]
fn GroupTable(
    groups: Vec<ExceptionGroup>,
    days: Vec<String>,
    zone: String,
    selected: Selected,
) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p id=dom::EXCEPTIONS_EMPTY>"No exceptions."</p> }.into_any();
    }
    let rows = groups
        .into_iter()
        .map(|group| {
            let id = group.id;
            view! {
                <tr class="clickable" data-id=id data-type=group.type_name.clone() data-count=group.count
                    on:click=move |_| selected.set(Some(id))>
                    <td><code>{group.type_name.clone()}</code></td>
                    <td>{group.message.clone()}</td>
                    <td>{group.endpoint.clone().unwrap_or_default()}</td>
                    <td>{group.count}</td>
                    <td inner_html=sparkline(&group.daily, &days)></td>
                    <td>{local_time(group.last_seen, &zone)}</td>
                    <td>{local_time(group.first_seen, &zone)}</td>
                    <td>{group.versions.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable>
            <table id=dom::EXCEPTIONS_TABLE>
                <thead><tr>
                    <th>"Type"</th><th>"Message"</th><th>"Endpoint"</th><th>"Occurrences"</th>
                    <th>"Last 14 days"</th><th>"Last seen"</th><th>"First seen"</th><th>"Versions"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
    .into_any()
}

/// One group: the latest occurrence's context and spans, the latest occurrences, and for
/// admins a delete button.
#[component]
fn GroupDetail(
    id: i64,
    zone: String,
    admin: bool,
    csrf: String,
    deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let detail = live_resource(move || client::exception(id));
    let message = RwSignal::new(None::<String>);
    let delete = move |_| {
        let csrf = csrf.clone();
        spawn_local(async move {
            match client::delete_exception(&csrf, id).await {
                Ok(()) => deleted(),
                Err(failure) => message.set(Some(failure.message())),
            }
        });
    };
    view! {
        <section class="card" id=dom::EXCEPTION_DETAIL data-id=id>
            <Loaded resource=detail ok=move |detail| view! { <DetailView detail zone=zone.clone() /> } />
            {admin.then(|| view! { <button id=dom::EXCEPTION_DELETE on:click=delete.clone()>"Delete this group"</button> })}
            <p class="error">{move || message.get()}</p>
        </section>
    }
}

#[component]
fn DetailView(detail: ExceptionDetail, zone: String) -> impl IntoView {
    let occurrences = detail
        .occurrences
        .iter()
        .map(|occurrence| {
            view! {
                <tr>
                    <td>{local_time(occurrence.time, &zone)}</td>
                    <td>{occurrence.version.clone()}</td>
                    <td>{occurrence.request_id.map(|id| id.to_string()).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card-title">
            <h2><code>{detail.group.type_name.clone()}</code>" "{detail.group.message.clone()}</h2>
        </div>
        {detail.location.map(|location| view! { <p data-part="location">"At "<code>{location}</code></p> })}
        <h4>"Spans"</h4>
        <SpanStack stack=detail.stack />
        <h3>"Latest occurrence"</h3>
        <ContextView context=detail.context />
        <h4>"Statements and calls of its request"</h4>
        <RequestCalls calls=detail.calls />
        <h4>"Latest occurrences"</h4>
        <table id=dom::EXCEPTION_OCCURRENCES>
            <thead><tr><th>"Time"</th><th>"Version"</th><th>"Request"</th></tr></thead>
            <tbody>{occurrences}</tbody>
        </table>
    }
}
