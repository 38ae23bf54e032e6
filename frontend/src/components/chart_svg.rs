//! A chart drawn at the width of its place on the page: measured once it is shown and again
//! whenever the window's size changes, so that its text keeps its size on a phone and its plot
//! uses a wide screen (the downloads draw the same chart at its natural width). Pointing at it
//! names the value under the pointer.

use dashboard_shared::charts::{self, Chart, Width};
use leptos::ev::{self, MouseEvent};
use leptos::html::Div;
use leptos::prelude::*;

/// The width in CSS pixels of the element `node` (0 until it is shown), kept current as the
/// window resizes.
pub(crate) fn measured_width(node: NodeRef<Div>) -> ReadSignal<u32> {
    let (width, set_width) = signal(0_u32);
    let measure = move || {
        if let Some(element) = node.get_untracked() {
            let measured = u32::try_from(element.client_width()).unwrap_or(0);
            if measured != width.get_untracked() {
                set_width.set(measured);
            }
        }
    };
    Effect::new(move |_| {
        if node.get().is_some() {
            measure();
        }
    });
    let listener = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || listener.remove());
    width
}

/// `chart` as SVG in `<div class="chart" id={id}>` (no id when none), as wide as the div (or at its own width
/// when `natural`), with a line under it that names the value under the pointer.
#[component]
pub(crate) fn ChartSvg<C>(
    #[prop(optional, into)] id: Option<String>,
    chart: C,
    #[prop(optional)] natural: bool,
) -> impl IntoView
where
    C: Chart + Send + Sync + 'static,
{
    let node = NodeRef::<Div>::new();
    let measured = measured_width(node);
    let chart = StoredValue::new(chart);
    let width = move || match (natural, measured.get()) {
        (true, _) => Some(Width::Natural),
        (false, 0) => None,
        (false, width) => Some(Width::Fit(width)),
    };
    let svg = move || {
        width()
            .map(|width| chart.with_value(|chart| charts::svg_at(chart, width)))
            .unwrap_or_default()
    };
    let tooltip = RwSignal::new(None::<String>);
    let hover = move |event: MouseEvent| {
        let Some(width) = width() else { return };
        let Some(drawing) = node
            .get_untracked()
            .and_then(|div| div.first_element_child())
        else {
            return;
        };
        let shown = drawing.get_bounding_client_rect();
        let (drawn, _) = chart.with_value(|chart| chart.size(width));
        let scale = f64::from(drawn) / shown.width().max(1.0);
        let x = ((f64::from(event.client_x()) - shown.left()) * scale) as i32;
        let y = ((f64::from(event.client_y()) - shown.top()) * scale) as i32;
        tooltip.set(chart.with_value(|chart| chart.tooltip(width, x, y)));
    };
    let class = if natural { "chart natural" } else { "chart" };
    view! {
        <div class=class id=id node_ref=node inner_html=svg on:mousemove=hover
            on:mouseleave=move |_| tooltip.set(None)></div>
        <p class="chart-tooltip hint" aria-live="polite">
            {move || tooltip.get().unwrap_or_else(|| "Point at the chart for its values.".to_owned())}
        </p>
    }
}
