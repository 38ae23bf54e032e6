//! An endpoint's profiled requests (level 3), newest first, a page at a time: each request's
//! execution tree, collapsible, with every line's duration, share of the request (coloured from
//! cool to hot), calls and exact wall time.

use dashboard_shared::dom;
use std::collections::HashSet;

use dashboard_shared::{ProfileLine, ProfiledRequest};
use leptos::prelude::*;

use crate::api as client;
use crate::app::SessionState;
use crate::components::id_page::{IdPage, with_endpoint};
use crate::components::loaded::{Loaded, live_resource};
use crate::components::pager::{PageOffset, Pager};
use crate::components::scroll_table::ScrollTable;
use crate::time::local_time;

/// Profiled requests per page.
const PAGE: u64 = 5;

/// The profiler of the endpoint whose id is in the address (`/endpoint/{id}/profiler`).
#[component]
pub(crate) fn ProfilerPage() -> impl IntoView {
    view! { <IdPage what="endpoint" content=|id| view! { <Profiles id /> } /> }
}

/// A node of one request's tree: (request id, line position).
type NodeKey = (i64, usize);

/// Endpoint `id`'s profiled requests, a page at a time.
#[component]
fn Profiles(id: i64) -> impl IntoView {
    let session = expect_context::<SessionState>();
    let offset = PageOffset::new(PAGE);
    let collapsed = RwSignal::new(HashSet::<NodeKey>::new());
    let page =
        live_resource(move || with_endpoint(session, id, client::profiles(id, offset.get(), PAGE)));
    let base = client::base_path();
    view! {
        <Loaded resource=page ok={move |(zone, name, page)| {
                let total = page.total;
                let parents: Vec<NodeKey> = page
                    .profiles
                    .iter()
                    .flat_map(|profile| {
                        let tree = Tree::new(&profile.lines);
                        (0..profile.lines.len())
                            .filter(move |&line| tree.has_children[line])
                            .map(move |line| (profile.request_id, line))
                    })
                    .collect();
                let cards = page
                    .profiles
                    .into_iter()
                    .map(|profile| view! { <ProfileCard profile zone=zone.clone() collapsed /> })
                    .collect_view();
                view! {
                    <h1 id=dom::ENDPOINT_NAME>{name}" — profiler"</h1>
                    <p>
                        <a href=format!("{base}/endpoint/{id}")>"‹ Endpoint"</a>" · "
                        <a id=dom::GROUPED_LINK href=format!("{base}/endpoint/{id}/grouped-profiler")>"Grouped profile ›"</a>
                    </p>
                    <p id=dom::PROFILE_COUNT data-total=total>{format!("{total} profiled requests")}</p>
                    <div class="table-controls">
                        <button id=dom::EXPAND_ALL on:click=move |_| collapsed.set(HashSet::new())>"Expand all"</button>
                        <button id=dom::COLLAPSE_ALL on:click=move |_| collapsed.set(parents.iter().copied().collect())>"Collapse all"</button>
                    </div>
                    <div id=dom::PROFILE_CARDS>{cards}</div>
                    <Pager name="profiles" offset total />
                }
                .into_any()
            }} />
    }
}

/// The shape of a tree given in pre-order with indents.
struct Tree {
    parent: Vec<Option<usize>>,
    has_children: Vec<bool>,
}

impl Tree {
    fn new(lines: &[ProfileLine]) -> Tree {
        let mut parent = Vec::with_capacity(lines.len());
        let mut has_children = vec![false; lines.len()];
        let mut open: Vec<usize> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            open.truncate(usize::from(line.indent));
            let above = open.last().copied();
            if let Some(above) = above {
                has_children[above] = true;
            }
            parent.push(above);
            open.push(index);
        }
        Tree {
            parent,
            has_children,
        }
    }

    /// The lines above `line`, nearest first.
    fn ancestors(&self, line: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.parent[line], |&above| self.parent[above])
    }
}

/// A colour from cool (a small share of the request) to hot (all of it).
fn heat(percent: f64) -> String {
    let hue = 120.0 - 120.0 * (percent / 100.0).clamp(0.0, 1.0);
    format!("hsl({hue:.0}, 70%, 85%)")
}

/// One profiled request: when, how long, how it was sampled, and its tree.
#[component]
fn ProfileCard(
    profile: ProfiledRequest,
    zone: String,
    collapsed: RwSignal<HashSet<NodeKey>>,
) -> impl IntoView {
    let request = profile.request_id;
    let tree = std::sync::Arc::new(Tree::new(&profile.lines));
    let sampling = match profile.samples {
        0 => "exact span times".to_owned(),
        samples => format!("{samples} samples, every {} ms", profile.sampling_period_ms),
    };
    let duration = profile.duration_ms;
    let rows = profile
        .lines
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            let is_parent = tree.has_children[index];
            let tree = std::sync::Arc::clone(&tree);
            let hidden = Signal::derive(move || {
                collapsed.with(|collapsed| {
                    tree.ancestors(index)
                        .any(|above| collapsed.contains(&(request, above)))
                })
            });
            view! { <TreeRow line key=(request, index) duration hidden is_parent collapsed /> }
        })
        .collect_view();
    view! {
        <section class="card profile" data-request=request data-duration=duration>
            <div class="card-title">
                <h3>{local_time(profile.time_requested, &zone)}</h3>
                <span class="hint">{format!("{duration:.1} ms, status {}, {sampling}", profile.status)}</span>
            </div>
            <ScrollTable>
                <table class="profile-tree">
                    <thead><tr><th>"Span"</th><th>"Duration"</th><th>"% of request"</th><th>"Calls"</th><th>"Wall time"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </section>
    }
}

/// One line of a tree: a toggle when it has children, its span and its figures.
#[component]
fn TreeRow(
    line: ProfileLine,
    key: NodeKey,
    /// The request's duration, in milliseconds.
    duration: f64,
    hidden: Signal<bool>,
    is_parent: bool,
    collapsed: RwSignal<HashSet<NodeKey>>,
) -> impl IntoView {
    let percent = if duration > 0.0 {
        line.duration_ms / duration * 100.0
    } else {
        0.0
    };
    let is_collapsed = move || collapsed.with(|collapsed| collapsed.contains(&key));
    let toggle = move |_| {
        collapsed.update(|collapsed| {
            if !collapsed.remove(&key) {
                collapsed.insert(key);
            }
        });
    };
    let place = match (&line.code.module, &line.code.file, line.code.line) {
        (_, Some(file), Some(number)) => format!("{file}:{number}"),
        (Some(module), _, _) => module.clone(),
        _ => String::new(),
    };
    let toggle_view = is_parent.then(|| {
        view! {
            <button class="toggle" on:click=toggle>{move || if is_collapsed() { "▸" } else { "▾" }}</button>
        }
    });
    view! {
        <tr class="profile-line" style:display=move || if hidden.get() { "none" } else { "" }
            data-function=line.code.function.clone() data-indent=line.indent data-duration=line.duration_ms
            data-collapsed=move || is_collapsed().to_string()>
            <td style:padding-left=format!("{}rem", 0.5 + 1.25 * f64::from(line.indent))>
                {toggle_view}
                <span class="function" title=place>{line.code.function.clone()}</span>
                <span class="hint">{line.code.module.clone().map(|module| format!(" {module}")).unwrap_or_default()}</span>
            </td>
            <td>{format!("{:.1} ms", line.duration_ms)}</td>
            <td class="heat" style:background=heat(percent)>{format!("{percent:.1} %")}</td>
            <td>{line.calls}</td>
            <td>{format!("{:.1} ms", line.wall_ms)}</td>
        </tr>
    }
}
