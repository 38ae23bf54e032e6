//! Charts drawn with plotters, the same code on a page and in the backend's downloads.

mod boxplot;
mod heatmap;

pub use boxplot::api_performance_svg;
pub use heatmap::hourly_load_svg;

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
