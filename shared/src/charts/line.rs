//! The line chart of a custom graph: its values over the range's time, with the value axis
//! from the lowest value (or 0) to the highest.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Chart, INK, Width, text_style};
use crate::GraphData;

const LEFT: i32 = 80;
const TOP: i32 = 20;
const PLOT_WIDTH: i32 = 720;
const PLOT_HEIGHT: i32 = 200;
/// Points are marked with a dot while there are at most this many.
const MAX_DOTS: usize = 200;

/// Room right of the plot.
const RIGHT: i32 = 40;

/// The plot's width at `width` (the value labels keep their column).
fn plot_width(width: Width) -> i32 {
    match width {
        Width::Natural => PLOT_WIDTH,
        Width::Fit(width) => (i32::try_from(width).unwrap_or(i32::MAX) - LEFT - RIGHT).max(120),
    }
}

impl Chart for GraphData {
    fn size(&self, width: Width) -> (u32, u32) {
        (
            (LEFT + plot_width(width) + RIGHT) as u32,
            (TOP + PLOT_HEIGHT + 40) as u32,
        )
    }

    /// The value nearest in time to the pointer.
    fn tooltip(&self, width: Width, x: i32, _y: i32) -> Option<String> {
        let along = f64::from(x - LEFT) / f64::from(plot_width(width));
        if !(0.0..=1.0).contains(&along) {
            return None;
        }
        let span = (self.end - self.start).num_milliseconds() as f64;
        let time = self.start + chrono::TimeDelta::milliseconds((along * span) as i64);
        let nearest = self
            .points
            .iter()
            .min_by_key(|point| (point.time - time).num_milliseconds().abs())?;
        Some(format!(
            "{}: {}",
            nearest.time.format("%Y-%m-%d %H:%M:%S UTC"),
            format_value(nearest.value)
        ))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let plot = plot_width(width);
        let text = text_style(12);
        let bottom = TOP + PLOT_HEIGHT;
        root.draw(&PathElement::new(
            vec![(LEFT, TOP), (LEFT, bottom), (LEFT + plot, bottom)],
            INK,
        ))?;
        root.draw(&Text::new(
            self.from.clone(),
            (LEFT, bottom + 8),
            text.clone(),
        ))?;
        root.draw(&Text::new(
            self.to.clone(),
            (LEFT + plot - 70, bottom + 8),
            text.clone(),
        ))?;
        if self.points.is_empty() {
            return root.draw(&Text::new(
                "No values in this range",
                (LEFT + plot / 2 - 70, TOP + PLOT_HEIGHT / 2),
                text,
            ));
        }
        let (low, high) = value_range(self);
        for (value, y) in [(low, bottom), (high, TOP)] {
            root.draw(&Text::new(format_value(value), (4, y - 6), text.clone()))?;
        }
        let span = (self.end - self.start).num_milliseconds().max(1) as f64;
        let position = |point: &crate::GraphPoint| {
            let along = (point.time - self.start).num_milliseconds() as f64 / span;
            let up = (point.value - low) / (high - low);
            (
                LEFT + (along.clamp(0.0, 1.0) * f64::from(plot)).round() as i32,
                bottom - (up * f64::from(PLOT_HEIGHT)).round() as i32,
            )
        };
        let [r, g, b] = BLUE;
        let colour = RGBColor(r, g, b);
        let coordinates: Vec<(i32, i32)> = self.points.iter().map(position).collect();
        root.draw(&PathElement::new(
            coordinates.clone(),
            colour.stroke_width(2),
        ))?;
        if coordinates.len() <= MAX_DOTS {
            for coordinate in coordinates {
                root.draw(&Circle::new(coordinate, 3, colour.filled()))?;
            }
        }
        Ok(())
    }
}

/// The value axis: from the lowest value, or 0 when all are positive, to the highest; never
/// empty.
fn value_range(data: &GraphData) -> (f64, f64) {
    let values = data.points.iter().map(|point| point.value);
    let low = values.clone().fold(0.0, f64::min);
    let high = values.fold(f64::MIN, f64::max);
    if high > low {
        (low, high)
    } else {
        (low, low + 1.0)
    }
}

/// A value on the axis, with up to three decimals and none that end in zero.
fn format_value(value: f64) -> String {
    let text = format!("{value:.3}");
    match text.trim_end_matches('0').trim_end_matches('.') {
        "-0" => "0".to_owned(),
        text => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};

    use super::*;
    use crate::{CustomGraph, GraphPoint};

    fn data(values: &[f64]) -> GraphData {
        let start = Utc.with_ymd_and_hms(2026, 11, 8, 0, 0, 0).unwrap();
        GraphData {
            graph: CustomGraph {
                id: 1,
                title: "Users".into(),
                time_added: start,
                version_added: "1.0".into(),
                schedule: None,
            },
            from: "2026-11-08".into(),
            to: "2026-11-21".into(),
            start,
            end: start + TimeDelta::days(14),
            bucket_seconds: None,
            points: values
                .iter()
                .enumerate()
                .map(|(day, value)| GraphPoint {
                    time: start + TimeDelta::days(day as i64),
                    value: *value,
                })
                .collect(),
        }
    }

    #[test]
    fn draws_one_line_through_a_dot_per_value_with_the_axis_bounds() {
        let svg = crate::charts::svg(&data(&[3.0, 7.5, 12.0]));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("<polyline").count(), 2, "the axes and the line");
        let labels: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(labels.contains(&"0") && labels.contains(&"12"), "{svg}");
        assert!(svg.contains("2026-11-08") && svg.contains("2026-11-21"));
        // Day 1 of 14 is 720 / 14 ≈ 51 pixels right of the axis at 80.
        let data = data(&[3.0, 7.5, 12.0]);
        assert_eq!(
            data.tooltip(Width::Natural, 80 + 50, 100).as_deref(),
            Some("2026-11-09 00:00:00 UTC: 7.5")
        );
        assert_eq!(data.tooltip(Width::Natural, 10, 100), None);
    }

    #[test]
    fn an_empty_range_says_so_and_negative_values_lower_the_axis() {
        let svg = crate::charts::svg(&data(&[]));
        assert!(svg.contains("No values in this range"));
        assert_eq!(value_range(&data(&[-2.0, 4.0])), (-2.0, 4.0));
        assert_eq!(value_range(&data(&[0.0])), (0.0, 1.0));
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(1.0 / 3.0), "0.333");
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(0.0001), "0", "not `0.`");
        assert_eq!(format_value(-0.0001), "0");
        assert_eq!(
            format_value(2e15),
            "2000000000000000",
            "not `2000000000000000.`"
        );
    }
}
