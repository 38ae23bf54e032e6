//! The status-code pie of an endpoint: a slice per status code, coloured by its class, with a
//! legend of counts and shares.

use std::f64::consts::TAU;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, Width, text_style};
use crate::StatusCodes;

const RADIUS: f64 = 110.0;
const CENTRE: (f64, f64) = (130.0, 130.0);
const LEGEND_LEFT: i32 = 270;
const LEGEND_ROW: u32 = 20;

/// The colour of a status code: green for success, blue for redirects, orange for client
/// errors, red for server errors; codes of one class differ in lightness.
pub fn status_colour(status_code: u16) -> [u8; 3] {
    let variant = f64::from(status_code % 100 % 5) * 0.08;
    let base: [f64; 3] = match status_code / 100 {
        2 => [46.0, 160.0, 87.0],
        3 => [47.0, 111.0, 237.0],
        4 => [230.0, 140.0, 30.0],
        5 => [214.0, 54.0, 54.0],
        _ => [120.0, 120.0, 120.0],
    };
    base.map(|channel| (channel + (255.0 - channel) * variant).round() as u8)
}

impl Chart for StatusCodes {
    /// The code whose legend row or slice is under the pointer.
    fn tooltip(&self, _width: Width, x: i32, y: i32) -> Option<String> {
        let total: u64 = self.codes.iter().map(|code| code.count).sum();
        let (dx, dy) = (f64::from(x) - CENTRE.0, f64::from(y) - CENTRE.1);
        let code = if x >= LEGEND_LEFT {
            self.codes
                .get(usize::try_from(y - 10).ok()? / LEGEND_ROW as usize)?
        } else if dx.hypot(dy) <= RADIUS && total > 0 {
            // Slices go clockwise from twelve o'clock.
            let angle = dx.atan2(-dy).rem_euclid(TAU);
            let mut start = 0.0;
            self.codes.iter().find(|code| {
                start += code.count as f64 / total as f64 * TAU;
                angle < start
            })?
        } else {
            return None;
        };
        let percent = if total > 0 {
            code.count as f64 / total as f64 * 100.0
        } else {
            0.0
        };
        Some(format!(
            "{}: {} requests ({percent:.1} %)",
            code.status_code, code.count
        ))
    }

    /// The pie keeps its size at any width.
    fn size(&self, _width: Width) -> (u32, u32) {
        let legend = self.codes.len() as u32 * LEGEND_ROW + 20;
        (460, legend.max(2 * CENTRE.1 as u32))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        _width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let total: u64 = self.codes.iter().map(|code| code.count).sum();
        if total == 0 {
            return root.draw(&Text::new(
                "No requests in this range",
                (20, 20),
                text_style(12),
            ));
        }
        let mut start = -TAU / 4.0;
        for (row, code) in self.codes.iter().enumerate() {
            let share = code.count as f64 / total as f64;
            let [r, g, b] = status_colour(code.status_code);
            let colour = RGBColor(r, g, b);
            root.draw(&Polygon::new(
                slice(start, start + share * TAU),
                colour.filled(),
            ))?;
            start += share * TAU;
            let y = 10 + (row as u32 * LEGEND_ROW) as i32;
            root.draw(&Rectangle::new(
                [(LEGEND_LEFT, y), (LEGEND_LEFT + 12, y + 12)],
                colour.filled(),
            ))?;
            root.draw(&Text::new(
                format!(
                    "{}: {} ({:.1} %)",
                    code.status_code,
                    code.count,
                    share * 100.0
                ),
                (LEGEND_LEFT + 18, y),
                text_style(12),
            ))?;
        }
        Ok(())
    }
}

/// The outline of a slice from angle `from` to `to` (radians), as a polygon.
fn slice(from: f64, to: f64) -> Vec<(i32, i32)> {
    let steps = ((to - from) / TAU * 120.0).ceil().max(1.0) as usize;
    let point = |angle: f64| {
        (
            (CENTRE.0 + RADIUS * angle.cos()).round() as i32,
            (CENTRE.1 + RADIUS * angle.sin()).round() as i32,
        )
    };
    let mut points = vec![(CENTRE.0 as i32, CENTRE.1 as i32)];
    points.extend((0..=steps).map(|step| point(from + (to - from) * step as f64 / steps as f64)));
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusCount;

    #[test]
    fn a_slice_and_a_legend_line_per_status_code() {
        let codes = StatusCodes {
            from: "2026-11-16".into(),
            to: "2026-11-22".into(),
            codes: vec![
                StatusCount {
                    status_code: 200,
                    count: 3,
                },
                StatusCount {
                    status_code: 500,
                    count: 1,
                },
            ],
        };
        let svg = crate::charts::svg(&codes);
        assert_eq!(svg.matches("<polygon").count(), 2, "{svg}");
        assert!(svg.contains("200: 3 (75.0 %)") && svg.contains("500: 1 (25.0 %)"));
        let [r, g, b] = status_colour(500);
        assert!(svg.contains(&format!("#{r:02X}{g:02X}{b:02X}")));
    }

    #[test]
    fn status_classes_have_their_own_colours() {
        assert_ne!(status_colour(200), status_colour(404));
        assert_ne!(status_colour(404), status_colour(500));
        assert_eq!(status_colour(200)[1], 160);
    }
}
