//! An endpoint's outliers: how many, box plots of CPU per core and of memory across them, and a
//! card per outlier (newest first, a page at a time) with its request, spans and figures.

use dashboard_shared::dom;
use dashboard_shared::{OutlierCard, Spread};
use leptos::prelude::*;

use crate::api as client;
use crate::app::SessionState;
use crate::components::calls::RequestCalls;
use crate::components::chart_svg::ChartSvg;
use crate::components::context::{ContextView, SpanStack};
use crate::components::id_page::{IdPage, with_endpoint};
use crate::components::loaded::{Loaded, live_resource};
use crate::components::pager::{PageOffset, Pager};
use crate::components::scroll_table::ScrollTable;
use crate::time::local_time;

/// Outlier cards per page.
const PAGE: u64 = 5;

/// The outliers of the endpoint whose id is in the address (`/endpoint/{id}/outliers`).
#[component]
pub(crate) fn OutliersPage() -> impl IntoView {
    view! { <IdPage what="endpoint" content=|id| view! { <Outliers id /> } /> }
}

/// Endpoint `id`'s outliers, a page at a time.
#[component]
fn Outliers(id: i64) -> impl IntoView {
    let session = expect_context::<SessionState>();
    let offset = PageOffset::new(PAGE);
    let page =
        live_resource(move || with_endpoint(session, id, client::outliers(id, offset.get(), PAGE)));
    let base = client::base_path();
    view! {
        <Loaded resource=page ok={move |(zone, name, page)| {
                let total = page.total;
                let cards = page
                    .outliers
                    .into_iter()
                    .map(|outlier| view! { <OutlierCardView outlier zone=zone.clone() /> })
                    .collect_view();
                view! {
                    <h1 id=dom::ENDPOINT_NAME>{name}" — outliers"</h1>
                    <p><a href=format!("{base}/endpoint/{id}")>"‹ Endpoint"</a></p>
                    <p id=dom::OUTLIER_COUNT data-total=total>{format!("{total} outliers")}</p>
                    <SpreadCard name="outlier-cpu" title="CPU per core across outliers" spread=page.cpu />
                    <SpreadCard name="outlier-memory" title="Memory across outliers" spread=page.memory />
                    <div id=dom::OUTLIER_CARDS>{cards}</div>
                    <Pager name="outliers" offset total />
                }
                .into_any()
            }} />
    }
}

/// A box plot of one quantity with its numbers.
#[component]
fn SpreadCard(name: &'static str, title: &'static str, spread: Spread) -> impl IntoView {
    let rows = spread
        .boxes
        .iter()
        .map(|row| {
            view! {
                <tr data-label=row.label.clone() data-median=row.median data-count=row.count>
                    <td>{row.label.clone()}</td><td>{row.count}</td>
                    <td>{format!("{:.1}", row.p5)}</td><td>{format!("{:.1}", row.median)}</td><td>{format!("{:.1}", row.p95)}</td><td>{format!("{:.1}", row.p99)}</td>
                </tr>
            }
        })
        .collect_view();
    let unit = spread.unit.clone();
    view! {
        <section class="card" id=format!("{name}-card")>
            <div class="card-title"><h2>{title}</h2></div>
            <ChartSvg id=format!("{name}-chart") chart=spread.clone() />
            <ScrollTable>
                <table id=format!("{name}-table")>
                    <thead><tr><th></th><th>"Outliers"</th><th>{format!("p5 ({unit})")}</th><th>{format!("Median ({unit})")}</th><th>{format!("p95 ({unit})")}</th><th>{format!("p99 ({unit})")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </section>
    }
}

/// One outlier: when, how long, its request, where it was stuck, CPU and memory.
#[component]
fn OutlierCardView(outlier: OutlierCard, zone: String) -> impl IntoView {
    // Figures not measured yet (taken before the first refresh) show as "–", never as 0.
    const NOT_MEASURED: &str = "–";
    let cores = outlier.cpu.as_ref().map_or_else(
        || NOT_MEASURED.to_owned(),
        |cpu| {
            cpu.per_core
                .iter()
                .map(|usage| format!("{usage:.0} %"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let process_cpu = outlier.cpu.as_ref().map_or_else(
        || NOT_MEASURED.to_owned(),
        |cpu| format!("{:.0} %", cpu.process),
    );
    let mebibytes = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    let (process_memory, machine_memory) = outlier.memory.as_ref().map_or_else(
        || (NOT_MEASURED.to_owned(), NOT_MEASURED.to_owned()),
        |memory| {
            (
                mebibytes(memory.process),
                format!("{} of {}", mebibytes(memory.used), mebibytes(memory.total)),
            )
        },
    );
    view! {
        <section class="card outlier" data-id=outlier.id data-request=outlier.request_id data-duration=outlier.duration_ms>
            <div class="card-title">
                <h3>{local_time(outlier.time_requested, &zone)}</h3>
                <span class="hint">{format!("{:.0} ms, status {}", outlier.duration_ms, outlier.status)}</span>
            </div>
            <ContextView context=outlier.context />
            <h4>"Stuck in"</h4>
            <SpanStack stack=outlier.stack />
            <h4>"Statements and calls"</h4>
            <RequestCalls calls=outlier.calls />
            <dl class="details">
                <dt>"CPU per core"</dt><dd data-part="cpu">{cores}</dd>
                <dt>"CPU of this process"</dt><dd>{process_cpu}</dd>
                <dt>"Memory of this process"</dt><dd data-part="memory">{process_memory}</dd>
                <dt>"Machine memory in use"</dt><dd>{machine_memory}</dd>
            </dl>
        </section>
    }
}
