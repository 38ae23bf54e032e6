//! Box plots of latency per endpoint: whiskers from p5 to p95, the box from the first to the
//! third quartile, a line at the median.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, INK, text_style};
use crate::BoxPlots;

const ROW_HEIGHT: u32 = 28;
const LEFT: u32 = 240;
const PLOT_WIDTH: u32 = 600;
const TOP: u32 = 30;

impl Chart for BoxPlots {
    fn size(&self) -> (u32, u32) {
        let height = TOP + self.boxes.len().max(1) as u32 * ROW_HEIGHT + 10;
        (LEFT + PLOT_WIDTH + 80, height)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let max = self
            .boxes
            .iter()
            .map(|b| b.p95_ms)
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE);
        let x = |ms: f64| (LEFT as f64 + ms / max * PLOT_WIDTH as f64).round() as i32;
        let text = text_style(12);
        root.draw(&Text::new("0 ms", (LEFT as i32, 8), text.clone()))?;
        root.draw(&Text::new(
            format!("{max:.1} ms"),
            (x(max) - 30, 8),
            text.clone(),
        ))?;
        for (row, latency) in self.boxes.iter().enumerate() {
            let y = (TOP + row as u32 * ROW_HEIGHT) as i32;
            let middle = y + ROW_HEIGHT as i32 / 2 - 2;
            let [r, g, b] = latency.colour;
            let colour = RGBColor(r, g, b);
            let light =
                |channel: u8| (f64::from(channel) + (255.0 - f64::from(channel)) * 0.8) as u8;
            root.draw(&Text::new(
                latency.label.clone(),
                (4, middle - 6),
                text.clone(),
            ))?;
            root.draw(&PathElement::new(
                vec![(x(latency.p5_ms), middle), (x(latency.p95_ms), middle)],
                colour,
            ))?;
            for whisker in [latency.p5_ms, latency.p95_ms] {
                root.draw(&PathElement::new(
                    vec![(x(whisker), middle - 6), (x(whisker), middle + 6)],
                    colour,
                ))?;
            }
            let body = [
                (x(latency.q1_ms), middle - 9),
                (x(latency.q3_ms).max(x(latency.q1_ms) + 1), middle + 9),
            ];
            root.draw(&Rectangle::new(
                body,
                RGBColor(light(r), light(g), light(b)).filled(),
            ))?;
            root.draw(&Rectangle::new(body, colour))?;
            let median = x(latency.median_ms);
            root.draw(&PathElement::new(
                vec![(median, middle - 9), (median, middle + 9)],
                INK.stroke_width(2),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LatencyBox;

    #[test]
    fn draws_a_box_per_endpoint() {
        let latency = |label: &str, median: f64| LatencyBox {
            label: label.into(),
            colour: crate::charts::BLUE,
            count: 10,
            p5_ms: median / 2.0,
            q1_ms: median * 0.8,
            median_ms: median,
            q3_ms: median * 1.2,
            p95_ms: median * 2.0,
        };
        let performance = BoxPlots {
            from: "2026-11-15".into(),
            to: "2026-11-21".into(),
            boxes: vec![latency("GET /slow", 100.0), latency("GET /fast", 2.0)],
            choices: vec![],
        };
        let svg = crate::charts::svg(&performance);
        assert!(svg.contains("GET /slow") && svg.contains("GET /fast"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 2,
            "background, then a filled and an outlined box each"
        );
        assert!(svg.contains("200.0 ms"), "the axis ends at the largest p95");
    }
}
