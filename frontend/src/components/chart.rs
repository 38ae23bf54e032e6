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

/// The range that every chart of a page shows, kept in the URL's query: days (`from` and `to`,
/// `YYYY-MM-DD`; none for the server's default of the last seven days) or, on pages whose data
/// has hours, the last `hours`.
#[derive(Clone, Copy)]
pub(crate) struct DayRange {
    from: UrlParam,
    to: UrlParam,
    hours: Option<UrlParam>,
    /// The instance the page is limited to (`InstanceSelect`), if any.
    instance: UrlParam,
    writer: QueryWriter,
}

impl DayRange {
    /// Provides the page's range of days to its charts.
    pub(crate) fn provide() {
        DayRange::provide_with(None);
    }

    /// Provides the page's range to its charts, which can also show the last hours.
    pub(crate) fn provide_with_hours() {
        DayRange::provide_with(Some(UrlParam::new(page_query::HOURS)));
    }

    fn provide_with(hours: Option<UrlParam>) {
        provide_context(DayRange {
            from: UrlParam::new(page_query::FROM),
            to: UrlParam::new(page_query::TO),
            hours,
            instance: UrlParam::new(page_query::INSTANCE),
            writer: QueryWriter::new(),
        });
    }

    /// The range (and the instance chosen) as a chart query (tracked): none of the card's
    /// choices.
    pub(crate) fn query(self) -> ChartQuery {
        let instance = self.instance.parsed();
        match self.hours.and_then(|hours| hours.parsed()) {
            Some(hours) => ChartQuery {
                hours: Some(hours),
                instance,
                ..ChartQuery::default()
            },
            None => ChartQuery {
                from: self.from.parsed(),
                to: self.to.parsed(),
                instance,
                ..ChartQuery::default()
            },
        }
    }

    /// Shows `from` to `to` (none: the default), or the last `hours`, as one step of the
    /// history.
    fn set(self, from: Option<NaiveDate>, to: Option<NaiveDate>, hours: Option<u32>) {
        let mut changes = vec![
            (self.from.key(), from.map(|day| day.to_string())),
            (self.to.key(), to.map(|day| day.to_string())),
        ];
        if let Some(param) = self.hours {
            changes.push((param.key(), hours.map(|hours| hours.to_string())));
        }
        self.writer.set(changes);
    }

    /// Sets one end of the range of days, leaving the other (and any hours) behind.
    fn set_day(self, end: UrlParam, day: String) {
        let mut changes = vec![(end.key(), Some(day))];
        if let Some(param) = self.hours {
            changes.push((param.key(), None));
        }
        self.writer.set(changes);
    }
}

/// The quick choices of a range of days: the last this many, today included.
const QUICK_DAYS: [(u64, &str); 3] = [(1, "Today"), (7, "7 days"), (30, "30 days")];

/// The quick choices of the last hours, on pages whose data has hours.
const QUICK_HOURS: [(u32, &str); 2] = [(1, "Last hour"), (24, "24 h")];

/// The inputs of the page's range of days, with quick choices of the last hours (where the
/// data has them) and days.
#[component]
pub(crate) fn DayRangeInputs() -> impl IntoView {
    let range = expect_context::<DayRange>();
    let day = |param: UrlParam| move || param.get().unwrap_or_default();
    let pressed = move |days: Option<u64>, hours: Option<u32>| {
        move || {
            let query = range.query();
            let today = Local::now().date_naive();
            let shown = match days {
                Some(days) => {
                    query.hours.is_none()
                        && query.to == Some(today)
                        && query.from == Some(today - chrono::Days::new(days - 1))
                }
                None => query.hours == hours,
            };
            shown.to_string()
        }
    };
    let quick_hours = range.hours.map(|_| {
        QUICK_HOURS
            .into_iter()
            .map(|(hours, label)| {
                view! {
                    <button type="button" class="quick-range" data-hours=hours aria-pressed=pressed(None, Some(hours))
                        on:click=move |_| range.set(None, None, Some(hours))>{label}</button>
                }
            })
            .collect_view()
    });
    let quick_days = QUICK_DAYS
        .into_iter()
        .map(|(days, label)| {
            let choose = move |_| {
                let today = Local::now().date_naive();
                range.set(Some(today - chrono::Days::new(days - 1)), Some(today), None);
            };
            view! {
                <button type="button" class="quick-range" data-days=days aria-pressed=pressed(Some(days), None)
                    on:click=choose>{label}</button>
            }
        })
        .collect_view();
    view! {
        <div class="table-controls range">
            <label>"From "<input id=dom::FROM type="date" prop:value=day(range.from)
                on:change=move |ev| range.set_day(range.from, event_target_value(&ev)) /></label>
            <label>"To "<input id=dom::TO type="date" prop:value=day(range.to)
                on:change=move |ev| range.set_day(range.to, event_target_value(&ev)) /></label>
            {quick_hours}
            {quick_days}
            <button type="button" class="quick-range" on:click=move |_| range.set(None, None, None)>"Default"</button>
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
