//! `GET /api/overview`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use dashboard_shared::{ErrorBody, OverviewRow};

use super::session::Session;
use super::{ApiError, ApiState};
use crate::store::overview::Periods;

/// One row per endpoint: hits, errors and medians today, this week and overall.
#[utoipa::path(
    get,
    path = "/overview",
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = Vec<OverviewRow>), (status = 401, body = ErrorBody))
)]
pub(super) async fn overview(
    State(state): State<ApiState>,
    _session: Session,
) -> Result<Json<Vec<OverviewRow>>, ApiError> {
    let periods = periods_at(Utc::now(), state.config.timezone);
    Ok(Json(state.store.overview(periods).await?))
}

/// Today starts at local midnight in `zone`; the week is the seven days up to `now`.
fn periods_at(now: DateTime<Utc>, zone: Tz) -> Periods {
    let local_midnight = now
        .with_timezone(&zone)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| {
            // A midnight that a DST change skips or repeats: take the earliest instant.
            zone.from_local_datetime(&midnight).earliest()
        });
    Periods {
        today: local_midnight.map_or(now - TimeDelta::days(1), |midnight| {
            midnight.with_timezone(&Utc)
        }),
        week: now - TimeDelta::days(7),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_starts_at_local_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 22, 30, 0).unwrap();
        assert_eq!(
            periods_at(now, Tz::UTC).today,
            Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()
        );
        // Amsterdam is UTC+1 in November: its day began at 23:00 UTC the day before.
        let amsterdam = periods_at(now, chrono_tz::Europe::Amsterdam);
        assert_eq!(
            amsterdam.today,
            Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap()
        );
        assert_eq!(
            amsterdam.week,
            Utc.with_ymd_and_hms(2026, 11, 14, 22, 30, 0).unwrap()
        );
    }
}
