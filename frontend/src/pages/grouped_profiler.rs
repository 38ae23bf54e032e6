//! An endpoint's grouped profile: the paths of its latest 100 profiled requests (of one version,
//! if chosen) merged, as a table (hits, mean, standard deviation, total, shares, self time)
//! beside a sunburst, a flame graph, or the diff against another version's; and the profile as
//! a speedscope file.

use dashboard_shared::dom;
use dashboard_shared::flame::{self, PathChange, PathFigures};
use dashboard_shared::page_query::{self, ProfileView};
use dashboard_shared::{GroupedLine, GroupedProfile};
use leptos::prelude::*;

use crate::api::{self as client, ApiFailure};
use crate::components::flame::FlameGraph;
use crate::components::id_page::IdPage;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::scroll_table::ScrollTable;
use crate::components::sunburst::Sunburst;
use crate::components::url_state::UrlParam;

/// The grouped profile of the endpoint whose id is in the address
/// (`/endpoint/{id}/grouped-profiler`).
#[component]
pub(crate) fn GroupedProfilerPage() -> impl IntoView {
    view! { <IdPage what="endpoint" content=|id| view! { <Grouped id /> } /> }
}

/// The label of a view's button.
fn label(view: ProfileView) -> &'static str {
    match view {
        ProfileView::Sunburst => "Sunburst",
        ProfileView::Flame => "Flame graph",
        ProfileView::Diff => "Diff of versions",
    }
}

/// The URL's choices of the page.
#[derive(Clone, Copy)]
struct Choices {
    view: UrlParam,
    zoom: UrlParam,
    find: UrlParam,
    baseline: UrlParam,
    version: UrlParam,
}

#[component]
fn Grouped(id: i64) -> impl IntoView {
    let choices = Choices {
        view: UrlParam::new(page_query::PROFILE_VIEW),
        zoom: UrlParam::new(page_query::ZOOM),
        find: UrlParam::new(page_query::FIND),
        baseline: UrlParam::new(page_query::BASELINE),
        version: UrlParam::new(page_query::VERSION),
    };
    let profile = live_resource(move || {
        let version = choices.version.get();
        async move {
            let (endpoint, grouped, versions) = futures::try_join!(
                client::endpoint(id),
                client::grouped_profile(id, version),
                client::report_versions()
            )?;
            let versions: Vec<String> = versions.into_iter().map(|v| v.version).collect();
            Ok::<_, ApiFailure>((endpoint.name, grouped, versions))
        }
    });
    let base = client::base_path();
    view! {
        <Loaded resource=profile ok={move |(name, grouped, versions)| view! {
                <h1 id=dom::ENDPOINT_NAME>{name.clone()}" — grouped profile"</h1>
                <p>
                    <a href=format!("{base}/endpoint/{id}")>"‹ Endpoint"</a>" · "
                    <a id=dom::PROFILER_LINK href=format!("{base}/endpoint/{id}/profiler")>"Profiled requests ›"</a>
                </p>
                <VersionChoice versions=versions.clone() version=choices.version />
                <GroupedView id name grouped versions choices />
            }
            .into_any()} />
    }
}

/// An option per version, the one in `chosen` selected.
fn version_options(versions: Vec<String>, chosen: UrlParam) -> impl IntoView {
    versions
        .into_iter()
        .map(|name| {
            let value = name.clone();
            let selected = move || chosen.get().as_deref() == Some(value.as_str());
            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view()
}

/// The version whose requests are grouped (all versions by default).
#[component]
fn VersionChoice(versions: Vec<String>, version: UrlParam) -> impl IntoView {
    let options = version_options(versions, version);
    view! {
        <div class="table-controls">
            <label>"Version "
                <select id=dom::PROFILE_VERSION on:change=move |ev| version.set(Some(event_target_value(&ev)))>
                    <option value="" selected=move || version.get().is_none()>"every version"</option>
                    {options}
                </select>
            </label>
        </div>
    }
}

#[component]
fn GroupedView(
    id: i64,
    name: String,
    grouped: GroupedProfile,
    versions: Vec<String>,
    choices: Choices,
) -> impl IntoView {
    if grouped.lines.is_empty() {
        return view! {
            <p id=dom::GROUPED_EMPTY class="hint">
                "No profiled request yet: set the endpoint to level 3 and add "
                <code>"#[tracing::instrument]"</code>" to the helpers it calls."
            </p>
        }
        .into_any();
    }
    let speedscope = format!(
        "data:application/json;charset=utf-8,{}",
        js_sys::encode_uri_component(&flame::speedscope(&name, &grouped).to_string())
    );
    let file = format!(
        "{}.speedscope.json",
        name.replace(['/', ' ', '{', '}'], "_")
    );
    let lines = StoredValue::new(grouped.lines.clone());
    let chosen = move || ProfileView::named(choices.view.get().as_deref());
    let view_buttons = ProfileView::ALL
        .into_iter()
        .map(|view| {
            let pressed = move || (chosen() == view).to_string();
            let choose = move |_| {
                let named = (view != ProfileView::Sunburst).then(|| view.name().to_owned());
                choices.view.set(named);
            };
            view! {
                <button type="button" data-view=view.name() aria-pressed=pressed on:click=choose>
                    {label(view)}
                </button>
            }
        })
        .collect_view();
    let shown = move || match chosen() {
        ProfileView::Sunburst => {
            view! { <Sunburst lines=lines.get_value() zoom=choices.zoom /> }.into_any()
        }
        ProfileView::Flame => {
            view! { <FlameGraph lines=lines.get_value() zoom=choices.zoom find=choices.find /> }
                .into_any()
        }
        ProfileView::Diff => {
            view! { <Diff id compared=lines.get_value() versions=versions.clone() choices /> }
                .into_any()
        }
    };
    view! {
        <p id=dom::GROUPED_REQUESTS data-requests=grouped.requests>
            {format!("The latest {} profiled requests, merged path by path.", grouped.requests)}
        </p>
        <div class="grouped">
            <section class="card">
                <div class="profile-views">
                    {view_buttons}
                    <span class="spacer"></span>
                    <a id=dom::SPEEDSCOPE_DOWNLOAD class="download" href=speedscope download=file>"speedscope JSON"</a>
                </div>
                {shown}
            </section>
            <section class="card">
                <GroupedTable lines=grouped.lines />
            </section>
        </div>
    }
    .into_any()
}

/// The grouped profile as a table: one row per path, indented by depth.
#[component]
fn GroupedTable(lines: Vec<GroupedLine>) -> impl IntoView {
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let place = match (&line.code.file, line.code.line) {
                (Some(file), Some(number)) => format!("{file}:{number}"),
                _ => line.code.module.clone().unwrap_or_default(),
            };
            view! {
                <tr class="grouped-line" data-line=index data-function=line.code.function.clone()
                    data-hits=line.hits data-mean=line.mean_ms data-std=line.std_ms data-total=line.total_ms>
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
        <ScrollTable>
            <table id=dom::GROUPED_TABLE>
                <thead><tr>
                    <th>"Path"</th><th>"Hits"</th><th>"% of requests"</th><th>"Mean (ms)"</th>
                    <th>"Std (ms)"</th><th>"Total (ms)"</th><th>"% of time"</th><th>"Self (ms)"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

/// The profile shown (`compared`) against the grouped profile of the baseline version: the flame
/// graph coloured by the change of each path's share of the time, and the paths that changed
/// most with their shares and means.
#[component]
fn Diff(
    id: i64,
    compared: Vec<GroupedLine>,
    versions: Vec<String>,
    choices: Choices,
) -> impl IntoView {
    let compared = StoredValue::new(compared);
    let baseline = live_resource(move || {
        let version = choices.baseline.get();
        async move {
            match version {
                Some(version) => client::grouped_profile(id, Some(version)).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let options = version_options(versions, choices.baseline);
    let against = move || {
        choices
            .version
            .get()
            .unwrap_or_else(|| "every version".to_owned())
    };
    view! {
        <div class="table-controls">
            <label>"Baseline "
                <select id=dom::DIFF_BASELINE on:change=move |ev| choices.baseline.set(Some(event_target_value(&ev)))>
                    <option value="" selected=move || choices.baseline.get().is_none()>"choose a version"</option>
                    {options}
                </select>
            </label>
            <span class="hint">" against "{against}" (the version chosen above)"</span>
        </div>
        <Loaded resource=baseline ok=move |baseline| match baseline {
            None => view! { <p class="hint">"Choose the version to compare with."</p> }.into_any(),
            Some(baseline) => {
                let lines = compared.get_value();
                let changes = flame::diff(&baseline, &GroupedProfile { requests: 0, lines: lines.clone() });
                let mut colours = vec![String::new(); lines.len()];
                for change in &changes {
                    if let Some(line) = change.line {
                        colours[line] = flame::change_colour(change.share_change());
                    }
                }
                view! {
                    <p class="hint diff-legend">
                        <span class="slower">"Red"</span>": the path takes more of the time than in the baseline; "
                        "blue: less. Hover over a box for its figures."
                    </p>
                    <FlameGraph lines colours zoom=choices.zoom find=choices.find />
                    <ChangeTable changes />
                }.into_any()
            }
        } />
    }
}

/// The paths whose share of the time changed most (at most 20).
#[component]
fn ChangeTable(mut changes: Vec<PathChange>) -> impl IntoView {
    changes.sort_by(|a, b| b.share_change().abs().total_cmp(&a.share_change().abs()));
    let share = |figures: Option<PathFigures>| {
        figures.map_or("–".to_owned(), |f| format!("{:.1} %", f.time_percent))
    };
    let mean = |figures: Option<PathFigures>| {
        figures.map_or("–".to_owned(), |f| format!("{:.1}", f.mean_ms))
    };
    let rows = changes
        .into_iter()
        .take(20)
        .map(|change| {
            let mean_change = change
                .mean_change_percent()
                .map_or("–".to_owned(), |percent| format!("{percent:+.0} %"));
            view! {
                <tr data-function=change.function.clone() data-share-change=format!("{:.3}", change.share_change())
                    data-mean-change=change.mean_change_percent().map(|p| format!("{p:.3}")).unwrap_or_default()>
                    <td>{change.function.clone()}</td>
                    <td>{share(change.baseline)}</td>
                    <td>{share(change.compared)}</td>
                    <td>{format!("{:+.1}", change.share_change())}</td>
                    <td>{mean(change.baseline)}</td>
                    <td>{mean(change.compared)}</td>
                    <td>{mean_change}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable>
            <table id=dom::DIFF_TABLE>
                <thead><tr>
                    <th>"Path"</th><th>"Baseline % of time"</th><th>"% of time"</th><th>"Change (points)"</th>
                    <th>"Baseline mean (ms)"</th><th>"Mean (ms)"</th><th>"Change of mean"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}
