//! A chart drawn at the width of its place on the page: measured once it is shown and again
//! whenever the window's size changes, so that its text keeps its size on a phone and its plot
//! uses a wide screen (the downloads draw the same chart at its natural width).

use dashboard_shared::charts::{self, Chart, Width};
use leptos::ev;
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

/// `chart` as SVG in `<div class="chart" id={id}>`, as wide as the div.
#[component]
pub(crate) fn ChartSvg<C>(#[prop(into)] id: String, chart: C) -> impl IntoView
where
    C: Chart + Send + Sync + 'static,
{
    let node = NodeRef::<Div>::new();
    let width = measured_width(node);
    let chart = StoredValue::new(chart);
    let svg = move || match width.get() {
        0 => String::new(),
        width => chart.with_value(|chart| charts::svg_at(chart, Width::Fit(width))),
    };
    view! { <div class="chart" id=id node_ref=node inner_html=svg></div> }
}
