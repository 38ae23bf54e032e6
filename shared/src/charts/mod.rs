//! Charts drawn with plotters, the same code on a page and in the backend's downloads.

mod bars;
mod boxplot;
mod heatmap;

pub use bars::daily_utilization_svg;
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

/// A stable colour for an endpoint name (FNV-1a hash to a hue; fixed saturation and
/// lightness), so an endpoint keeps its colour across charts and days.
pub fn endpoint_colour(name: &str) -> [u8; 3] {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let hue = (hash % 360) as f64;
    hsl_to_rgb(hue, 0.62, 0.52)
}

fn hsl_to_rgb(hue: f64, saturation: f64, lightness: f64) -> [u8; 3] {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let x = chroma * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match hue as u32 / 60 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    [r, g, b].map(|channel| ((channel + m) * 255.0).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_colours_are_stable_and_differ() {
        assert_eq!(
            endpoint_colour("GET /users/{id}"),
            endpoint_colour("GET /users/{id}")
        );
        assert_ne!(
            endpoint_colour("GET /users/{id}"),
            endpoint_colour("POST /orders")
        );
        assert_eq!(hsl_to_rgb(0.0, 1.0, 0.5), [255, 0, 0]);
        assert_eq!(hsl_to_rgb(240.0, 1.0, 0.5), [0, 0, 255]);
    }
}
