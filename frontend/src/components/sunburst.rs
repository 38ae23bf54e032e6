//! The sunburst of a grouped profile: one arc per path, rings by depth, angles by total time,
//! a parent's self time left empty beside its children. Clicking an arc zooms into it, clicking
//! the middle or the breadcrumb zooms back out; hovering shows the path's figures.

use dashboard_shared::GroupedLine;
use dashboard_shared::dom;
use dashboard_shared::sunburst::{self, SunArc};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::components::url_state::UrlParam;

/// Radius of the disc in the middle (the focused path) and of the whole chart, in SVG units.
const CENTRE: f64 = 50.0;
const RADIUS: f64 = 200.0;

/// A stable hue for a function name, so that a function has one colour wherever it appears.
pub(crate) fn hue(name: &str) -> u32 {
    name.bytes().fold(2_166_136_261_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(16_777_619)
    }) % 360
}

/// A key handler that runs `action` on Enter or Space, as a button does: the arcs and boxes of
/// the profile charts are reachable with Tab and zoom from the keyboard.
pub(crate) fn on_activate(action: impl Fn() + 'static) -> impl Fn(KeyboardEvent) + 'static {
    move |event: KeyboardEvent| {
        if event.key() == "Enter" || event.key() == " " {
            event.prevent_default();
            action();
        }
    }
}

/// The figures of a path, for the tooltip.
pub(crate) fn describe(line: &GroupedLine) -> String {
    format!(
        "{}: {} hits ({:.0} %), mean {:.1} ms, total {:.1} ms ({:.1} % of the time), self {:.1} ms",
        line.code.function,
        line.hits,
        line.hits_percent,
        line.mean_ms,
        line.total_ms,
        line.time_percent,
        line.self_ms
    )
}

/// The sunburst of `lines` (a grouped profile's, pre-order, the request first), zoomed into
/// the URL's `zoom`.
#[component]
pub(crate) fn Sunburst(lines: Vec<GroupedLine>, zoom: UrlParam) -> impl IntoView {
    let parents = sunburst::parents(&lines);
    let count = lines.len();
    let lines = StoredValue::new(lines);
    let parents = StoredValue::new(parents);
    let focus = Focus { zoom, count };
    let hovered = RwSignal::new(None::<usize>);
    let arcs = move || lines.with_value(|lines| sunburst::layout(lines, focus.get()));
    let breadcrumb = move || {
        let mut trail: Vec<usize> =
            std::iter::successors(Some(focus.get()), |&line| parents.with_value(|p| p[line]))
                .collect();
        trail.reverse();
        trail
            .into_iter()
            .map(|line| {
                let name = lines.with_value(|lines| lines[line].code.function.clone());
                view! {
                    <button type="button" class="crumb" data-line=line on:click=move |_| focus.set(line)>{name}</button>
                }
            })
            .collect_view()
    };
    let sectors = move || {
        let arcs = arcs();
        let ring = (RADIUS - CENTRE) / sunburst::depth(&arcs).max(1) as f64;
        arcs.into_iter()
            .map(|arc| sector(arc, ring, lines, parents, focus, hovered))
            .collect_view()
    };
    let tooltip = move || {
        hovered
            .get()
            .map(|line| lines.with_value(|lines| describe(&lines[line])))
            .unwrap_or_else(|| "Hover over an arc for its figures; click to zoom in.".to_owned())
    };
    view! {
        <div class="sunburst">
            <div id=dom::SUNBURST_BREADCRUMB class="breadcrumb">{breadcrumb}</div>
            <svg id=dom::SUNBURST viewBox=format!("{0} {0} {1} {1}", -RADIUS - 2.0, 2.0 * RADIUS + 4.0)
                role="group" aria-label="Sunburst of the grouped profile"
                data-focus=move || focus.get()>
                {sectors}
            </svg>
            <p id=dom::SUNBURST_TOOLTIP class="hint">{tooltip}</p>
        </div>
    }
}

/// The path the sunburst is zoomed into, kept in the URL (none: the request).
#[derive(Clone, Copy)]
struct Focus {
    zoom: UrlParam,
    count: usize,
}

impl Focus {
    fn get(self) -> usize {
        self.zoom
            .parsed::<usize>()
            .filter(|&line| line < self.count)
            .unwrap_or(0)
    }

    fn set(self, line: usize) {
        self.zoom.set((line > 0).then(|| line.to_string()));
    }
}

/// One arc: zooms in on click (the middle zooms out), names its figures on hover.
fn sector(
    arc: SunArc,
    ring: f64,
    lines: StoredValue<Vec<GroupedLine>>,
    parents: StoredValue<Vec<Option<usize>>>,
    focus: Focus,
    hovered: RwSignal<Option<usize>>,
) -> impl IntoView {
    let (inner, outer) = match arc.depth {
        0 => (0.0, CENTRE),
        depth => (
            CENTRE + ring * (depth - 1) as f64,
            CENTRE + ring * depth as f64,
        ),
    };
    let line = arc.line;
    let (function, title) = lines.with_value(|lines| {
        let line = &lines[line];
        (line.code.function.clone(), describe(line))
    });
    let lightness = 55 + 8 * arc.depth.min(4);
    let fill = format!("hsl({}, 60%, {lightness}%)", hue(&function));
    let zoom = move || {
        if arc.depth == 0 {
            if let Some(parent) = parents.with_value(|parents| parents[line]) {
                focus.set(parent);
            }
        } else {
            focus.set(line);
        }
    };
    view! {
        <path class="arc" d=sunburst::sector_path(inner, outer, arc.start, arc.end) fill=fill
            stroke="#fff" stroke-width="1" data-line=line data-depth=arc.depth data-function=function
            tabindex="0" role="button" aria-label=title.clone()
            on:click=move |_| zoom() on:keydown=on_activate(zoom)
            on:mouseenter=move |_| hovered.set(Some(line)) on:mouseleave=move |_| hovered.set(None)
            on:focus=move |_| hovered.set(Some(line))>
            <title>{title.clone()}</title>
        </path>
    }
}
