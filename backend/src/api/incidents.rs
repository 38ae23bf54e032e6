//! Outliers of an endpoint and the application's exception groups (deleting one needs admin).

use crate::api::{Answer, QueryOf};
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{ExceptionQuery, PageQuery};
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use dashboard_shared::{
    CpuFigures, ErrorBody, ExceptionDetail, ExceptionGroup, ExceptionGroups, MemoryFigures,
    OutlierPage, Spread, SpreadBox,
};

use super::charts::endpoint::endpoint_name;
use super::charts::local_midnight;
use super::extract::{ApiPath, ApiQuery};
use super::paging;
use super::session::{AdminSession, Session};
use super::{ApiError, ApiState};
use crate::histogram::{box_quantiles, exact_quantile};
use crate::store::incidents::GroupRow;

/// The latest outliers whose CPU and memory the box plots show.
const FIGURES_OF: u64 = 500;
/// Days in an exception group's sparkline, today included.
const SPARKLINE_DAYS: u64 = 14;
/// Occurrences listed with a group's detail.
const OCCURRENCES_SHOWN: u64 = 50;

/// The days of the sparklines: the last [`SPARKLINE_DAYS`] in `TIMEZONE`, today included.
struct Sparkline {
    zone: chrono_tz::Tz,
    days: Vec<NaiveDate>,
}

impl Sparkline {
    fn ending_today(zone: chrono_tz::Tz) -> Sparkline {
        let today = Utc::now().with_timezone(&zone).date_naive();
        let first = today
            .checked_sub_days(Days::new(SPARKLINE_DAYS - 1))
            .unwrap_or(today);
        Sparkline {
            zone,
            days: first.iter_days().take_while(|day| *day <= today).collect(),
        }
    }

    /// The first day's local midnight.
    fn since(&self) -> DateTime<Utc> {
        local_midnight(self.zone, self.days.first().copied().unwrap_or_default())
    }

    /// Occurrences per day.
    fn counts(&self, times: &[DateTime<Utc>]) -> Vec<u64> {
        let mut daily = vec![0; self.days.len()];
        let first = self.days.first().copied().unwrap_or_default();
        for time in times {
            let day = time.with_timezone(&self.zone).date_naive();
            if let Ok(index) = usize::try_from((day - first).num_days())
                && let Some(count) = daily.get_mut(index)
            {
                *count += 1;
            }
        }
        daily
    }
}

/// An endpoint's outliers, newest first, with box plots of CPU per core and of memory across
/// its latest 500 outliers.
#[utoipa::path(
    get,
    path = routes::EndpointOutliers::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The endpoint's id"), PageQuery),
    responses(
        (status = 200, body = OutlierPage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn outliers(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): QueryOf<routes::EndpointOutliers>,
) -> Answer<routes::EndpointOutliers> {
    let (offset, limit) = paging::page(query.offset, query.limit)?;
    endpoint_name(&state, id).await?;
    let figures = state.store.outlier_figures(id, FIGURES_OF).await?;
    // Figures that were not measured are left out, never drawn as 0.
    let cpus: Vec<&CpuFigures> = figures.iter().filter_map(|(cpu, _)| cpu.as_ref()).collect();
    let memories: Vec<&MemoryFigures> = figures
        .iter()
        .filter_map(|(_, memory)| memory.as_ref())
        .collect();
    let cores = cpus.iter().map(|cpu| cpu.per_core.len()).max().unwrap_or(0);
    let mut cpu: Vec<SpreadBox> = (0..cores)
        .filter_map(|core| {
            spread(
                format!("core {core}"),
                cpus.iter()
                    .filter_map(|cpu| cpu.per_core.get(core).map(|v| f64::from(*v))),
            )
        })
        .collect();
    cpu.extend(spread(
        "this process".to_owned(),
        cpus.iter().map(|cpu| f64::from(cpu.process)),
    ));
    let mebibytes = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let memory = [
        spread(
            "this process".to_owned(),
            memories.iter().map(|memory| mebibytes(memory.process)),
        ),
        spread(
            "machine in use".to_owned(),
            memories.iter().map(|memory| mebibytes(memory.used)),
        ),
    ];
    Ok(Json(OutlierPage {
        total: state.store.outlier_count(id).await?,
        outliers: state.store.outliers(id, offset, limit).await?,
        cpu: Spread {
            unit: "%".to_owned(),
            boxes: cpu,
        },
        memory: Spread {
            unit: "MiB".to_owned(),
            boxes: memory.into_iter().flatten().collect(),
        },
    }))
}

/// The spread of `values` as a box; `None` without values.
fn spread(label: String, values: impl Iterator<Item = f64>) -> Option<SpreadBox> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    let [p5, q1, median, q3, p95, p99] = box_quantiles(|q| exact_quantile(&values, q))?;
    Some(SpreadBox {
        label,
        count: values.len() as u64,
        p5,
        q1,
        median,
        q3,
        p95,
        p99,
    })
}

/// Exception groups (panics, 5xx answers, reported errors), latest first, with their
/// occurrences per day over the last 14 days (in `TIMEZONE`).
#[utoipa::path(
    get,
    path = routes::Exceptions::PATH,
    tag = "read",
    security(("session" = [])),
    params(ExceptionQuery),
    responses((status = 200, body = ExceptionGroups), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub(super) async fn exceptions(
    State(state): State<ApiState>,
    _session: Session,
    ApiQuery(query): QueryOf<routes::Exceptions>,
) -> Answer<routes::Exceptions> {
    let (offset, limit) = paging::page(query.offset, query.limit)?;
    let (total, rows) = state
        .store
        .exception_groups(query.endpoint, offset, limit)
        .await?;
    let sparkline = Sparkline::ending_today(state.config.timezone);
    let groups = describe(&state, rows, Some(&sparkline)).await?;
    Ok(Json(ExceptionGroups {
        total,
        days: sparkline.days.iter().map(ToString::to_string).collect(),
        groups,
    }))
}

/// The groups as DTOs, with their versions and, given a sparkline, their occurrences per day.
async fn describe(
    state: &ApiState,
    rows: Vec<GroupRow>,
    sparkline: Option<&Sparkline>,
) -> Result<Vec<ExceptionGroup>, ApiError> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut versions: HashMap<i32, Vec<String>> = HashMap::new();
    let mut times: HashMap<i32, Vec<DateTime<Utc>>> = HashMap::new();
    if !ids.is_empty() {
        for (group, version) in state.store.exception_versions(&ids).await? {
            versions.entry(group).or_default().push(version);
        }
        if let Some(sparkline) = sparkline {
            for (group, time) in state.store.exception_times(&ids, sparkline.since()).await? {
                times.entry(group).or_default().push(time);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| ExceptionGroup {
            id: i64::from(row.id),
            endpoint_id: row.endpoint_id.map(i64::from),
            endpoint: row.endpoint,
            type_name: row.type_name,
            message: row.message,
            count: u64::try_from(row.count).unwrap_or(0),
            first_seen: row.first_seen,
            last_seen: row.last_seen,
            versions: versions.remove(&row.id).unwrap_or_default(),
            daily: sparkline.map_or_else(Vec::new, |sparkline| {
                sparkline.counts(times.get(&row.id).map_or(&[], Vec::as_slice))
            }),
        })
        .collect())
}

/// One exception group: its latest occurrence's context and stack, and its latest occurrences.
#[utoipa::path(
    get,
    path = routes::Exception::PATH,
    tag = "read",
    security(("session" = [])),
    params(("id" = i32, Path, description = "The group's id")),
    responses(
        (status = 200, body = ExceptionDetail),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn exception(
    State(state): State<ApiState>,
    _session: Session,
    ApiPath(id): ApiPath<i32>,
) -> Answer<routes::Exception> {
    let row = state
        .store
        .exception_group(id)
        .await?
        .ok_or(ApiError::NotFound("no such exception group"))?;
    let context = row.context()?;
    let stack = row.stack()?;
    let calls = row.calls()?;
    let group = describe(&state, vec![row], None)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("no such exception group"))?;
    let occurrences = state
        .store
        .exception_occurrences(id, OCCURRENCES_SHOWN)
        .await?;
    Ok(Json(ExceptionDetail {
        group,
        location: stack.location,
        stack: stack.frames,
        context,
        occurrences,
        calls,
    }))
}

/// Deletes an exception group and its occurrences.
#[utoipa::path(
    delete,
    path = routes::DeleteException::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn delete_exception(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_exception_group(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no such exception group"))
    }
}
