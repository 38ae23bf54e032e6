//! Charts drawn with plotters: the same code draws them on a page (SVG) and in the backend's
//! downloads (SVG and PNG).

mod bars;
mod boxplot;
mod grid;
mod line;
mod pie;

pub use pie::status_colour;

use plotters::coord::Shift;
use plotters::prelude::*;

/// How wide a chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Its own width, which its content asks for (the downloads).
    Natural,
    /// The width of the card it fills on a page, in CSS pixels: text keeps its size, the plot
    /// stretches or shrinks.
    Fit(u32),
}

impl Width {
    /// The label column and the plot's width: `natural` as they are, or fitted into the width
    /// less `right` (the label column at most a third of a narrow width, the plot at least 40
    /// pixels).
    pub(crate) fn columns(self, natural: (u32, u32), right: u32) -> (u32, u32) {
        match self {
            Width::Natural => natural,
            Width::Fit(width) => {
                let left = natural.0.min(width / 3);
                (left, width.saturating_sub(left + right).max(40))
            }
        }
    }
}

/// A chart: its size and how it draws itself on any plotters backend.
pub trait Chart {
    /// Width and height in pixels, drawn at `width`.
    fn size(&self, width: Width) -> (u32, u32);

    /// Draws the chart at `width` on `root` (of [`Chart::size`], already white).
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>;

    /// What the chart drawn at `width` shows at the point (`x`, `y`) of its drawing, named
    /// with its value: the page's tooltip.
    fn tooltip(&self, width: Width, x: i32, y: i32) -> Option<String>;
}

/// The chart as an SVG document at its natural width.
pub fn svg(chart: &impl Chart) -> String {
    svg_at(chart, Width::Natural)
}

/// The chart as an SVG document drawn at `width`.
pub fn svg_at(chart: &impl Chart, width: Width) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size(width)).into_drawing_area();
        // Drawing into a string cannot fail; an error would only end the drawing early.
        let _ = root
            .fill(&WHITE)
            .and_then(|()| chart.draw(&root, width))
            .and_then(|()| root.present());
    }
    svg
}

/// `label` cut to fit `width` pixels of 12-pixel text (at least two characters), with `…`
/// where it was cut.
pub(crate) fn fit_label(label: &str, width: u32) -> String {
    let chars = (width / 7).max(2) as usize;
    if label.chars().count() > chars {
        let kept: String = label.chars().take(chars - 1).collect();
        format!("{kept}…")
    } else {
        label.to_owned()
    }
}

/// The chart as a PNG image, its text set in the bundled DejaVu Sans.
#[cfg(feature = "png")]
pub fn png(chart: &impl Chart) -> Result<Vec<u8>, String> {
    static FONT: std::sync::Once = std::sync::Once::new();
    FONT.call_once(|| {
        // The bundled font is a valid TrueType file; should it not load, text is left out.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
    let (width, height) = chart.size(Width::Natural);
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| chart.draw(&root, Width::Natural))
            .and_then(|()| root.present())
            .map_err(|error| error.to_string())?;
    }
    let mut image = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut image, width, height);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&pixels))
        .map_err(|error| error.to_string())?;
    Ok(image)
}

/// The dashboard's text style.
pub(crate) fn text_style(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// The colour of text and lines.
pub(crate) const INK: RGBColor = RGBColor(29, 35, 48);
/// The dashboard's blue: the colour of boxes that are no endpoint's (versions, users).
pub const BLUE: [u8; 3] = [47, 111, 237];

/// The colour of a cell holding `value` out of `max`: from a light background to the
/// dashboard's blue.
pub fn heat_colour(value: f64, max: f64) -> (u8, u8, u8) {
    if value <= 0.0 || max <= 0.0 {
        return (245, 246, 248);
    }
    let share = (value / max).min(1.0);
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

    #[test]
    fn charts_fitted_to_a_width_fill_it() {
        let load = crate::HourlyLoad {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into()],
            counts: vec![vec![1; 24]],
        };
        let bars = crate::DailyUtilization {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into(); 7],
            endpoints: vec![],
            choices: vec![],
        };
        for width in [360, 1600] {
            let fits = |(drawn, _): (u32, u32)| drawn <= width && drawn + 24 >= width;
            assert!(
                fits(load.size(Width::Fit(width))),
                "{:?}",
                load.size(Width::Fit(width))
            );
            assert!(
                fits(bars.size(Width::Fit(width))),
                "{:?}",
                bars.size(Width::Fit(width))
            );
            // The drawing says its size, so the page can show it at that size.
            let svg = svg_at(&load, Width::Fit(width));
            let (drawn, _) = load.size(Width::Fit(width));
            assert!(svg.contains(&format!("width=\"{drawn}\"")), "{svg}");
        }
        // The natural width does not depend on any page.
        assert_eq!(load.size(Width::Natural), (90 + 24 * 32 + 10, 30 + 22 + 10));
    }

    #[test]
    fn heat_colours_go_from_light_to_dark() {
        assert_eq!(heat_colour(0.0, 10.0), (245, 246, 248));
        assert_eq!(heat_colour(10.0, 10.0), (47, 111, 237));
        let half = heat_colour(5.0, 10.0);
        assert!(half.0 < 222 && half.0 > 47);
    }

    #[cfg(feature = "png")]
    #[test]
    fn png_images_have_the_size_of_the_chart_and_text_in_them() {
        let load = crate::HourlyLoad {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into()],
            counts: vec![vec![1; 24]],
        };
        let image = png(&load).unwrap();
        let decoder = ::png::Decoder::new(std::io::Cursor::new(&image));
        let mut reader = decoder.read_info().unwrap();
        let (width, height) = load.size(Width::Natural);
        assert_eq!((reader.info().width, reader.info().height), (width, height));
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        // The day's label is drawn in the ink colour somewhere left of the cells.
        let ink = pixels
            .chunks(3)
            .enumerate()
            .filter(|(index, _)| (*index as u32 % width) < 80)
            .filter(|(_, pixel)| pixel[0] < 100 && pixel[1] < 100 && pixel[2] < 100)
            .count();
        assert!(ink > 20, "text was drawn: {ink} dark pixels");
    }
}
