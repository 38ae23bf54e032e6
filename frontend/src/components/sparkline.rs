//! Counts per day as a row of small bars, for tables with a column per row's days.

/// Counts per day as small bars, a `<rect>` per day with its count in the title.
pub(crate) fn sparkline(daily: &[u64], days: &[String]) -> String {
    const BAR: usize = 6;
    const HEIGHT: f64 = 20.0;
    let max = daily.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bars: String = daily
        .iter()
        .zip(days)
        .enumerate()
        .map(|(index, (count, day))| {
            let height = (*count as f64 / max * HEIGHT).max(if *count > 0 { 1.0 } else { 0.0 });
            format!(
                r##"<rect x="{}" y="{:.1}" width="{}" height="{height:.1}" data-count="{count}" fill="#2f6fed"><title>{day}: {count}</title></rect>"##,
                index * BAR,
                HEIGHT - height,
                BAR - 1
            )
        })
        .collect();
    let total: u64 = daily.iter().sum();
    format!(
        r#"<svg class="sparkline" width="{}" height="{HEIGHT}" role="img" aria-label="{total} over {} days, at most {} a day">{bars}</svg>"#,
        daily.len() * BAR,
        daily.len(),
        daily.iter().copied().max().unwrap_or(0)
    )
}
