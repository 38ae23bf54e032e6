//! Values over time as a row of small bars: counts per day in tables with a column per row's
//! days, a process's figures per heartbeat on the Servers page.

/// The values per day as small bars, a `<rect>` per day with its value in the title.
pub(crate) fn sparkline(daily: &[u64], days: &[String]) -> String {
    let total: u64 = daily.iter().sum();
    let label = format!(
        "{total} over {} days, at most {} a day",
        daily.len(),
        daily.iter().copied().max().unwrap_or(0)
    );
    bars(daily, days, &label)
}

/// The values of one figure, a bar per moment (`times`) with its value in the title, named
/// `what`.
pub(crate) fn figure_line(values: &[u64], times: &[String], what: &str) -> String {
    let label = format!(
        "{what} over {} heartbeats: latest {}, at most {}",
        values.len(),
        values.last().copied().unwrap_or(0),
        values.iter().copied().max().unwrap_or(0)
    );
    bars(values, times, &label)
}

/// Bars of `daily` labelled by `days`, the whole named `label`.
fn bars(daily: &[u64], days: &[String], label: &str) -> String {
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
    format!(
        r#"<svg class="sparkline" width="{}" height="{HEIGHT}" role="img" aria-label="{label}">{bars}</svg>"#,
        daily.len() * BAR,
    )
}
