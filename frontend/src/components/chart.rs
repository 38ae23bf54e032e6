//! A chart on a page: its card with the data loaded for the page's range of days, its own
//! choices of versions and users, and SVG and PNG downloads of the same drawing.

use dashboard_shared::api::{NoBody, Route};
use dashboard_shared::dom;
use dashboard_shared::page_query::{self, Choice};
use dashboard_shared::{ChartQuery, ImageFormat};
use leptos::prelude::*;

use crate::api;
use crate::app::SessionState;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::url_state::{QueryWriter, UrlParam};
use chrono::{Local, NaiveDate};

/// The range of days that every chart of a page shows, kept in the URL's query (`from` and
/// `to`, `YYYY-MM-DD`; none for the server's default of the last seven days).
#[derive(Clone, Copy)]
pub(crate) struct DayRange {
    from: UrlParam,
    to: UrlParam,
}

impl DayRange {
    /// Provides the page's range to its charts.
    pub(crate) fn provide() {
        provide_context(DayRange {
            from: UrlParam::new(page_query::FROM),
            to: UrlParam::new(page_query::TO),
        });
    }

    /// The range as a chart query (tracked): none of the card's choices.
    pub(crate) fn query(self) -> ChartQuery {
        ChartQuery {
            from: self.from.parsed(),
            to: self.to.parsed(),
            ..ChartQuery::default()
        }
    }

    /// Sets both ends at once, as one step of the history.
    fn set(self, from: Option<NaiveDate>, to: Option<NaiveDate>) {
        QueryWriter::new().set([
            (self.from.key(), from.map(|day| day.to_string())),
            (self.to.key(), to.map(|day| day.to_string())),
        ]);
    }
}

/// The quick choices of a range: the last this many days, today included.
const QUICK_RANGES: [(u64, &str); 3] = [(1, "Today"), (7, "7 days"), (30, "30 days")];

/// The inputs of the page's range of days, with quick choices of the last days.
#[component]
pub(crate) fn DayRangeInputs() -> impl IntoView {
    let range = expect_context::<DayRange>();
    let writer = QueryWriter::new();
    let day = |param: UrlParam| move || param.get().unwrap_or_default();
    let quick = QUICK_RANGES
        .into_iter()
        .map(|(days, label)| {
            let choose = move |_| {
                let today = Local::now().date_naive();
                let from = today - chrono::Days::new(days - 1);
                writer.set([
                    (range.from.key(), Some(from.to_string())),
                    (range.to.key(), Some(today.to_string())),
                ]);
            };
            view! { <button type="button" class="quick-range" data-days=days on:click=choose>{label}</button> }
        })
        .collect_view();
    view! {
        <div class="table-controls range">
            <label>"From "<input id=dom::FROM type="date" prop:value=day(range.from)
                on:change=move |ev| range.from.set(Some(event_target_value(&ev))) /></label>
            <label>"To "<input id=dom::TO type="date" prop:value=day(range.to)
                on:change=move |ev| range.to.set(Some(event_target_value(&ev))) /></label>
            {quick}
            <button type="button" class="quick-range" on:click=move |_| range.set(None, None)>"Default"</button>
        </div>
    }
}

/// A chart's choices: `None` leaves them to the server (newest versions, busiest callers, every
/// endpoint).
#[derive(Clone, Copy)]
pub(crate) struct Selection {
    /// The chosen versions.
    pub(crate) versions: UrlParam,
    /// The chosen users or addresses.
    pub(crate) callers: UrlParam,
    /// The chosen endpoints.
    pub(crate) endpoints: UrlParam,
}

impl Selection {
    /// The choices of the card named `card`, kept in the URL's query.
    fn of(card: &str) -> Self {
        Selection {
            versions: UrlParam::new(Choice::Versions.key(card)),
            callers: UrlParam::new(Choice::Callers.key(card)),
            endpoints: UrlParam::new(Choice::Endpoints.key(card)),
        }
    }
}

/// The query of a chart: the page's range of days (none leaves the server's default) and the
/// card's choices, comma-separated.
fn chart_query(range: DayRange, selection: Selection) -> ChartQuery {
    ChartQuery {
        versions: selection.versions.get(),
        callers: selection.callers.get(),
        endpoints: selection.endpoints.get(),
        ..range.query()
    }
}

/// A chart's card: `route` is its API route in `dashboard_shared` (with `id` when the route has
/// one), whose answer `render` draws; `render` may offer [`Choices`] bound to the card's
/// [`Selection`]. `name` gives the element ids and the names of the downloads.
#[component]
pub(crate) fn ChartCard<R, V>(
    #[prop(into)] name: String,
    #[prop(into)] title: String,
    route: R,
    #[prop(optional)] id: Option<i64>,
    render: fn(R::Response, Selection) -> V,
) -> impl IntoView
where
    R: Route<Query = ChartQuery, Body = NoBody> + Copy + Send + Sync + 'static,
    R::Response: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let _ = route;
    let session = expect_context::<SessionState>();
    let range = expect_context::<DayRange>();
    let selection = Selection::of(&name);
    let query = Memo::new(move |_| chart_query(range, selection));
    let data = live_resource(move || {
        let query = query.get();
        async move {
            session.current().await?;
            api::chart::<R>(id, query).await
        }
    });
    let (svg_file, png_file) = (format!("{name}.svg"), format!("{name}.png"));
    let svg = move || api::chart_image_url::<R>(id, &query.get(), ImageFormat::Svg);
    let png = move || api::chart_image_url::<R>(id, &query.get(), ImageFormat::Png);
    view! {
        <section class="card chart-card" id=format!("{name}-card")>
            <div class="card-title">
                <h2>{title}</h2>
                <span class="spacer"></span>
                <a class="download" data-format="svg" href=svg download=svg_file>"SVG"</a>
                <a class="download" data-format="png" href=png download=png_file>"PNG"</a>
            </div>
            <Loaded resource=data ok={move |data| render(data, selection).into_any()} />
        </section>
    }
}

/// Check boxes to choose some of `choices`; `selected` are checked. A change stores the
/// checked ones, in the order of `choices`, in `chosen`.
#[component]
pub(crate) fn Choices(
    label: &'static str,
    choices: Vec<String>,
    selected: Vec<String>,
    chosen: UrlParam,
) -> impl IntoView {
    let checked = StoredValue::new(selected);
    let all = StoredValue::new(choices.clone());
    let boxes = choices
        .into_iter()
        .map(|choice| {
            let is_checked = checked.with_value(|checked| checked.contains(&choice));
            let value = choice.clone();
            let toggle = move |_| {
                checked.update_value(|checked| {
                    if let Some(position) = checked.iter().position(|c| *c == value) {
                        checked.remove(position);
                    } else {
                        checked.push(value.clone());
                    }
                });
                let ordered: Vec<String> = all.with_value(|all| {
                    checked.with_value(|checked| {
                        all.iter().filter(|c| checked.contains(c)).cloned().collect()
                    })
                });
                chosen.set(Some(ordered.join(",")));
            };
            view! {
                <label class="choice">
                    <input type="checkbox" data-choice=choice.clone() checked=is_checked on:change=toggle />
                    {choice.clone()}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices" data-choices=label>
            <legend>{label}</legend>
            {boxes}
        </fieldset>
    }
}
