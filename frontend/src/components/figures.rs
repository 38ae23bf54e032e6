//! The figures of the chart cards: each draws its chart with `dashboard_shared::charts` (the
//! code of the downloads) and lists its numbers in a table, whose cells carry `data-`
//! attributes with the exact values.

use dashboard_shared::charts::status_colour;
use dashboard_shared::dom;
use dashboard_shared::{
    BoxPlots, DailyUtilization, GraphData, HourlyLoad, MedianMatrix, StatusCodes,
    VersionUtilization,
};
use leptos::prelude::*;

use crate::components::chart::Choices;
use crate::components::chart_svg::ChartSvg;
use crate::components::disclosure::Disclosure;
use crate::components::scroll_table::ScrollTable;
use crate::components::url_state::UrlParam;

/// The hourly-load heatmap: `{name}-chart` and its numbers in `{name}-table`.
#[component]
pub(crate) fn Heatmap(load: HourlyLoad, name: &'static str) -> impl IntoView {
    let rows = load
        .days
        .iter()
        .zip(&load.counts)
        .map(|(day, counts)| {
            let cells = counts
                .iter()
                .enumerate()
                .map(|(hour, count)| view! { <td data-day=day.clone() data-hour=hour data-count=*count>{*count}</td> })
                .collect_view();
            view! { <tr><th>{day.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("Times in {}", load.timezone)}</p>
        <ChartSvg id=format!("{name}-chart") chart=load.clone() />
        <Disclosure key=format!("{name}-numbers") summary="Numbers">
            <ScrollTable>
                <table id=format!("{name}-table")>
                    <thead><tr><th>"Day"</th>{(0..24).map(|hour| view! { <th>{format!("{hour:02}")}</th> }).collect_view()}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </Disclosure>
    }
}

/// Box plots with their quantiles, and check boxes for `choices` when given a label.
#[component]
pub(crate) fn BoxPlotFigure(
    plots: BoxPlots,
    name: &'static str,
    /// What the boxes are, as a column title.
    of: &'static str,
    #[prop(optional)] choose: Option<(&'static str, UrlParam)>,
    /// Where the figures come from.
    hint: &'static str,
) -> impl IntoView {
    let choices = choose.map(|(label, chosen)| {
        let selected = plots.boxes.iter().map(|b| b.label.clone()).collect();
        view! { <Choices label choices=plots.choices.clone() selected chosen /> }
    });
    let rows = plots
        .boxes
        .iter()
        .map(|latency| {
            view! {
                <tr data-label=latency.label.clone() data-median=latency.median_ms data-p99=latency.p99_ms data-count=latency.count>
                    <td>{latency.label.clone()}</td>
                    <td>{latency.count}</td>
                    <td>{format!("{:.1}", latency.p5_ms)}</td>
                    <td>{format!("{:.1}", latency.q1_ms)}</td>
                    <td>{format!("{:.1}", latency.median_ms)}</td>
                    <td>{format!("{:.1}", latency.q3_ms)}</td>
                    <td>{format!("{:.1}", latency.p95_ms)}</td>
                    <td class="p99">{format!("{:.1}", latency.p99_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} to {}; {hint}", plots.from, plots.to)}</p>
        {choices}
        <ChartSvg id=format!("{name}-chart") chart=plots.clone() />
        <ScrollTable>
            <table id=format!("{name}-table") data-rows=plots.boxes.len()>
                <thead>
                    <tr>
                        <th>{of}</th><th>"Requests"</th><th>"p5 (ms)"</th><th>"Q1 (ms)"</th>
                        <th>"Median (ms)"</th><th>"Q3 (ms)"</th><th>"p95 (ms)"</th><th>"p99 (ms)"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

/// The daily-utilisation stacked bars, the requests per endpoint and day, and check boxes for
/// the endpoints.
#[component]
pub(crate) fn StackedBars(utilization: DailyUtilization, chosen: UrlParam) -> impl IntoView {
    let shown = utilization
        .endpoints
        .iter()
        .map(|series| series.endpoint.clone())
        .collect();
    let header = utilization
        .days
        .iter()
        .map(|day| view! { <th>{day.clone()}</th> })
        .collect_view();
    let rows = utilization
        .endpoints
        .iter()
        .map(|series| {
            let cells = series
                .hits
                .iter()
                .zip(&utilization.days)
                .map(|(hits, day)| view! { <td data-endpoint=series.endpoint.clone() data-day=day.clone() data-hits=*hits>{*hits}</td> })
                .collect_view();
            view! { <tr><th>{series.endpoint.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("Days in {}", utilization.timezone)}</p>
        <Choices label="Endpoints" choices=utilization.choices.clone() selected=shown chosen />
        <ChartSvg id=dom::DAILY_UTILIZATION_CHART chart=utilization.clone() />
        <ScrollTable>
            <table id=dom::DAILY_UTILIZATION_TABLE>
                <thead><tr><th>"Endpoint"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

/// The multi-version heatmap: each version's requests divided among the endpoints.
#[component]
pub(crate) fn VersionHeatmap(
    utilization: VersionUtilization,
    versions: UrlParam,
    endpoints: UrlParam,
) -> impl IntoView {
    let header = utilization
        .versions
        .iter()
        .map(|version| view! { <th>{version.clone()}</th> })
        .collect_view();
    let rows = utilization
        .endpoints
        .iter()
        .enumerate()
        .map(|(row, endpoint)| {
            let cells = utilization
                .versions
                .iter()
                .enumerate()
                .map(|(column, version)| {
                    let percent = utilization.percent(row, column);
                    let hits = utilization.hits[row][column];
                    view! {
                        <td data-endpoint=endpoint.clone() data-version=version.clone() data-percent=format!("{percent:.1}") data-hits=hits>
                            {format!("{percent:.1} %")}
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th>{endpoint.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} to {}; share of each version's requests", utilization.from, utilization.to)}</p>
        <Choices label="Versions" choices=utilization.choices.clone() selected=utilization.versions.clone() chosen=versions />
        <Choices label="Endpoints" choices=utilization.endpoint_choices.clone() selected=utilization.endpoints.clone() chosen=endpoints />
        <ChartSvg id=dom::MULTI_VERSION_CHART chart=utilization.clone() />
        <ScrollTable>
            <table id=dom::MULTI_VERSION_TABLE>
                <thead><tr><th>"Endpoint"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

/// A matrix of exact medians per version (columns) and user or address (rows).
#[component]
pub(crate) fn MatrixFigure(
    matrix: MedianMatrix,
    name: &'static str,
    /// What the rows are.
    of: &'static str,
    versions: UrlParam,
    callers: UrlParam,
) -> impl IntoView {
    let header = matrix
        .versions
        .iter()
        .map(|version| view! { <th>{version.clone()}</th> })
        .collect_view();
    let rows = matrix
        .rows
        .iter()
        .zip(&matrix.cells)
        .map(|(row, cells)| {
            let cells = matrix
                .versions
                .iter()
                .zip(cells)
                .map(|(version, cell)| match cell {
                    Some(cell) => view! {
                        <td data-row=row.clone() data-version=version.clone() data-median=cell.median_ms data-count=cell.count>
                            {format!("{:.1} ms ({})", cell.median_ms, cell.count)}
                        </td>
                    }
                    .into_any(),
                    None => view! { <td data-row=row.clone() data-version=version.clone()>"–"</td> }.into_any(),
                })
                .collect_view();
            view! { <tr><th>{row.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} to {}; exact medians (requests)", matrix.from, matrix.to)}</p>
        <Choices label="Versions" choices=matrix.version_choices.clone() selected=matrix.versions.clone() chosen=versions />
        <Choices label=of choices=matrix.row_choices.clone() selected=matrix.rows.clone() chosen=callers />
        <ChartSvg id=format!("{name}-chart") chart=matrix.clone() />
        <ScrollTable>
            <table id=format!("{name}-table")>
                <thead><tr><th>{of}</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

/// The status-code pie and the requests per code.
#[component]
pub(crate) fn StatusPie(codes: StatusCodes) -> impl IntoView {
    let rows = codes
        .codes
        .iter()
        .map(|code| {
            let [r, g, b] = status_colour(code.status_code);
            view! {
                <tr data-status=code.status_code data-count=code.count>
                    <td><span class="swatch" style=format!("background: rgb({r}, {g}, {b})")></span>{code.status_code}</td>
                    <td>{code.count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} to {}", codes.from, codes.to)}</p>
        <ChartSvg id=dom::STATUS_CODES_CHART chart=codes.clone() natural=true />
        <table id=dom::STATUS_CODES_TABLE>
            <thead><tr><th>"Status"</th><th>"Requests"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Values a custom graph's table lists: the latest ones.
const LATEST_VALUES: usize = 50;

/// A custom graph's line chart, and its latest values in a table (times in UTC).
#[component]
pub(crate) fn LineFigure(data: GraphData) -> impl IntoView {
    let name = format!("custom-graph-{}", data.graph.id);
    let schedule = data
        .graph
        .schedule
        .clone()
        .unwrap_or_else(|| "not scheduled by this process".to_owned());
    let averaged = data.bucket_seconds.map_or_else(String::new, |seconds| {
        format!("; more values than fit: the mean of every {seconds} s")
    });
    let total = data.points.len();
    let rows = data
        .points
        .iter()
        .rev()
        .take(LATEST_VALUES)
        .map(|point| {
            let time = point
                .time
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            view! {
                <tr data-time=time.clone() data-value=point.value>
                    <td>{point.time.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td>{point.value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("{} to {}; {schedule}{averaged}", data.from, data.to)}</p>
        <ChartSvg id=format!("{name}-chart") chart=data.clone() />
        <Disclosure key=format!("{name}-values") summary=format!("Latest values ({} of {total})", total.min(LATEST_VALUES))>
            <ScrollTable>
                <table id=format!("{name}-table") data-points=total>
                    <thead><tr><th>"Time"</th><th>"Value"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </Disclosure>
    }
}
