//! The views' data, and the same charts as SVG or PNG images, drawn by
//! `dashboard_shared::charts`: of the application (`application`) and of one endpoint
//! (`endpoint`).

/// Declares the handler of an application chart's route (`$route` of `dashboard_shared`'s
/// chart routes): it answers the `$data` that `$compute` gives (with `$state: &ApiState` and
/// `$query: ChartQuery` bound), or with `format` the chart as the image `$file.svg` or
/// `$file.png`. `$data` must be the route's answer, or the handler does not compile.
macro_rules! application_chart {
    ($(#[doc = $doc:literal])* $name:ident, $route:ident, $data:ident, $file:literal, |$state:ident, $query:ident| $compute:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            get,
            path = <dashboard_shared::$route as dashboard_shared::api::Route>::PATH,
            tag = "read",
            security(("session" = [])),
            params(ChartQuery),
            responses(
                (status = 200, description = "The data, or with `format` the chart as an image", content(($data = "application/json"), (String = "image/svg+xml"), (Vec<u8> = "image/png"))),
                (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)
            )
        )]
        pub(crate) async fn $name(
            axum::extract::State(state): axum::extract::State<ApiState>,
            _session: Session,
            crate::api::extract::ApiQuery($query): crate::api::extract::ApiQuery<ChartQuery>,
        ) -> Result<axum::response::Response, ApiError> {
            let state = state.for_instance($query.instance);
            let $state = &state;
            let data: <dashboard_shared::$route as dashboard_shared::api::Route>::Response =
                $compute.await?;
            super::chart_response::<$data>(data, $query.format, $file).await
        }
    };
}

/// Declares a chart route of one endpoint, like [`application_chart`] with `$id: i32` bound too;
/// 404 for an unknown endpoint.
macro_rules! endpoint_chart {
    ($(#[doc = $doc:literal])* $name:ident, $route:ident, $data:ident, $file:literal, |$state:ident, $id:ident, $query:ident| $compute:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            get,
            path = <dashboard_shared::$route as dashboard_shared::api::Route>::PATH,
            tag = "read",
            security(("session" = [])),
            params(("id" = i32, Path, description = "The endpoint's id"), ChartQuery),
            responses(
                (status = 200, description = "The data, or with `format` the chart as an image", content(($data = "application/json"), (String = "image/svg+xml"), (Vec<u8> = "image/png"))),
                (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
            )
        )]
        pub(crate) async fn $name(
            axum::extract::State(state): axum::extract::State<ApiState>,
            _session: Session,
            crate::api::extract::ApiPath($id): crate::api::extract::ApiPath<i32>,
            crate::api::extract::ApiQuery($query): crate::api::extract::ApiQuery<ChartQuery>,
        ) -> Result<axum::response::Response, ApiError> {
            endpoint_name(&state, $id).await?;
            let state = state.for_instance($query.instance);
            let $state = &state;
            let data: <dashboard_shared::$route as dashboard_shared::api::Route>::Response =
                $compute.await?;
            super::chart_response::<$data>(data, $query.format, $file).await
        }
    };
}

pub(super) mod application;
pub(super) mod endpoint;
pub(super) mod summary;

use axum::Json;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use dashboard_shared::charts::{self, Chart};
use dashboard_shared::{BoxPlots, ChartQuery, ImageFormat, LatencyBox};
use serde::Serialize;

use super::{ApiError, ApiState};

/// The longest range a chart covers.
const MAX_DAYS: u64 = 366;
/// Versions, users or addresses a chart shows when the request names none.
const DEFAULT_SELECTION: usize = 10;

/// Whether the chart shows `endpoint` (`METHOD /route`): every endpoint unless some are chosen.
fn shows_endpoint(query: &ChartQuery, endpoint: &str) -> bool {
    query
        .endpoints
        .as_deref()
        .is_none_or(|chosen| names(chosen).any(|name| name == endpoint))
}

/// The names of a comma-separated choice (`versions`, `callers`, `endpoints`).
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim)
}

/// A checked range of days in the configured time zone, with the UTC instants that bound it.
pub(super) struct LocalDays {
    zone: Tz,
    days: Vec<NaiveDate>,
    /// The first day's local midnight.
    start: chrono::DateTime<Utc>,
    /// The local midnight after the last day.
    end: chrono::DateTime<Utc>,
}

impl LocalDays {
    /// The range asked for, or the last 7 days; at most [`MAX_DAYS`].
    fn new(query: &ChartQuery, zone: Tz) -> Result<LocalDays, ApiError> {
        LocalDays::or_last(query, zone, 7)
    }

    /// The range asked for, or the last `default_days` days; at most [`MAX_DAYS`]. A window of
    /// hours is refused: the route's data has days only (see [`HourWindow`]).
    pub(super) fn or_last(
        query: &ChartQuery,
        zone: Tz,
        default_days: u64,
    ) -> Result<LocalDays, ApiError> {
        if query.hours.is_some() {
            return Err(ApiError::BadRequest(
                "hours: this chart is kept per day; choose from and to".to_owned(),
            ));
        }
        let to = query
            .to
            .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
        let back = Days::new(default_days.saturating_sub(1));
        let from = query
            .from
            .unwrap_or_else(|| to.checked_sub_days(back).unwrap_or(to));
        let span = (to - from).num_days();
        if span < 0 {
            return Err(ApiError::BadRequest("from must not be after to".to_owned()));
        }
        if span as u64 >= MAX_DAYS {
            return Err(ApiError::BadRequest(format!(
                "a chart covers at most {MAX_DAYS} days"
            )));
        }
        let after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        Ok(LocalDays {
            zone,
            days: from.iter_days().take_while(|day| *day <= to).collect(),
            start: local_midnight(zone, from),
            end: local_midnight(zone, after),
        })
    }

    /// As many days as these, just before them.
    fn before(&self) -> LocalDays {
        let (first, _) = self.span();
        let length = self.days.len() as u64;
        let from = first.checked_sub_days(Days::new(length)).unwrap_or(first);
        LocalDays {
            zone: self.zone,
            days: from.iter_days().take(self.days.len()).collect(),
            start: local_midnight(self.zone, from),
            end: self.start,
        }
    }

    /// The index of the local day a UTC instant falls on, and its local hour.
    fn locate(&self, instant: chrono::DateTime<Utc>) -> Option<(usize, usize)> {
        let local = instant.with_timezone(&self.zone);
        let first = *self.days.first()?;
        let day = usize::try_from((local.date_naive() - first).num_days())
            .ok()
            .filter(|day| *day < self.days.len())?;
        Some((day, local.hour() as usize))
    }

    /// The days as `YYYY-MM-DD`.
    pub(super) fn labels(&self) -> Vec<String> {
        self.days.iter().map(ToString::to_string).collect()
    }

    /// The first and the last day.
    pub(super) fn span(&self) -> (NaiveDate, NaiveDate) {
        let first = self.days.first().copied().unwrap_or_default();
        (first, self.days.last().copied().unwrap_or(first))
    }

    /// The UTC instants that bound the days: the first day's midnight and the one after the
    /// last day.
    pub(super) fn instants(&self) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
        (self.start, self.end)
    }

    /// The first and the last day as `YYYY-MM-DD`.
    pub(super) fn bounds(&self) -> (String, String) {
        let label = |day: Option<&NaiveDate>| day.map(ToString::to_string).unwrap_or_default();
        (label(self.days.first()), label(self.days.last()))
    }

    /// Box plots over these days.
    fn box_plots(&self, boxes: Vec<LatencyBox>, choices: Vec<String>) -> BoxPlots {
        let (from, to) = self.bounds();
        BoxPlots {
            from,
            to,
            boxes,
            choices,
        }
    }
}

/// The last hours up to now that a query asks for instead of days (`hours`, 1 to
/// [`MAX_HOURS`]), for the data that is kept per hour: the current UTC hour so far and the
/// whole hours before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HourWindow {
    /// Its first moment.
    pub(super) start: chrono::DateTime<Utc>,
    /// Now.
    pub(super) end: chrono::DateTime<Utc>,
}

/// The longest window of hours.
const MAX_HOURS: u32 = 48;

impl HourWindow {
    /// The window `query` asks for, if any; `from` and `to` cannot go with it.
    pub(super) fn of(
        query: &ChartQuery,
        now: chrono::DateTime<Utc>,
    ) -> Result<Option<HourWindow>, ApiError> {
        let Some(hours) = query.hours else {
            return Ok(None);
        };
        if !(1..=MAX_HOURS).contains(&hours) {
            return Err(ApiError::BadRequest(format!(
                "hours must be 1 to {MAX_HOURS}, not {hours}"
            )));
        }
        if query.from.is_some() || query.to.is_some() {
            return Err(ApiError::BadRequest(
                "hours replaces from and to: give one or the other".to_owned(),
            ));
        }
        let this_hour = now
            .with_minute(0)
            .and_then(|time| time.with_second(0))
            .and_then(|time| time.with_nanosecond(0))
            .unwrap_or(now);
        Ok(Some(HourWindow {
            start: this_hour - chrono::TimeDelta::hours(i64::from(hours - 1)),
            end: now,
        }))
    }

    /// The whole hours it covers, the current one included.
    pub(super) fn hours(self) -> i64 {
        (self.end - self.start).num_minutes().div_euclid(60) + 1
    }

    /// As many whole hours just before this window.
    pub(super) fn before(self) -> HourWindow {
        HourWindow {
            start: self.start - chrono::TimeDelta::hours(self.hours()),
            end: self.start,
        }
    }
}

/// The UTC instant of a day's first moment in `zone`.
pub(crate) fn local_midnight(zone: Tz, day: NaiveDate) -> chrono::DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |time| time.with_timezone(&Utc))
}

/// What a chart shows of `choices`: those named in `asked` (comma-separated; unknown names
/// are left out), or by default the [`DEFAULT_SELECTION`] newest or busiest.
fn select(choices: &[String], asked: Option<&str>, preference: Preference) -> Vec<String> {
    match asked {
        Some(asked) => {
            let asked: Vec<&str> = names(asked).collect();
            choices
                .iter()
                .filter(|choice| asked.contains(&choice.as_str()))
                .cloned()
                .collect()
        }
        None => match preference {
            Preference::Newest => {
                choices[choices.len().saturating_sub(DEFAULT_SELECTION)..].to_vec()
            }
            Preference::Busiest => choices.iter().take(DEFAULT_SELECTION).cloned().collect(),
        },
    }
}

/// Which of a selection's choices a chart shows by default.
#[derive(Debug, Clone, Copy)]
enum Preference {
    /// The last ones: versions are ordered oldest first, and the newest are wanted.
    Newest,
    /// The first ones: callers are ordered busiest first.
    Busiest,
}

/// An endpoint's colour: from `COLORS`, or a stable hash of its name.
fn endpoint_colour(state: &ApiState, endpoint: &str) -> [u8; 3] {
    state
        .config
        .colors
        .get(endpoint)
        .copied()
        .unwrap_or_else(|| charts::endpoint_colour(endpoint))
}

/// The chart's data as JSON, or with a `format` the chart as a file named `name`.
pub(super) async fn chart_response<C>(
    chart: C,
    format: Option<ImageFormat>,
    name: &str,
) -> Result<Response, ApiError>
where
    C: Chart + Serialize + Send + 'static,
{
    let (content_type, extension, body) = match format {
        None => return Ok(Json(chart).into_response()),
        Some(ImageFormat::Svg) => ("image/svg+xml", "svg", charts::svg(&chart).into_bytes()),
        Some(ImageFormat::Png) => {
            // Rasterising takes milliseconds of CPU: off the async workers.
            let image = tokio::task::spawn_blocking(move || charts::png(&chart))
                .await
                .map_err(|error| ApiError::Internal(format!("drawing a PNG panicked: {error}")))?
                .map_err(|error| ApiError::Internal(format!("drawing a PNG failed: {error}")))?;
            ("image/png", "png", image)
        }
    };
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn selections_default_to_the_newest_versions_and_the_busiest_callers() {
        let versions: Vec<String> = (1..=12).map(|v| format!("v{v}")).collect();
        let newest = select(&versions, None, Preference::Newest);
        assert_eq!(newest.first().map(String::as_str), Some("v3"));
        assert_eq!(newest.last().map(String::as_str), Some("v12"));
        let busiest = select(&versions, None, Preference::Busiest);
        assert_eq!(busiest, versions[..10].to_vec());
    }

    #[test]
    fn a_selection_keeps_the_choices_order_and_drops_unknown_names() {
        let choices = names(&["1.0", "1.1", "2.0"]);
        assert_eq!(
            select(&choices, Some("2.0, 1.0,nope"), Preference::Newest),
            names(&["1.0", "2.0"])
        );
        assert!(select(&choices, Some(""), Preference::Newest).is_empty());
    }
}
