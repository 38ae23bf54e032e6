//! The hourly-load heatmap: days down, hours across, darker for more requests.

use plotters::prelude::*;

use super::heat_colour;
use crate::HourlyLoad;

const CELL_WIDTH: u32 = 32;
const CELL_HEIGHT: u32 = 22;
const LEFT: u32 = 90;
const TOP: u32 = 30;

/// The heatmap as an SVG document.
pub fn hourly_load_svg(load: &HourlyLoad) -> String {
    let width = LEFT + 24 * CELL_WIDTH + 10;
    let height = TOP + load.days.len().max(1) as u32 * CELL_HEIGHT + 10;
    super::render_svg((width, height), |root| draw(root, load))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    load: &HourlyLoad,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let max = load.counts.iter().flatten().copied().max().unwrap_or(0);
    let text = ("sans-serif", 12).into_font().color(&RGBColor(29, 35, 48));
    for hour in 0..24 {
        let x = (LEFT + hour * CELL_WIDTH + 8) as i32;
        root.draw(&Text::new(format!("{hour:02}"), (x, 10), text.clone()))?;
    }
    for (row, (day, counts)) in load.days.iter().zip(&load.counts).enumerate() {
        let y = (TOP + row as u32 * CELL_HEIGHT) as i32;
        root.draw(&Text::new(day.clone(), (4, y + 5), text.clone()))?;
        for (hour, count) in counts.iter().enumerate() {
            let x = (LEFT + hour as u32 * CELL_WIDTH) as i32;
            let (r, g, b) = heat_colour(*count, max);
            let cell = [
                (x, y),
                (x + CELL_WIDTH as i32 - 2, y + CELL_HEIGHT as i32 - 2),
            ];
            root.draw(&Rectangle::new(cell, RGBColor(r, g, b).filled()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_cell_per_day_and_hour_darkest_at_the_maximum() {
        let mut monday = vec![0; 24];
        monday[9] = 10;
        monday[10] = 5;
        let load = HourlyLoad {
            timezone: "UTC".into(),
            days: vec!["2026-11-16".into(), "2026-11-17".into()],
            counts: vec![monday, vec![0; 24]],
        };
        let svg = hourly_load_svg(&load);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 48,
            "the background and 48 cells"
        );
        assert!(svg.contains("2026-11-17"));
        let darkest = heat_colour(10, 10);
        assert!(
            svg.contains(&format!(
                "#{:02X}{:02X}{:02X}",
                darkest.0, darkest.1, darkest.2
            )),
            "{svg}"
        );
    }

    #[test]
    fn colours_go_from_light_to_dark() {
        assert_eq!(heat_colour(0, 10), (245, 246, 248));
        assert_eq!(heat_colour(10, 10), (47, 111, 237));
        let half = heat_colour(5, 10);
        assert!(half.0 < 222 && half.0 > 47);
    }
}
