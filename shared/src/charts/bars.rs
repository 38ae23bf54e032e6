//! Daily utilisation: one bar per day, stacked by endpoint, with a legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, Width, text_style};
use crate::DailyUtilization;

const BAR_WIDTH: u32 = 28;
const GAP: u32 = 10;
const LEFT: u32 = 50;
const TOP: u32 = 20;
const PLOT_HEIGHT: u32 = 240;
const LEGEND_ROW: u32 = 18;

/// A day's label is about this wide.
const LABEL_WIDTH: u32 = 36;

impl DailyUtilization {
    /// The width of a bar and the step from one bar to the next, at `width`.
    fn bars(&self, width: Width) -> (u32, u32) {
        let days = self.days.len().max(1) as u32;
        match width {
            Width::Natural => (BAR_WIDTH, BAR_WIDTH + GAP),
            Width::Fit(width) => {
                let step = (width.saturating_sub(LEFT + 20) / days).max(3);
                ((step * 3 / 4).clamp(2, 80), step)
            }
        }
    }
}

impl Chart for DailyUtilization {
    fn size(&self, width: Width) -> (u32, u32) {
        let days = self.days.len().max(1) as u32;
        let plot_width = match width {
            Width::Natural => (LEFT + days * (BAR_WIDTH + GAP) + 20).max(420),
            Width::Fit(_) => LEFT + days * self.bars(width).1 + 20,
        };
        let height = TOP + PLOT_HEIGHT + 40 + self.endpoints.len() as u32 * LEGEND_ROW;
        (plot_width, height)
    }

    fn tooltip(&self, width: Width, x: i32, y: i32) -> Option<String> {
        let (_, step) = self.bars(width);
        let day = usize::try_from(x - LEFT as i32).ok()? / step as usize;
        let label = self.days.get(day)?;
        if y > (TOP + PLOT_HEIGHT) as i32 {
            return None;
        }
        let hits = self
            .endpoints
            .iter()
            .map(|series| (series, series.hits.get(day).copied().unwrap_or(0)))
            .filter(|(_, hits)| *hits > 0);
        let total: u64 = hits.clone().map(|(_, hits)| hits).sum();
        let each: Vec<String> = hits
            .map(|(series, hits)| format!("{} {hits}", series.endpoint))
            .collect();
        Some(match each.is_empty() {
            true => format!("{label}: no requests"),
            false => format!("{label}: {total} requests ({})", each.join(", ")),
        })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (bar_width, step) = self.bars(width);
        // Every day's label when there is room, else every few days'.
        let label_every = LABEL_WIDTH.div_ceil(step).max(1) as usize;
        let totals: Vec<u64> = (0..self.days.len())
            .map(|day| {
                self.endpoints
                    .iter()
                    .map(|series| series.hits.get(day).copied().unwrap_or(0))
                    .sum()
            })
            .collect();
        let max = totals.iter().copied().max().unwrap_or(0).max(1);
        let text = text_style(11);
        let bottom = (TOP + PLOT_HEIGHT) as i32;
        let height_of = |hits: u64| (hits as f64 / max as f64 * PLOT_HEIGHT as f64).round() as i32;
        root.draw(&Text::new(
            max.to_string(),
            (4, TOP as i32 - 6),
            text.clone(),
        ))?;
        root.draw(&Text::new("0", (4, bottom - 6), text.clone()))?;
        for (day, label) in self.days.iter().enumerate() {
            let x = (LEFT + day as u32 * step) as i32;
            let mut top = bottom;
            for series in &self.endpoints {
                let hits = series.hits.get(day).copied().unwrap_or(0);
                if hits == 0 {
                    continue;
                }
                let [r, g, b] = series.colour;
                let next = top - height_of(hits);
                root.draw(&Rectangle::new(
                    [(x, next), (x + bar_width as i32, top)],
                    RGBColor(r, g, b).filled(),
                ))?;
                top = next;
            }
            if day % label_every == 0 {
                root.draw(&Text::new(
                    label.get(5..).unwrap_or(label).to_owned(),
                    (x - 2, bottom + 6),
                    text.clone(),
                ))?;
            }
        }
        for (row, series) in self.endpoints.iter().enumerate() {
            let y = bottom + 28 + (row as u32 * LEGEND_ROW) as i32;
            let [r, g, b] = series.colour;
            root.draw(&Rectangle::new(
                [(LEFT as i32, y), (LEFT as i32 + 12, y + 12)],
                RGBColor(r, g, b).filled(),
            ))?;
            root.draw(&Text::new(
                series.endpoint.clone(),
                (LEFT as i32 + 18, y),
                text.clone(),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EndpointSeries;

    #[test]
    fn stacks_one_rectangle_per_endpoint_and_day_with_requests() {
        let utilization = DailyUtilization {
            timezone: "UTC".into(),
            days: vec!["2026-11-19".into(), "2026-11-20".into()],
            endpoints: vec![
                EndpointSeries {
                    endpoint: "GET /a".into(),
                    colour: [1, 2, 3],
                    hits: vec![4, 0],
                },
                EndpointSeries {
                    endpoint: "GET /b".into(),
                    colour: [4, 5, 6],
                    hits: vec![2, 6],
                },
            ],
            choices: vec![],
        };
        let svg = crate::charts::svg(&utilization);
        // The background, three bar segments (no segment for zero) and two legend squares.
        assert_eq!(svg.matches("<rect").count(), 1 + 3 + 2, "{svg}");
        assert!(svg.contains("#010203") && svg.contains("#040506"));
        assert!(svg.contains("11-20") && svg.contains("GET /b"));
        // Natural bars step 38 pixels from 50: the second day is at 88 to 126.
        assert_eq!(
            utilization.tooltip(Width::Natural, 90, 100).as_deref(),
            Some("2026-11-20: 6 requests (GET /b 6)")
        );
        assert_eq!(
            utilization.tooltip(Width::Natural, 60, 100).as_deref(),
            Some("2026-11-19: 6 requests (GET /a 4, GET /b 2)")
        );
        assert_eq!(utilization.tooltip(Width::Natural, 130, 100), None);
    }
}
