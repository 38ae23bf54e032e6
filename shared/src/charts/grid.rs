//! Grids of shaded cells with labelled rows and columns: the hourly-load heatmap (days × hours),
//! the multi-version heatmap (endpoints × versions, % of each version's requests) and the
//! median matrices of an endpoint (users or addresses × versions).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, INK, Width, fit_label, heat_colour, text_style};
use crate::{HourlyLoad, MedianMatrix, VersionUtilization};

/// Where a grid's cells go.
struct Layout {
    /// Width of the row labels.
    left: u32,
    /// Height of the column labels.
    top: u32,
    cell_width: u32,
    cell_height: u32,
    columns: usize,
    rows: usize,
}

impl Layout {
    /// The layout at `width`: fitted, the cells share the width left of the labels.
    fn at(mut self, width: Width) -> Self {
        let columns = self.columns.max(1) as u32;
        let (left, plot) = width.columns((self.left, columns * self.cell_width), 10);
        self.left = left;
        self.cell_width = (plot / columns).max(8);
        self
    }

    /// The row and column of the cell at (`x`, `y`).
    fn cell_at(&self, x: i32, y: i32) -> Option<(usize, usize)> {
        let column = usize::try_from(x - self.left as i32).ok()? / self.cell_width as usize;
        let row = usize::try_from(y - self.top as i32).ok()? / self.cell_height as usize;
        (row < self.rows && column < self.columns).then_some((row, column))
    }

    fn size(&self) -> (u32, u32) {
        (
            self.left + self.columns.max(1) as u32 * self.cell_width + 10,
            self.top + self.rows.max(1) as u32 * self.cell_height + 10,
        )
    }

    /// Draws the labels and every cell: `cell(row, column)` gives its shade (0 to 1) and
    /// the text written in it, if any.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        column_labels: &[String],
        row_labels: &[String],
        cell: impl Fn(usize, usize) -> (f64, Option<String>),
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let text = text_style(12);
        let fits = fit_label;
        for (column, label) in column_labels.iter().enumerate() {
            let x = (self.left + column as u32 * self.cell_width + 4) as i32;
            root.draw(&Text::new(
                fits(label, self.cell_width),
                (x, self.top as i32 - 18),
                text.clone(),
            ))?;
        }
        for (row, label) in row_labels.iter().enumerate() {
            let y = (self.top + row as u32 * self.cell_height) as i32;
            root.draw(&Text::new(
                fits(label, self.left),
                (4, y + self.cell_height as i32 / 2 - 7),
                text.clone(),
            ))?;
            for column in 0..self.columns {
                let x = (self.left + column as u32 * self.cell_width) as i32;
                let (shade, written) = cell(row, column);
                let (r, g, b) = heat_colour(shade, 1.0);
                root.draw(&Rectangle::new(
                    [
                        (x, y),
                        (
                            x + self.cell_width as i32 - 2,
                            y + self.cell_height as i32 - 2,
                        ),
                    ],
                    RGBColor(r, g, b).filled(),
                ))?;
                if let Some(written) = written.filter(|w| fit_label(w, self.cell_width) == *w) {
                    let colour = if shade > 0.6 { WHITE } else { INK };
                    root.draw(&Text::new(
                        written,
                        (x + 6, y + self.cell_height as i32 / 2 - 6),
                        text.clone().color(&colour),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

impl HourlyLoad {
    fn layout(&self) -> Layout {
        Layout {
            left: 90,
            top: 30,
            cell_width: 32,
            cell_height: 22,
            columns: 24,
            rows: self.days.len(),
        }
    }
}

impl Chart for HourlyLoad {
    fn size(&self, width: Width) -> (u32, u32) {
        self.layout().at(width).size()
    }

    fn tooltip(&self, width: Width, x: i32, y: i32) -> Option<String> {
        let (day, hour) = self.layout().at(width).cell_at(x, y)?;
        let count = self.counts.get(day)?.get(hour).copied().unwrap_or(0);
        Some(format!("{} {hour:02}:00: {count} requests", self.days[day]))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let max = self.counts.iter().flatten().copied().max().unwrap_or(0);
        let hours: Vec<String> = (0..24).map(|hour| format!("{hour:02}")).collect();
        self.layout()
            .at(width)
            .draw(root, &hours, &self.days, |day, hour| {
                let count = self.counts[day].get(hour).copied().unwrap_or(0);
                (share(count as f64, max as f64), None)
            })
    }
}

impl VersionUtilization {
    fn layout(&self) -> Layout {
        Layout {
            left: 240,
            top: 30,
            cell_width: 90,
            cell_height: 24,
            columns: self.versions.len(),
            rows: self.endpoints.len(),
        }
    }
}

impl Chart for VersionUtilization {
    fn size(&self, width: Width) -> (u32, u32) {
        self.layout().at(width).size()
    }

    fn tooltip(&self, width: Width, x: i32, y: i32) -> Option<String> {
        let (endpoint, version) = self.layout().at(width).cell_at(x, y)?;
        Some(format!(
            "{} in {}: {} requests, {:.1} % of the version's",
            self.endpoints[endpoint],
            self.versions[version],
            self.hits.get(endpoint)?.get(version)?,
            self.percent(endpoint, version)
        ))
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        self.layout().at(width).draw(
            root,
            &self.versions,
            &self.endpoints,
            |endpoint, version| {
                let percent = self.percent(endpoint, version);
                (percent / 100.0, Some(format!("{percent:.1} %")))
            },
        )
    }
}

impl MedianMatrix {
    fn layout(&self) -> Layout {
        Layout {
            left: 200,
            top: 30,
            cell_width: 90,
            cell_height: 24,
            columns: self.versions.len(),
            rows: self.rows.len(),
        }
    }
}

impl Chart for MedianMatrix {
    fn size(&self, width: Width) -> (u32, u32) {
        self.layout().at(width).size()
    }

    fn tooltip(&self, width: Width, x: i32, y: i32) -> Option<String> {
        let (row, version) = self.layout().at(width).cell_at(x, y)?;
        let place = format!("{} in {}", self.rows[row], self.versions[version]);
        Some(match self.cells.get(row)?.get(version).copied().flatten() {
            Some(cell) => format!(
                "{place}: median {:.1} ms of {} requests",
                cell.median_ms, cell.count
            ),
            None => format!("{place}: no requests"),
        })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        width: Width,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let max = self
            .cells
            .iter()
            .flatten()
            .flatten()
            .map(|cell| cell.median_ms)
            .fold(0.0, f64::max);
        self.layout()
            .at(width)
            .draw(
                root,
                &self.versions,
                &self.rows,
                |row, version| match self.cells[row].get(version).copied().flatten() {
                    Some(cell) => (
                        share(cell.median_ms, max),
                        Some(format!("{:.1} ms", cell.median_ms)),
                    ),
                    None => (0.0, None),
                },
            )
    }
}

/// `value / max`, 0 when there is no maximum.
fn share(value: f64, max: f64) -> f64 {
    if max > 0.0 { value / max } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MatrixCell;
    use crate::charts::svg;

    #[test]
    fn hourly_load_has_a_cell_per_day_and_hour_darkest_at_the_maximum() {
        let mut monday = vec![0; 24];
        monday[9] = 10;
        monday[10] = 5;
        let load = HourlyLoad {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into(), "2026-11-17".into()],
            counts: vec![monday, vec![0; 24]],
        };
        let svg = svg(&load);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 48,
            "the background and 48 cells"
        );
        assert!(svg.contains("2026-11-17"));
        let (r, g, b) = heat_colour(1.0, 1.0);
        assert!(svg.contains(&format!("#{r:02X}{g:02X}{b:02X}")), "{svg}");
    }

    #[test]
    fn the_tooltip_names_the_cell_under_the_pointer() {
        let mut monday = vec![0; 24];
        monday[9] = 10;
        let load = HourlyLoad {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into(), "2026-11-17".into()],
            counts: vec![monday, vec![0; 24]],
        };
        // Natural cells are 32 × 22 right of 90 and below 30: hour 9 of the first day.
        let inside = (90 + 9 * 32 + 5, 30 + 5);
        assert_eq!(
            load.tooltip(Width::Natural, inside.0, inside.1).as_deref(),
            Some("2026-11-16 09:00: 10 requests")
        );
        assert_eq!(load.tooltip(Width::Natural, 10, 40), None, "on the labels");
        assert_eq!(
            load.tooltip(Width::Natural, 100, 30 + 2 * 22 + 1),
            None,
            "below"
        );
        // Fitted to 360 pixels the labels take 90, the 24 cells 10 each.
        assert_eq!(
            load.tooltip(Width::Fit(360), 90 + 23 * 10 + 1, 30 + 22 + 1)
                .as_deref(),
            Some("2026-11-17 23:00: 0 requests")
        );
    }

    #[test]
    fn version_columns_show_each_versions_share() {
        let utilization = VersionUtilization {
            from: "2026-11-16".into(),
            to: "2026-11-22".into(),
            versions: vec!["1.0".into(), "1.1".into()],
            endpoints: vec!["GET /a".into(), "GET /b".into()],
            hits: vec![vec![3, 0], vec![1, 5]],
            totals: vec![4, 5],
            choices: vec!["1.0".into(), "1.1".into()],
            endpoint_choices: vec!["GET /a".into(), "GET /b".into()],
        };
        assert_eq!(utilization.percent(0, 0), 75.0);
        assert_eq!(utilization.percent(1, 1), 100.0);
        let svg = svg(&utilization);
        assert!(svg.contains("75.0 %") && svg.contains("25.0 %") && svg.contains("0.0 %"));
        assert_eq!(svg.matches("<rect").count(), 1 + 4);
    }

    #[test]
    fn median_matrix_writes_the_median_in_each_filled_cell() {
        let cell = |median_ms| {
            Some(MatrixCell {
                count: 2,
                median_ms,
            })
        };
        let matrix = MedianMatrix {
            from: "2026-11-16".into(),
            to: "2026-11-22".into(),
            versions: vec!["1.0".into(), "1.1".into()],
            rows: vec!["alice".into()],
            cells: vec![vec![cell(12.5), None]],
            version_choices: vec![],
            row_choices: vec![],
        };
        let svg = svg(&matrix);
        assert!(svg.contains("12.5 ms") && svg.contains("alice"));
        assert_eq!(svg.matches(" ms").count(), 1, "{svg}");
    }
}
