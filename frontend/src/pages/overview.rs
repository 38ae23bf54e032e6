//! The overview page: one row per endpoint with hits, errors, medians and the last request;
//! search, route-prefix filter, sortable columns, paging, level buttons for admins, and a mark
//! on the endpoints that the newest version made significantly slower.

use dashboard_shared::dom;
use dashboard_shared::page_query::{self, ProfileView};
use std::cmp::Ordering;

use chrono::Utc;
use dashboard_shared::{OverviewRow, Role, VersionComparison};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::chart::{DayRange, DayRangeInputs};
use crate::components::instance_select::{InstanceSelect, chosen_instance};
use crate::components::level_buttons::LevelButtons;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::scroll_table::ScrollTable;
use crate::components::summary::SummaryHeader;
use crate::components::url_state::QueryWriter;
use crate::time::{ago, duration};

/// Loads the session and the overview; sends visitors without a session to the login page.
#[component]
pub(crate) fn OverviewPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let rows = live_resource(move || async move {
        let me = session.current().await?;
        let (rows, comparison) =
            futures::try_join!(api::overview(chosen_instance()), api::version_comparison())?;
        Ok::<_, ApiFailure>((me.role, rows, comparison))
    });
    DayRange::provide_with_hours();
    view! {
        <Nav />
        <main>
            <h1>"Overview"</h1>
            <DayRangeInputs />
            <InstanceSelect />
            <SummaryHeader />
            <Loaded resource=rows ok={move |(role, rows, comparison)| view! {
                <Regressions comparison=comparison.clone() />
                <OverviewTable rows role comparison />
            }.into_any()} />
        </main>
    }
}

/// The sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Level,
    HitsToday,
    HitsWeek,
    HitsOverall,
    ErrorsToday,
    ErrorsWeek,
    ErrorsOverall,
    MedianToday,
    MedianWeek,
    MedianOverall,
    LastRequested,
}

impl Column {
    /// Every column with its title and its name in the URL's `sort`.
    const ALL: [(Column, &'static str, &'static str); 12] = [
        (Column::Name, "Endpoint", "name"),
        (Column::Level, "Level", "level"),
        (Column::HitsToday, "Hits today", "hits-today"),
        (Column::HitsWeek, "Hits 7 days", "hits-week"),
        (Column::HitsOverall, "Hits overall", "hits-overall"),
        (Column::ErrorsToday, "Errors today", "errors-today"),
        (Column::ErrorsWeek, "Errors 7 days", "errors-week"),
        (Column::ErrorsOverall, "Errors overall", "errors-overall"),
        (Column::MedianToday, "Median today", "median-today"),
        (Column::MedianWeek, "Median 7 days", "median-week"),
        (Column::MedianOverall, "Median overall", "median-overall"),
        (Column::LastRequested, "Last requested", "last-requested"),
    ];

    /// The column named `key` in the URL.
    fn named(key: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|(_, _, name)| *name == key)
            .map(|(column, _, _)| column)
    }

    /// Its name in the URL.
    fn key(self) -> &'static str {
        Column::ALL
            .into_iter()
            .find(|(column, _, _)| *column == self)
            .map_or("", |(_, _, key)| key)
    }

    fn compare(self, a: &OverviewRow, b: &OverviewRow) -> Ordering {
        let number = |value: fn(&OverviewRow) -> f64| value(a).total_cmp(&value(b));
        match self {
            Column::Name => a.name.cmp(&b.name),
            Column::Level => a.monitor_level.cmp(&b.monitor_level),
            Column::HitsToday => a.hits_today.cmp(&b.hits_today),
            Column::HitsWeek => a.hits_week.cmp(&b.hits_week),
            Column::HitsOverall => a.hits_overall.cmp(&b.hits_overall),
            Column::ErrorsToday => a.errors_today.cmp(&b.errors_today),
            Column::ErrorsWeek => a.errors_week.cmp(&b.errors_week),
            Column::ErrorsOverall => a.errors_overall.cmp(&b.errors_overall),
            Column::MedianToday => number(|row| row.median_today_ms.unwrap_or(-1.0)),
            Column::MedianWeek => number(|row| row.median_week_ms.unwrap_or(-1.0)),
            Column::MedianOverall => number(|row| row.median_overall_ms.unwrap_or(-1.0)),
            Column::LastRequested => a.last_requested.cmp(&b.last_requested),
        }
    }
}

/// The page sizes offered.
const PAGE_SIZES: [usize; 4] = [10, 25, 50, 100];

/// What the table shows: filters, order and page, kept in the URL's query.
#[derive(Debug, Clone, PartialEq)]
struct TableView {
    search: String,
    prefix: String,
    sort: Column,
    descending: bool,
    page: usize,
    page_size: usize,
}

impl Default for TableView {
    fn default() -> Self {
        TableView {
            search: String::new(),
            prefix: String::new(),
            sort: Column::HitsOverall,
            descending: true,
            page: 0,
            page_size: 25,
        }
    }
}

impl TableView {
    /// The view that the URL's query describes; what it leaves out (or gets wrong) is the
    /// default.
    fn from_query(value: impl Fn(&str) -> Option<String>) -> Self {
        let default = TableView::default();
        let (sort, descending) = match value(page_query::SORT) {
            Some(sort) => match sort.strip_prefix('-') {
                Some(key) => (Column::named(key), true),
                None => (Column::named(&sort), false),
            },
            None => (None, default.descending),
        };
        TableView {
            search: value(page_query::SEARCH).unwrap_or_default(),
            prefix: value(page_query::PREFIX).unwrap_or_default(),
            sort: sort.unwrap_or(default.sort),
            descending: if sort.is_some() {
                descending
            } else {
                default.descending
            },
            page: value(page_query::PAGE)
                .and_then(|page| page.parse::<usize>().ok())
                .map_or(0, |page| page.saturating_sub(1)),
            page_size: value(page_query::PAGE_SIZE)
                .and_then(|size| size.parse().ok())
                .filter(|size| PAGE_SIZES.contains(size))
                .unwrap_or(default.page_size),
        }
    }

    /// The URL's query of this view: defaults left out.
    fn to_query(&self) -> [(String, Option<String>); 5] {
        let default = TableView::default();
        let sort = (self.sort, self.descending) != (default.sort, default.descending);
        let direction = if self.descending { "-" } else { "" };
        [
            (page_query::SEARCH, Some(self.search.clone())),
            (page_query::PREFIX, Some(self.prefix.clone())),
            (
                page_query::SORT,
                sort.then(|| format!("{direction}{}", self.sort.key())),
            ),
            (
                page_query::PAGE,
                (self.page > 0).then(|| (self.page + 1).to_string()),
            ),
            (
                page_query::PAGE_SIZE,
                (self.page_size != default.page_size).then(|| self.page_size.to_string()),
            ),
        ]
        .map(|(key, value)| (key.to_owned(), value))
    }

    /// The rows of the current page, and how many pages there are.
    fn apply(&self, rows: &[OverviewRow]) -> (Vec<OverviewRow>, usize) {
        let search = self.search.to_lowercase();
        let mut shown: Vec<OverviewRow> = rows
            .iter()
            .filter(|row| row.name.to_lowercase().contains(&search))
            .filter(|row| row.route.starts_with(self.prefix.trim()))
            .cloned()
            .collect();
        shown.sort_by(|a, b| {
            let order = self.sort.compare(a, b).then_with(|| a.name.cmp(&b.name));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        let pages = shown.len().div_ceil(self.page_size).max(1);
        let page = self.page.min(pages - 1);
        let rows = shown
            .into_iter()
            .skip(page * self.page_size)
            .take(self.page_size)
            .collect();
        (rows, pages)
    }
}

/// The grouped profile of an endpoint in `version` against `baseline`'s, as the diff view.
fn profile_diff_link(id: i64, baseline: &str, version: &str) -> String {
    let query = serde_urlencoded::to_string([
        (page_query::PROFILE_VIEW, ProfileView::Diff.name()),
        (page_query::BASELINE, baseline),
        (page_query::VERSION, version),
    ])
    .unwrap_or_default();
    format!(
        "{}/endpoint/{id}/grouped-profiler?{query}",
        api::base_path()
    )
}

/// A median, "–" when there is none.
fn median(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), duration)
}

/// The cell class of an error count: highlighted only when there are errors.
fn error_class(kind: &str, count: u64) -> String {
    if count > 0 {
        format!("{kind} has-errors")
    } else {
        kind.to_owned()
    }
}

/// What the automatic comparison of the newest version with the previous one found.
#[component]
fn Regressions(comparison: Option<VersionComparison>) -> impl IntoView {
    comparison.map(|comparison| {
        let found = match comparison.regressed.len() {
            0 => "no endpoint is significantly slower".to_owned(),
            1 => "1 endpoint is significantly slower (marked below)".to_owned(),
            count => format!("{count} endpoints are significantly slower (marked below)"),
        };
        view! {
            <p class="hint" id=dom::VERSION_COMPARISON data-regressed=comparison.regressed.len()>
                {format!("Version {} against {}: {found}.", comparison.version, comparison.baseline)}
            </p>
        }
    })
}

/// The table of endpoints with its controls.
#[component]
fn OverviewTable(
    rows: Vec<OverviewRow>,
    role: Role,
    comparison: Option<VersionComparison>,
) -> impl IntoView {
    let comparison = StoredValue::new(comparison);
    let rows = RwSignal::new(rows);
    let query = use_query_map();
    let writer = QueryWriter::new();
    let view_state =
        Memo::new(move |_| query.with(|query| TableView::from_query(|key| query.get(key))));
    // A change of the view is a step in the history; typing replaces the step it started.
    let change = move |update: &dyn Fn(&mut TableView)| {
        let mut view = view_state.get_untracked();
        update(&mut view);
        writer.set(view.to_query());
    };
    let typed = move |update: &dyn Fn(&mut TableView)| {
        let mut view = view_state.get_untracked();
        update(&mut view);
        writer.replace(view.to_query());
    };
    let message = RwSignal::new(None::<String>);
    let shown = Memo::new(move |_| view_state.with(|view| rows.with(|rows| view.apply(rows))));
    let header = Column::ALL
        .into_iter()
        .map(|(column, title, _)| {
            let sort = move || {
                change(&|view| {
                    view.descending = if view.sort == column {
                        !view.descending
                    } else {
                        column != Column::Name
                    };
                    view.sort = column;
                    view.page = 0;
                })
            };
            let sorted = move || {
                view_state.with(|view| match (view.sort == column, view.descending) {
                    (false, _) => "none",
                    (true, true) => "descending",
                    (true, false) => "ascending",
                })
            };
            let arrow = move || {
                view_state.with(|view| {
                    if view.sort != column {
                        ""
                    } else if view.descending {
                        " ▼"
                    } else {
                        " ▲"
                    }
                })
            };
            view! {
                <th class="sortable" aria-sort=sorted data-column=column.key()>
                    <button type="button" class="sort" on:click=move |_| sort()>{title}{arrow}</button>
                </th>
            }
        })
        .collect_view();
    let now = Utc::now();
    let body = move || {
        shown
            .get()
            .0
            .into_iter()
            .map(|row| {
                let id = row.id;
                let levels = (role == Role::Admin).then(|| {
                    let changed = move |stored: u8| {
                        rows.update(|rows| {
                            rows.iter_mut()
                                .filter(|row| row.id == id)
                                .for_each(|row| row.monitor_level = stored)
                        })
                    };
                    view! { <LevelButtons id current=row.monitor_level changed failed=move |failure| message.set(Some(failure)) /> }
                });
                let name = row.name.clone();
                let regressed = comparison.with_value(|comparison| {
                    comparison
                        .as_ref()
                        .filter(|comparison| comparison.regressed.contains(&id))
                        .map(|comparison| {
                            let title = format!(
                                "Significantly slower in version {} than in {} (Mood's median test)",
                                comparison.version, comparison.baseline
                            );
                            let diff = profile_diff_link(id, &comparison.baseline, &comparison.version);
                            view! { <a class="badge regressed" href=diff title=title>{format!("slower in {}", comparison.version)}</a> }
                        })
                });
                let is_regressed = regressed.is_some().to_string();
                view! {
                    <tr data-endpoint=row.name.clone() data-regressed=is_regressed>
                        <td class="name"><A href=format!("{}/endpoint/{id}", api::base_path())>{name}</A>" "{regressed}</td>
                        <td class="level">
                            {match levels {
                                Some(buttons) => buttons.into_any(),
                                None => view! { <span class="level-value">{row.monitor_level}</span> }.into_any(),
                            }}
                        </td>
                        <td class="hits-today">{row.hits_today}</td>
                        <td class="hits-week">{row.hits_week}</td>
                        <td class="hits-overall">{row.hits_overall}</td>
                        <td class=error_class("errors-today", row.errors_today)>{row.errors_today}</td>
                        <td class=error_class("errors-week", row.errors_week)>{row.errors_week}</td>
                        <td class=error_class("errors-overall", row.errors_overall)>{row.errors_overall}</td>
                        <td class="median-today">{median(row.median_today_ms)}</td>
                        <td class="median-week">{median(row.median_week_ms)}</td>
                        <td class="median-overall">{median(row.median_overall_ms)}</td>
                        <td class="last-requested" title=row.last_requested.map(|t| t.to_rfc3339()).unwrap_or_default()>
                            {ago(now, row.last_requested)}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let pages = move || shown.with(|(_, pages)| *pages);
    let page_label = move || {
        format!(
            "page {} of {}",
            view_state.with(|v| v.page.min(pages() - 1)) + 1,
            pages()
        )
    };
    view! {
        <div class="table-controls">
            <input id=dom::SEARCH placeholder="search endpoints" aria-label="Search endpoints"
                prop:value=move || view_state.with(|v| v.search.clone())
                on:input=move |ev| { let text = event_target_value(&ev); typed(&|v| { v.search = text.clone(); v.page = 0; }) } />
            <input id=dom::PREFIX placeholder="route prefix, e.g. /users" aria-label="Route prefix"
                prop:value=move || view_state.with(|v| v.prefix.clone())
                on:input=move |ev| { let text = event_target_value(&ev); typed(&|v| { v.prefix = text.clone(); v.page = 0; }) } />
            <select id=dom::PAGE_SIZE aria-label="Rows per page"
                on:change=move |ev| { let size = event_target_value(&ev).parse().unwrap_or(25); change(&|v| { v.page_size = size; v.page = 0; }) }>
                {PAGE_SIZES.map(|size| view! {
                    <option value=size selected=move || view_state.with(|v| v.page_size == size)>{format!("{size} per page")}</option>
                })}
            </select>
            <button id=dom::PREVIOUS_PAGE type="button" aria-label="Previous page"
                on:click=move |_| change(&|v| v.page = v.page.saturating_sub(1))>"‹"</button>
            <span id=dom::PAGE>{page_label}</span>
            <button id=dom::NEXT_PAGE type="button" aria-label="Next page"
                on:click=move |_| { let last = pages() - 1; change(&|v| v.page = (v.page + 1).min(last)) }>"›"</button>
        </div>
        <p class="error">{move || message.get()}</p>
        <ScrollTable>
            <table id=dom::OVERVIEW>
                <thead><tr>{header}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </ScrollTable>
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn row(name: &str, hits: u64, median: Option<f64>) -> OverviewRow {
        OverviewRow {
            id: hits as i64,
            name: name.to_owned(),
            method: "GET".to_owned(),
            route: name.trim_start_matches("GET ").to_owned(),
            monitor_level: 1,
            hits_today: hits,
            hits_week: hits,
            hits_overall: hits,
            errors_today: 0,
            errors_week: 0,
            errors_overall: 0,
            median_today_ms: median,
            median_week_ms: median,
            median_overall_ms: median,
            last_requested: None,
        }
    }

    #[test]
    fn medians_are_shown_with_a_fitting_unit() {
        assert_eq!(median(None), "–");
        assert_eq!(median(Some(12.345)), "12.3 ms");
        assert_eq!(error_class("errors-today", 0), "errors-today");
        assert_eq!(error_class("errors-today", 2), "errors-today has-errors");
    }

    #[test]
    fn filters_sorts_and_pages() {
        let rows = vec![
            row("GET /users/{id}", 5, Some(3.0)),
            row("GET /users", 9, None),
            row("GET /orders", 7, Some(1.0)),
        ];
        let names = |view: &TableView| {
            view.apply(&rows)
                .0
                .into_iter()
                .map(|r| r.name)
                .collect::<Vec<_>>()
        };
        let mut view = TableView::default();
        assert_eq!(
            names(&view),
            ["GET /users", "GET /orders", "GET /users/{id}"],
            "most hits first"
        );
        view.search = "USERS".into();
        assert_eq!(names(&view), ["GET /users", "GET /users/{id}"]);
        view.search.clear();
        view.prefix = "/orders".into();
        assert_eq!(names(&view), ["GET /orders"]);
        view.prefix.clear();
        view.sort = Column::MedianOverall;
        view.descending = false;
        assert_eq!(
            names(&view),
            ["GET /users", "GET /orders", "GET /users/{id}"],
            "no median sorts first"
        );
        view.page_size = 2;
        view.page = 1;
        assert_eq!(
            (names(&view), view.apply(&rows).1),
            (vec!["GET /users/{id}".to_owned()], 2)
        );
        view.page = 7;
        assert_eq!(
            names(&view),
            ["GET /users/{id}"],
            "a page past the end shows the last"
        );
    }

    #[test]
    fn the_view_goes_to_the_address_and_back() {
        let view = TableView {
            search: "users".to_owned(),
            prefix: String::new(),
            sort: Column::MedianWeek,
            descending: false,
            page: 2,
            page_size: 50,
        };
        let query: Vec<(String, Option<String>)> = view.to_query().to_vec();
        let value = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        assert_eq!(value(page_query::SORT).as_deref(), Some("median-week"));
        assert_eq!(
            value(page_query::PAGE).as_deref(),
            Some("3"),
            "pages count from 1"
        );
        assert_eq!(TableView::from_query(value), view);
        // The default view leaves the address empty; nonsense there gives the default.
        assert!(
            TableView::default()
                .to_query()
                .iter()
                .all(|(_, v)| v.as_deref().unwrap_or("").is_empty())
        );
        let nonsense = |key: &str| match key {
            "sort" => Some("-no-such-column".to_owned()),
            "per-page" => Some("7".to_owned()),
            "page" => Some("x".to_owned()),
            _ => None,
        };
        assert_eq!(TableView::from_query(nonsense), TableView::default());
    }
}
