//! Box plots (of latency per endpoint, version or user; of CPU and memory across outliers): whiskers from p5 to p95, the box from the first to the
//! third quartile, a line at the median.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, INK, Width, fit_label, text_style};
use crate::{BoxPlots, Spread};

const ROW_HEIGHT: u32 = 28;
const LEFT: u32 = 240;
const PLOT_WIDTH: u32 = 600;
const TOP: u32 = 30;

/// One row of a box plot: label, colour and p5, q1, median, q3, p95.
struct Row {
    label: String,
    colour: [u8; 3],
    values: [f64; 5],
}

/// Room right of the plot, for the last value's label.
const RIGHT: u32 = 80;

/// The label column and the plot's width at `width`.
fn columns(width: Width) -> (u32, u32) {
    width.columns((LEFT, PLOT_WIDTH), RIGHT)
}

/// The index of the row at height `y`.
fn row_at(rows: usize, y: i32) -> Option<usize> {
    let row = usize::try_from(y - TOP as i32).ok()? / ROW_HEIGHT as usize;
    (row < rows).then_some(row)
}

/// A box's figures for the tooltip.
fn describe(label: &str, [p5, q1, median, q3, p95]: [f64; 5], unit: &str) -> String {
    format!("{label}: p5 {p5:.1}, q1 {q1:.1}, median {median:.1}, q3 {q3:.1}, p95 {p95:.1} {unit}")
}

fn size(rows: usize, width: Width) -> (u32, u32) {
    let height = TOP + rows.max(1) as u32 * ROW_HEIGHT + 10;
    let (left, plot) = columns(width);
    (left + plot + RIGHT, height)
}

impl Chart for BoxPlots {
    fn size(&self, width: Width) -> (u32, u32) {
        size(self.boxes.len(), width)
    }

    fn tooltip(&self, _width: Width, _x: i32, y: i32) -> Option<String> {
        let latency = &self.boxes[row_at(self.boxes.len(), y)?];
        let values = [
            latency.p5_ms,
            latency.q1_ms,
            latency.median_ms,
            latency.q3_ms,
            latency.p95_ms,
        ];
        Some(describe(&latency.label, values, "ms"))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let rows = self.boxes.iter().map(|latency| Row {
            label: latency.label.clone(),
            colour: latency.colour,
            values: [
                latency.p5_ms,
                latency.q1_ms,
                latency.median_ms,
                latency.q3_ms,
                latency.p95_ms,
            ],
        });
        draw_rows(root, rows.collect(), "ms", columns(width))
    }
}

impl Chart for Spread {
    fn size(&self, width: Width) -> (u32, u32) {
        size(self.boxes.len(), width)
    }

    fn tooltip(&self, _width: Width, _x: i32, y: i32) -> Option<String> {
        let spread = &self.boxes[row_at(self.boxes.len(), y)?];
        let values = [spread.p5, spread.q1, spread.median, spread.q3, spread.p95];
        Some(describe(&spread.label, values, &self.unit))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let rows = self.boxes.iter().map(|spread| Row {
            label: format!("{} ({})", spread.label, spread.count),
            colour: super::BLUE,
            values: [spread.p5, spread.q1, spread.median, spread.q3, spread.p95],
        });
        draw_rows(root, rows.collect(), &self.unit, columns(width))
    }
}

/// Draws one box per row on an axis from 0 to the largest p95, the labels in a column `left`
/// wide and the axis `plot` wide.
fn draw_rows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: Vec<Row>,
    unit: &str,
    (left, plot): (u32, u32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let max = rows
        .iter()
        .map(|row| row.values[4])
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let x = |value: f64| (f64::from(left) + value / max * f64::from(plot)).round() as i32;
    let text = text_style(12);
    root.draw(&Text::new(
        format!("0 {unit}"),
        (left as i32, 8),
        text.clone(),
    ))?;
    root.draw(&Text::new(
        format!("{max:.1} {unit}"),
        (x(max) - 30, 8),
        text.clone(),
    ))?;
    for (index, row) in rows.into_iter().enumerate() {
        let y = (TOP + index as u32 * ROW_HEIGHT) as i32;
        let middle = y + ROW_HEIGHT as i32 / 2 - 2;
        let [r, g, b] = row.colour;
        let colour = RGBColor(r, g, b);
        let light = |channel: u8| (f64::from(channel) + (255.0 - f64::from(channel)) * 0.8) as u8;
        let [p5, q1, median, q3, p95] = row.values;
        root.draw(&Text::new(
            fit_label(&row.label, left.saturating_sub(8)),
            (4, middle - 6),
            text.clone(),
        ))?;
        root.draw(&PathElement::new(
            vec![(x(p5), middle), (x(p95), middle)],
            colour,
        ))?;
        for whisker in [p5, p95] {
            root.draw(&PathElement::new(
                vec![(x(whisker), middle - 6), (x(whisker), middle + 6)],
                colour,
            ))?;
        }
        let body = [(x(q1), middle - 9), (x(q3).max(x(q1) + 1), middle + 9)];
        root.draw(&Rectangle::new(
            body,
            RGBColor(light(r), light(g), light(b)).filled(),
        ))?;
        root.draw(&Rectangle::new(body, colour))?;
        root.draw(&PathElement::new(
            vec![(x(median), middle - 9), (x(median), middle + 9)],
            INK.stroke_width(2),
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
        let latency = |label: &str, median: f64| LatencyBox {
            label: label.into(),
            colour: crate::charts::BLUE,
            count: 10,
            p5_ms: median / 2.0,
            q1_ms: median * 0.8,
            median_ms: median,
            q3_ms: median * 1.2,
            p95_ms: median * 2.0,
            p99_ms: median * 2.5,
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

    #[test]
    fn spreads_carry_their_unit() {
        let spread = Spread {
            unit: "%".into(),
            boxes: vec![crate::SpreadBox {
                label: "core 0".into(),
                count: 3,
                p5: 10.0,
                q1: 20.0,
                median: 50.0,
                q3: 70.0,
                p95: 90.0,
                p99: 95.0,
            }],
        };
        let svg = crate::charts::svg(&spread);
        assert!(svg.contains("core 0 (3)") && svg.contains("90.0 %"));
    }
}
