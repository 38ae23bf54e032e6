//! What requests wait on, as tables: statements or upstreams ranked by total time, and the
//! statements and calls of one request.

use dashboard_shared::dom;
use dashboard_shared::pages::Page;
use dashboard_shared::{
    CountSpread, DependencyKind, DependencyList, DependencyRow, EndpointCallSummary, RequestCall,
};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self as client};
use crate::components::chart::DayRange;
use crate::components::context::SpanStack;
use crate::components::disclosure::Disclosure;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::scroll_table::ScrollTable;
use crate::components::sparkline::sparkline;
use crate::time::{duration, local_time};

/// A statement's N+1 badge: the requests that ran it `N_PLUS_ONE` times or more.
fn n_plus_one_badge(requests: u64) -> Option<impl IntoView> {
    (requests > 0).then(|| {
        let title = format!(
            "{requests} request(s) ran this statement once per item: a loop that one query could replace"
        );
        view! { <span class="badge regressed" data-part="n-plus-one" title=title>{format!("N+1 in {requests}")}</span> }
    })
}

/// A share of `part` in `whole` as `12 %`.
fn share(part: u64, whole: u64) -> String {
    format!("{:.0} %", part as f64 * 100.0 / whole.max(1) as f64)
}

/// One row of [`DependencyTable`].
fn dependency_row(row: DependencyRow, days: &[String], endpoints: bool) -> impl IntoView + use<> {
    let base = client::base_path();
    let (kind, calls) = (row.kind, row.calls);
    let name = match kind {
        DependencyKind::Query => row.name.clone(),
        DependencyKind::Http => format!("{} {}{}", row.operation, row.system, row.name),
    };
    let answered = calls - row.client_errors - row.server_errors - row.failed;
    let statuses = (kind == DependencyKind::Http).then(|| {
        view! {
            <td>{share(answered, calls)}</td>
            <td>{share(row.client_errors, calls)}</td>
            <td>{share(row.server_errors, calls)}</td>
            <td>{share(row.failed, calls)}</td>
        }
    });
    let named = row.endpoints;
    let linked = endpoints.then(move || {
        let links = named
            .into_iter()
            .map(|endpoint| {
                let href = format!("{base}{}", Page::Endpoint(endpoint.id).path());
                view! { <li><A href=href>{endpoint.name}</A></li> }
            })
            .collect_view();
        view! { <td><ul class="plain">{links}</ul></td> }
    });
    let label = name.clone();
    view! {
        <tr data-name=label data-calls=calls data-n-plus-one=row.n_plus_one data-system=row.system>
            <td class="statement"><code>{name}</code>" "{n_plus_one_badge(row.n_plus_one)}</td>
            <td>{calls}</td>
            <td>{duration(row.total_ms)}</td>
            <td>{duration(row.mean_ms)}</td>
            <td>{duration(row.p95_ms)}</td>
            <td>{row.requests}</td>
            {statuses}
            {linked}
            <td inner_html=sparkline(&row.daily, days)></td>
        </tr>
    }
}

/// Statements or upstreams, most total time first, with their calls per day; `endpoints`
/// adds the endpoints whose requests made them.
#[component]
pub(crate) fn DependencyTable(
    list: DependencyList,
    kind: DependencyKind,
    /// The table's element id.
    id: &'static str,
    endpoints: bool,
) -> impl IntoView {
    if list.rows.is_empty() {
        let none = match kind {
            DependencyKind::Query => "No statements in this range.",
            DependencyKind::Http => "No outgoing calls in this range.",
        };
        return view! { <p class="hint" data-part="empty" data-table=id>{none}</p> }.into_any();
    }
    let what = match kind {
        DependencyKind::Query => "Statement",
        DependencyKind::Http => "Upstream",
    };
    let statuses = (kind == DependencyKind::Http).then(|| {
        view! { <th>"Answered"</th><th>"4xx"</th><th>"5xx"</th><th>"No answer"</th> }
    });
    let days = list.days.clone();
    let rows = list
        .rows
        .into_iter()
        .map(|row| dependency_row(row, &days, endpoints))
        .collect_view();
    view! {
        <ScrollTable>
            <table id=id>
                <thead><tr>
                    <th>{what}</th><th>"Calls"</th><th>"Total"</th><th>"Mean"</th><th>"p95"</th>
                    <th>"Requests"</th>{statuses}{endpoints.then(|| view! { <th>"Endpoints"</th> })}
                    <th>"Per day"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
    .into_any()
}

/// The statements and calls of one request, most time first.
#[component]
pub(crate) fn RequestCalls(calls: Vec<RequestCall>) -> impl IntoView {
    if calls.is_empty() {
        return view! { <p class="hint" data-part="calls">"No statements or outgoing calls recorded."</p> }
            .into_any();
    }
    let rows = calls
        .into_iter()
        .map(|call| {
            let label = call.name.clone();
            view! {
                <tr data-name=label data-count=call.count>
                    <td><code>{call.name}</code>" "{call.n_plus_one.then(|| view! { <span class="badge regressed">"N+1"</span> })}</td>
                    <td>{call.count}</td>
                    <td>{duration(call.total_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable>
            <table data-part="calls">
                <thead><tr><th>"Statement or call"</th><th>"Times"</th><th>"Total"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
    .into_any()
}

/// Statements per request as a box: whiskers from the fewest to the 95th percentile, the box
/// from the first to the third quartile, a line at the median (an SVG of its own size).
fn count_box(spread: &CountSpread) -> String {
    const WIDTH: f64 = 240.0;
    const HEIGHT: f64 = 28.0;
    let top = spread.max.max(1) as f64;
    let x = |value: u64| 4.0 + value as f64 / top * (WIDTH - 8.0);
    format!(
        r##"<svg class="count-box" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="statements per request: median {median}, quartiles {q1} to {q3}, 95th percentile {p95}, most {max}"><line x1="{min_x:.1}" x2="{p95_x:.1}" y1="14" y2="14" stroke="currentColor"/><rect x="{q1_x:.1}" y="6" width="{box_width:.1}" height="16" fill="#2f6fed55" stroke="#2f6fed"/><line x1="{median_x:.1}" x2="{median_x:.1}" y1="4" y2="24" stroke="#2f6fed" stroke-width="2"/></svg>"##,
        median = spread.median,
        q1 = spread.q1,
        q3 = spread.q3,
        p95 = spread.p95,
        max = spread.max,
        min_x = x(spread.min),
        p95_x = x(spread.p95),
        q1_x = x(spread.q1),
        box_width = (x(spread.q3) - x(spread.q1)).max(1.0),
        median_x = x(spread.median),
    )
}

/// What endpoint `id`'s requests waited on over the page's range: statements per request, the
/// time in statements and in outgoing calls, its statements and upstreams, its N+1 flags and
/// its slow samples with the spans they ran in.
#[component]
pub(crate) fn EndpointCalls(id: i64, zone: String) -> impl IntoView {
    let range = expect_context::<DayRange>();
    let summary = live_resource(move || client::endpoint_calls(id, range.query()));
    let statements =
        live_resource(move || client::dependencies(DependencyKind::Query, Some(id), range.query()));
    let upstreams =
        live_resource(move || client::dependencies(DependencyKind::Http, Some(id), range.query()));
    let zone = StoredValue::new(zone);
    view! {
        <section class="card" id=dom::ENDPOINT_CALLS>
            <div class="card-title"><h2>"Statements and outgoing calls"</h2></div>
            <Loaded resource=summary ok=move |summary| view! { <CallFigures summary zone=zone.get_value() /> } />
            <h3>"Statements"</h3>
            <Loaded resource=statements ok=|list| view! {
                <DependencyTable list kind=DependencyKind::Query id=dom::ENDPOINT_STATEMENTS endpoints=false />
            } />
            <h3>"Upstreams"</h3>
            <Loaded resource=upstreams ok=|list| view! {
                <DependencyTable list kind=DependencyKind::Http id=dom::ENDPOINT_UPSTREAMS endpoints=false />
            } />
        </section>
    }
}

/// The figures of [`EndpointCalls`]: statements per request, the shares of time, the N+1 flags
/// and the slow samples.
#[component]
fn CallFigures(summary: EndpointCallSummary, zone: String) -> impl IntoView {
    let spread = summary.queries_per_request.clone();
    let rest = (summary.request_ms - summary.query_ms - summary.call_ms).max(0.0);
    let percent = |ms: f64| {
        format!(
            "{:.0} %",
            ms * 100.0 / summary.request_ms.max(f64::MIN_POSITIVE)
        )
    };
    let flags = summary
        .n_plus_one
        .iter()
        .map(|flag| {
            view! {
                <tr data-count=flag.count data-request=flag.request_id>
                    <td>{local_time(flag.time, &zone)}</td>
                    <td><code>{flag.statement.clone()}</code></td>
                    <td>{flag.count}</td>
                    <td>{flag.request_id}</td>
                </tr>
            }
        })
        .collect_view();
    let slow = summary
        .slow
        .into_iter()
        .map(|sample| {
            let what = match (sample.rows, sample.status) {
                (_, Some(status)) => format!("status {status}"),
                (Some(rows), None) => format!("{rows} rows"),
                (None, None) => "no answer".to_owned(),
            };
            let title = format!(
                "{} · {} · {what}",
                duration(sample.duration_ms),
                sample.name
            );
            let key = format!("slow-{}-{}", sample.request_id, sample.name);
            let when = format!(
                "Request {} at {}",
                sample.request_id,
                local_time(sample.time, &zone)
            );
            view! {
                <li data-name=sample.name data-duration=sample.duration_ms>
                    <Disclosure key summary=title>
                        <p class="hint">{when}</p>
                        <SpanStack stack=sample.stack />
                    </Disclosure>
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="details" id=dom::QUERIES_PER_REQUEST data-requests=spread.requests data-median=spread.median
            data-max=spread.max data-flagged=summary.flagged_requests>
            <dt>"Statements per request"</dt>
            <dd>
                <span inner_html=count_box(&spread)></span>
                {format!(" median {}, quartiles {}–{}, p95 {}, most {} ({} requests)", spread.median, spread.q1, spread.q3, spread.p95, spread.max, spread.requests)}
            </dd>
            <dt>"Time in statements"</dt><dd data-part="query-share">{percent(summary.query_ms)}</dd>
            <dt>"Time in outgoing calls"</dt><dd data-part="call-share">{percent(summary.call_ms)}</dd>
            <dt>"The rest (the handler itself)"</dt><dd>{percent(rest)}</dd>
            <dt>"Requests flagged N+1"</dt><dd data-part="flagged">{summary.flagged_requests}</dd>
        </dl>
        <h3>"N+1 flags"</h3>
        {if summary.n_plus_one.is_empty() {
            view! { <p class="hint">"No request ran one statement N_PLUS_ONE times or more."</p> }.into_any()
        } else {
            view! {
                <ScrollTable>
                    <table id=dom::N_PLUS_ONE_FLAGS>
                        <thead><tr><th>"Time"</th><th>"Statement"</th><th>"Times"</th><th>"Request"</th></tr></thead>
                        <tbody>{flags}</tbody>
                    </table>
                </ScrollTable>
            }.into_any()
        }}
        <h3>"Slow statements and calls"</h3>
        <ul class="plain" id=dom::SLOW_CALLS>{slow}</ul>
    }
}
