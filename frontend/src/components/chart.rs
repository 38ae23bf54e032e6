//! A chart on a page: its card with the data loaded for the page's range of days, its own
//! choices of versions and users, and SVG and PNG downloads of the same drawing.

use dashboard_shared::api::{NoBody, Route};
use dashboard_shared::dom;
use dashboard_shared::{ChartQuery, ImageFormat};
use leptos::prelude::*;

use crate::api;
use crate::app::SessionState;
use crate::components::loaded::Loaded;

/// The range of days that every chart of a page shows (`YYYY-MM-DD`, empty for the server's
/// default of the last seven days).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayRange {
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl DayRange {
    /// Provides a range for the page's charts, starting with the default.
    pub(crate) fn provide() {
        provide_context(DayRange {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
        });
    }
}

/// The inputs of the page's range of days.
#[component]
pub(crate) fn DayRangeInputs() -> impl IntoView {
    let range = expect_context::<DayRange>();
    view! {
        <div class="table-controls">
            <label>"From "<input id=dom::FROM type="date" on:change=move |ev| range.from.set(event_target_value(&ev)) /></label>
            <label>"To "<input id=dom::TO type="date" on:change=move |ev| range.to.set(event_target_value(&ev)) /></label>
        </div>
    }
}

/// A chart's choices: `None` leaves them to the server (newest versions, busiest callers, every
/// endpoint).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selection {
    /// The chosen versions.
    pub(crate) versions: RwSignal<Option<Vec<String>>>,
    /// The chosen users or addresses.
    pub(crate) callers: RwSignal<Option<Vec<String>>>,
    /// The chosen endpoints.
    pub(crate) endpoints: RwSignal<Option<Vec<String>>>,
}

/// The query of a chart: the page's range of days (empty inputs leave the server's default) and
/// the card's choices, comma-separated.
fn chart_query(range: DayRange, selection: Selection) -> ChartQuery {
    let day = |input: RwSignal<String>| input.get().parse().ok();
    let list = |chosen: RwSignal<Option<Vec<String>>>| chosen.get().map(|names| names.join(","));
    ChartQuery {
        from: day(range.from),
        to: day(range.to),
        format: None,
        versions: list(selection.versions),
        callers: list(selection.callers),
        endpoints: list(selection.endpoints),
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
    R::Response: Clone + 'static,
    V: IntoView + 'static,
{
    let _ = route;
    let session = expect_context::<SessionState>();
    let range = expect_context::<DayRange>();
    let selection = Selection {
        versions: RwSignal::new(None),
        callers: RwSignal::new(None),
        endpoints: RwSignal::new(None),
    };
    let query = Memo::new(move |_| chart_query(range, selection));
    let data = LocalResource::new(move || {
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
    chosen: RwSignal<Option<Vec<String>>>,
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
                let ordered = all.with_value(|all| {
                    checked.with_value(|checked| {
                        all.iter().filter(|c| checked.contains(c)).cloned().collect()
                    })
                });
                chosen.set(Some(ordered));
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
