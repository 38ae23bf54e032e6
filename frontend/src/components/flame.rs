//! The flame graph (icicle) of a grouped profile: the request across the top, each path below
//! its parent as wide as its share of the parent's time. Clicking a box (or Enter on it) zooms
//! into it, clicking the top box zooms back out; the search highlights the paths whose function
//! or module contains the text. The zoom and the search live in the URL like every choice.

use dashboard_shared::GroupedLine;
use dashboard_shared::dom;
use dashboard_shared::flame::{self, FlameBox};
use dashboard_shared::sunburst;
use leptos::html::Div;
use leptos::prelude::*;

use crate::components::chart_svg::measured_width;
use crate::components::sunburst::{describe, hue, on_activate};
use crate::components::url_state::UrlParam;

/// Height of a row, in CSS pixels (the drawing is as wide as its place on the page).
const ROW: f64 = 24.0;
/// Boxes narrower than this carry no label.
const LABELLED: f64 = 48.0;

/// The flame graph of `lines` (a grouped profile's, pre-order, the request first), zoomed into
/// the URL's `zoom` and highlighting its `find`. `colours`, one per line, replace the colours by
/// function (the diff's colours by change).
#[component]
pub(crate) fn FlameGraph(
    lines: Vec<GroupedLine>,
    zoom: UrlParam,
    find: UrlParam,
    #[prop(optional)] colours: Option<Vec<String>>,
) -> impl IntoView {
    let count = lines.len();
    let flame = Flame {
        parents: StoredValue::new(sunburst::parents(&lines)),
        lines: StoredValue::new(lines),
        colours: StoredValue::new(colours),
        zoom,
    };
    let lines = flame.lines;
    let focus = move || {
        zoom.parsed::<usize>()
            .filter(|&line| line < count)
            .unwrap_or(0)
    };
    let node = NodeRef::<Div>::new();
    let measured = measured_width(node);
    let boxes = move || {
        let width = f64::from(measured.get().max(320));
        let focus = focus();
        let boxes = lines.with_value(|lines| flame::layout(lines, focus));
        let rows = boxes.iter().map(|b| b.depth).max().unwrap_or(0) + 1;
        let text = find.get().unwrap_or_default();
        let drawn = boxes
            .into_iter()
            .map(|b| {
                let class = match text.trim().is_empty() {
                    true => "",
                    false if lines.with_value(|lines| flame::matches(&lines[b.line], &text)) => {
                        "match"
                    }
                    false => "dim",
                };
                flame.frame_box(b, width, class)
            })
            .collect_view();
        let height = rows as f64 * ROW;
        view! {
            <svg id=dom::FLAME_GRAPH viewBox=format!("0 0 {width} {height}") width=width height=height role="group"
                aria-label="Flame graph of the grouped profile" data-focus=focus>
                {drawn}
            </svg>
        }
    };
    let matched = move || {
        let text = find.get().unwrap_or_default();
        let matched = lines.with_value(|lines| {
            lines
                .iter()
                .filter(|line| flame::matches(line, &text))
                .count()
        });
        (!text.trim().is_empty()).then(|| format!("{matched} matching paths"))
    };
    view! {
        <div class="flame" node_ref=node>
            <div class="table-controls">
                <input id=dom::FLAME_SEARCH type="search" placeholder="find a function"
                    aria-label="Find a function in the flame graph"
                    prop:value=move || find.get().unwrap_or_default()
                    on:input=move |ev| find.replace(Some(event_target_value(&ev))) />
                <span id=dom::FLAME_MATCHES class="hint">{matched}</span>
                <button type="button" on:click=move |_| zoom.set(None)>"Reset zoom"</button>
            </div>
            {boxes}
        </div>
    }
}

/// What every box of a flame graph draws from.
#[derive(Clone, Copy)]
struct Flame {
    lines: StoredValue<Vec<GroupedLine>>,
    /// One per line, replacing the colours by function.
    colours: StoredValue<Option<Vec<String>>>,
    parents: StoredValue<Vec<Option<usize>>>,
    zoom: UrlParam,
}

impl Flame {
    /// One path's box, `total_width` being the drawing's and `class` its highlight (`match`,
    /// `dim` or none): zooms in on click, Enter or Space (the top box zooms out).
    fn frame_box(self, b: FlameBox, total_width: f64, class: &'static str) -> impl IntoView {
        let Flame {
            lines,
            colours,
            parents,
            zoom,
        } = self;
        let line = b.line;
        let (function, title) = lines.with_value(|lines| {
            let line = &lines[line];
            (line.code.function.clone(), describe(line))
        });
        let fill = colours
            .with_value(|colours| colours.as_ref().and_then(|c| c.get(line).cloned()))
            .unwrap_or_else(|| {
                format!("hsl({}, 60%, {}%)", hue(&function), 62 + 6 * (b.depth % 3))
            });
        let zoom_here = move || {
            if b.depth == 0 {
                let parent = parents.with_value(|parents| parents[line]);
                zoom.set(parent.filter(|&p| p > 0).map(|p| p.to_string()));
            } else {
                zoom.set(Some(line.to_string()));
            }
        };
        let (x, width, y) = (
            b.start * total_width,
            b.width * total_width,
            b.depth as f64 * ROW,
        );
        let label = (width >= LABELLED).then(|| {
            let characters = ((width - 8.0) / 7.0) as usize;
            let shown: String = if function.chars().count() > characters {
                let mut cut: String = function
                    .chars()
                    .take(characters.saturating_sub(1))
                    .collect();
                cut.push('…');
                cut
            } else {
                function.clone()
            };
            view! { <text x=x + 4.0 y=y + ROW * 0.68>{shown}</text> }
        });
        view! {
            <g>
                <rect class=class x=x y=y width=width.max(0.5) height=ROW - 1.0 fill=fill
                    data-line=line data-depth=b.depth data-function=function.clone()
                    data-start=format!("{:.6}", b.start) data-width=format!("{:.6}", b.width)
                    tabindex="0" role="button" aria-label=title.clone()
                    on:click=move |_| zoom_here() on:keydown=on_activate(zoom_here)>
                    <title>{title.clone()}</title>
                </rect>
                {label}
            </g>
        }
    }
}
