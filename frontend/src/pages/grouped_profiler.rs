//! An endpoint's grouped profile: the paths of its latest 100 profiled requests merged, as a
//! table (hits, mean, standard deviation, total, shares, self time) beside a sunburst.

use dashboard_shared::GroupedProfile;
use dashboard_shared::dom;
use leptos::prelude::*;

use crate::api::{self as client, ApiFailure};
use crate::components::id_page::IdPage;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::sunburst::Sunburst;

/// The grouped profile of the endpoint whose id is in the address
/// (`/endpoint/{id}/grouped-profiler`).
#[component]
pub(crate) fn GroupedProfilerPage() -> impl IntoView {
    view! { <IdPage what="endpoint" content=|id| view! { <Grouped id /> } /> }
}

#[component]
fn Grouped(id: i64) -> impl IntoView {
    let profile = live_resource(move || async move {
        let endpoint = client::endpoint(id).await?;
        Ok::<_, ApiFailure>((endpoint.name, client::grouped_profile(id, None).await?))
    });
    let base = client::base_path();
    view! {
        <Loaded resource=profile ok={move |(name, grouped)| view! {
                <h1 id=dom::ENDPOINT_NAME>{name}" — grouped profile"</h1>
                <p>
                    <a href=format!("{base}/endpoint/{id}")>"‹ Endpoint"</a>" · "
                    <a id=dom::PROFILER_LINK href=format!("{base}/endpoint/{id}/profiler")>"Profiled requests ›"</a>
                </p>
                <GroupedView grouped />
            }
            .into_any()} />
    }
}

#[component]
fn GroupedView(grouped: GroupedProfile) -> impl IntoView {
    if grouped.lines.is_empty() {
        return view! {
            <p id=dom::GROUPED_EMPTY class="hint">
                "No profiled request yet: set the endpoint to level 3 and add "
                <code>"#[tracing::instrument]"</code>" to the helpers it calls."
            </p>
        }
        .into_any();
    }
    let rows = grouped
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let place = match (&line.code.file, line.code.line) {
                (Some(file), Some(number)) => format!("{file}:{number}"),
                _ => line.code.module.clone().unwrap_or_default(),
            };
            view! {
                <tr class="grouped-line" data-line=index data-function=line.code.function.clone()
                    data-hits=line.hits data-mean=line.mean_ms data-std=line.std_ms>
                    <td style:padding-left=format!("{}rem", 0.5 + 1.25 * f64::from(line.indent))>
                        <span class="function" title=place>{line.code.function.clone()}</span>
                    </td>
                    <td>{line.hits}</td>
                    <td>{format!("{:.0} %", line.hits_percent)}</td>
                    <td>{format!("{:.1}", line.mean_ms)}</td>
                    <td>{format!("{:.1}", line.std_ms)}</td>
                    <td>{format!("{:.1}", line.total_ms)}</td>
                    <td>{format!("{:.1} %", line.time_percent)}</td>
                    <td>{format!("{:.1}", line.self_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p id=dom::GROUPED_REQUESTS data-requests=grouped.requests>
            {format!("The latest {} profiled requests, merged path by path.", grouped.requests)}
        </p>
        <div class="grouped">
            <section class="card">
                <div class="table-wrap">
                    <table id=dom::GROUPED_TABLE>
                        <thead><tr>
                            <th>"Path"</th><th>"Hits"</th><th>"% of requests"</th><th>"Mean (ms)"</th>
                            <th>"Std (ms)"</th><th>"Total (ms)"</th><th>"% of time"</th><th>"Self (ms)"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="card">
                <Sunburst lines=grouped.lines />
            </section>
        </div>
    }
    .into_any()
}
