//! Box plots of latency per endpoint: whiskers from p5 to p95, the box from the first to the
//! third quartile, a line at the median.

use plotters::prelude::*;

use crate::ApiPerformance;

const ROW_HEIGHT: u32 = 28;
const LEFT: u32 = 240;
const PLOT_WIDTH: u32 = 600;
const TOP: u32 = 30;

/// The box plots as an SVG document.
pub fn api_performance_svg(performance: &ApiPerformance) -> String {
    let height = TOP + performance.endpoints.len().max(1) as u32 * ROW_HEIGHT + 10;
    super::render_svg((LEFT + PLOT_WIDTH + 80, height), |root| {
        draw(root, performance)
    })
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    performance: &ApiPerformance,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let max = performance
        .endpoints
        .iter()
        .map(|b| b.p95_ms)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let x = |ms: f64| (LEFT as f64 + ms / max * PLOT_WIDTH as f64).round() as i32;
    let text = ("sans-serif", 12).into_font().color(&RGBColor(29, 35, 48));
    root.draw(&Text::new("0 ms", (LEFT as i32, 8), text.clone()))?;
    root.draw(&Text::new(
        format!("{max:.1} ms"),
        (x(max) - 30, 8),
        text.clone(),
    ))?;
    let blue = RGBColor(47, 111, 237);
    for (row, latency) in performance.endpoints.iter().enumerate() {
        let y = (TOP + row as u32 * ROW_HEIGHT) as i32;
        let middle = y + ROW_HEIGHT as i32 / 2 - 2;
        root.draw(&Text::new(
            latency.endpoint.clone(),
            (4, middle - 6),
            text.clone(),
        ))?;
        root.draw(&PathElement::new(
            vec![(x(latency.p5_ms), middle), (x(latency.p95_ms), middle)],
            blue,
        ))?;
        for whisker in [latency.p5_ms, latency.p95_ms] {
            root.draw(&PathElement::new(
                vec![(x(whisker), middle - 6), (x(whisker), middle + 6)],
                blue,
            ))?;
        }
        let body = [
            (x(latency.q1_ms), middle - 9),
            (x(latency.q3_ms).max(x(latency.q1_ms) + 1), middle + 9),
        ];
        root.draw(&Rectangle::new(body, RGBColor(222, 233, 252).filled()))?;
        root.draw(&Rectangle::new(body, blue))?;
        let median = x(latency.median_ms);
        root.draw(&PathElement::new(
            vec![(median, middle - 9), (median, middle + 9)],
            RGBColor(29, 35, 48).stroke_width(2),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LatencyBox;

    #[test]
    fn draws_a_box_per_endpoint() {
        let latency = |endpoint: &str, median: f64| LatencyBox {
            endpoint: endpoint.into(),
            count: 10,
            p5_ms: median / 2.0,
            q1_ms: median * 0.8,
            median_ms: median,
            q3_ms: median * 1.2,
            p95_ms: median * 2.0,
        };
        let performance = ApiPerformance {
            from: "2026-11-15".into(),
            to: "2026-11-21".into(),
            endpoints: vec![latency("GET /slow", 100.0), latency("GET /fast", 2.0)],
        };
        let svg = api_performance_svg(&performance);
        assert!(svg.contains("GET /slow") && svg.contains("GET /fast"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 2,
            "background, then a filled and an outlined box each"
        );
        assert!(svg.contains("200.0 ms"), "the axis ends at the largest p95");
    }
}
