//! `GET /api/overview`.

use crate::api::extract::ApiQuery;
use crate::api::{Answer, QueryOf};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{ErrorBody, InstanceQuery, OverviewRow};

use super::ApiState;
use super::charts::local_midnight;
use super::session::Session;
use super::views;
use crate::store::overview::{Periods, Since};

/// One row per endpoint: hits, errors and medians today, in the last seven days and overall.
#[utoipa::path(
    get,
    path = routes::Overview::PATH,
    tag = "read",
    security(("session" = [])),
    params(InstanceQuery),
    responses(
        (status = 200, body = Vec<OverviewRow>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)
    )
)]
pub(super) async fn overview(
    State(state): State<ApiState>,
    _session: Session,
    ApiQuery(query): QueryOf<routes::Overview>,
) -> Answer<routes::Overview> {
    let periods = periods_at(Utc::now(), state.config.timezone);
    let activity = state.store.scoped(query.instance).overview(periods).await?;
    Ok(Json(
        activity.into_iter().map(views::overview_row).collect(),
    ))
}

/// Today and the week (today and the six days before) as local days in `zone`.
pub(super) fn periods_at(now: DateTime<Utc>, zone: Tz) -> Periods {
    let today = now.with_timezone(&zone).date_naive();
    let week = today.checked_sub_days(Days::new(6)).unwrap_or(today);
    let since = |day| Since {
        day,
        start: local_midnight(zone, day),
    };
    Periods {
        today: since(today),
        week: since(week),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    #[test]
    fn today_and_the_week_start_at_local_midnights() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 22, 30, 0).unwrap();
        let utc = periods_at(now, Tz::UTC);
        assert_eq!(
            utc.today.start,
            Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()
        );
        assert_eq!(utc.week.day, NaiveDate::from_ymd_opt(2026, 11, 15).unwrap());
        // Amsterdam is UTC+1 in November: at 22:30 UTC it is already the 21st's 23:30 there,
        // and its day began at 23:00 UTC the day before.
        let amsterdam = periods_at(now, chrono_tz::Europe::Amsterdam);
        assert_eq!(
            amsterdam.today.start,
            Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap()
        );
        assert_eq!(
            amsterdam.week.start,
            Utc.with_ymd_and_hms(2026, 11, 14, 23, 0, 0).unwrap()
        );
        let late = Utc.with_ymd_and_hms(2026, 11, 21, 23, 30, 0).unwrap();
        assert_eq!(
            periods_at(late, chrono_tz::Europe::Amsterdam).today.day,
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            "00:30 on the 22nd in Amsterdam"
        );
    }
}
