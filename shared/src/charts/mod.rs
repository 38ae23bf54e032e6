//! Charts drawn with plotters, the same code on a page and in the backend's downloads.

mod boxplot;
mod heatmap;

pub use boxplot::api_performance_svg;
pub use heatmap::hourly_load_svg;

use plotters::coord::Shift;
use plotters::prelude::*;

/// An SVG document of `size` pixels on white, drawn by `draw`. Drawing into a string cannot
/// fail, so `draw`'s result only stops the drawing early.
pub(crate) fn render_svg<F>(size: (u32, u32), draw: F) -> String
where
    F: FnOnce(
        &DrawingArea<SVGBackend<'_>, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let _ = root
            .fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present());
    }
    svg
}

/// The colour of a cell holding `value` out of `max`: from a light background to the
/// dashboard's blue.
pub fn heat_colour(value: u64, max: u64) -> (u8, u8, u8) {
    if value == 0 || max == 0 {
        return (245, 246, 248);
    }
    let share = value as f64 / max as f64;
    let mix = |light: f64, dark: f64| (light + (dark - light) * share).round() as u8;
    (mix(222.0, 47.0), mix(233.0, 111.0), mix(252.0, 237.0))
}
