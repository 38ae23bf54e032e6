//! The overview page: per endpoint, hits, errors and medians today, this week and overall, read
//! from the hourly rollups and the daily and all-time latency buckets (cost grows with endpoints
//! × hours and days, not with requests).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use dashboard_migration::schema::{Endpoint, LatencyDay, LatencyTotal, Rollup, StatusTotal, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{DbErr, FromQueryResult};

use super::Store;

/// The overview's periods: today, and the week of today and the six days before, in the
/// configured time zone. Overall is everything.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Periods {
    pub(crate) today: Since,
    pub(crate) week: Since,
}

/// A period from a local day's first moment on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Since {
    /// The local day.
    pub(crate) day: NaiveDate,
    /// Its local midnight, as a UTC instant.
    pub(crate) start: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct EndpointFields {
    id: i32,
    name: String,
    method: String,
    route: String,
    monitor_level: i16,
    last_requested: Option<DateTime<Utc>>,
}

/// Requests and errors of one endpoint per period.
#[derive(FromQueryResult, Default)]
struct HitTotals {
    endpoint_id: i32,
    hits_today: i64,
    hits_week: i64,
    errors_today: i64,
    errors_week: i64,
    #[sea_orm(skip)]
    hits_overall: i64,
    #[sea_orm(skip)]
    errors_overall: i64,
}

#[derive(FromQueryResult)]
struct OverallHits {
    endpoint_id: i32,
    hits_overall: i64,
    errors_overall: i64,
}

#[derive(FromQueryResult)]
struct RecentBuckets {
    endpoint_id: i32,
    bucket: i32,
    count_today: i64,
    count_week: i64,
}

#[derive(FromQueryResult)]
struct TotalBucket {
    endpoint_id: i32,
    bucket: i32,
    count: i64,
}

/// A figure of one endpoint today, this week and overall.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PerPeriod<T> {
    pub(crate) today: T,
    pub(crate) week: T,
    pub(crate) overall: T,
}

/// Latency histograms of one endpoint per period: `(bucket, requests)` pairs.
type Histograms = PerPeriod<Vec<(i32, u64)>>;

/// One endpoint's activity: the overview's domain row.
#[derive(Debug, Clone)]
pub(crate) struct EndpointActivity {
    pub(crate) id: i32,
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) monitor_level: i16,
    pub(crate) last_requested: Option<DateTime<Utc>>,
    /// Requests per period.
    pub(crate) hits: PerPeriod<u64>,
    /// Requests answered with a status of 400 or more, per period.
    pub(crate) errors: PerPeriod<u64>,
    /// Latency histograms (see `crate::histogram`) per period.
    pub(crate) latency: Histograms,
}

impl Store {
    /// One row per endpoint, ordered by name.
    pub(crate) async fn overview(&self, periods: Periods) -> Result<Vec<EndpointActivity>, DbErr> {
        let endpoints = Query::select()
            .columns([
                Endpoint::Id,
                Endpoint::Name,
                Endpoint::Method,
                Endpoint::Route,
                Endpoint::MonitorLevel,
                Endpoint::LastRequested,
            ])
            .from(self.table(Table::Endpoint))
            .order_by(Endpoint::Name, sea_orm::Order::Asc)
            .to_owned();
        let endpoints = self.fetch::<EndpointFields>(&endpoints).await?;
        let mut totals = self.hit_totals(periods).await?;
        let mut histograms = self.histograms(periods).await?;
        Ok(endpoints
            .into_iter()
            .map(|endpoint| {
                let totals = totals.remove(&endpoint.id).unwrap_or_default();
                let count = |n: i64| u64::try_from(n).unwrap_or(0);
                EndpointActivity {
                    hits: PerPeriod {
                        today: count(totals.hits_today),
                        week: count(totals.hits_week),
                        overall: count(totals.hits_overall),
                    },
                    errors: PerPeriod {
                        today: count(totals.errors_today),
                        week: count(totals.errors_week),
                        overall: count(totals.errors_overall),
                    },
                    latency: histograms.remove(&endpoint.id).unwrap_or_default(),
                    id: endpoint.id,
                    name: endpoint.name,
                    method: endpoint.method,
                    route: endpoint.route,
                    monitor_level: endpoint.monitor_level,
                    last_requested: endpoint.last_requested,
                }
            })
            .collect())
    }

    /// Requests and errors per endpoint: today and the week from the hourly rollups of the
    /// week, overall from the all-time totals per status code.
    async fn hit_totals(&self, periods: Periods) -> Result<HashMap<i32, HitTotals>, DbErr> {
        let hits = || Expr::col(Rollup::Hits);
        let is_error = || Expr::col(Rollup::StatusCode).gte(400);
        let since = |period: Since| Expr::col(Rollup::Hour).gte(period.start);
        let mut recent = Query::select()
            .column(Rollup::EndpointId)
            .expr_as(
                self.sum_if(since(periods.today), hits()),
                Alias::new("hits_today"),
            )
            .expr_as(self.sum(hits()), Alias::new("hits_week"))
            .expr_as(
                self.sum_if(since(periods.today).and(is_error()), hits()),
                Alias::new("errors_today"),
            )
            .expr_as(self.sum_if(is_error(), hits()), Alias::new("errors_week"))
            .from(self.table(Table::Rollup))
            .and_where(since(periods.week))
            .group_by_col(Rollup::EndpointId)
            .to_owned();
        self.only_instance(&mut recent, Rollup::InstanceId);
        let mut totals: HashMap<i32, HitTotals> = self
            .fetch::<HitTotals>(&recent)
            .await?
            .into_iter()
            .map(|totals| (totals.endpoint_id, totals))
            .collect();
        let hits = || Expr::col(StatusTotal::Hits);
        let mut overall = Query::select()
            .column(StatusTotal::EndpointId)
            .expr_as(self.sum(hits()), Alias::new("hits_overall"))
            .expr_as(
                self.sum_if(Expr::col(StatusTotal::StatusCode).gte(400), hits()),
                Alias::new("errors_overall"),
            )
            .from(self.table(Table::StatusTotal))
            .group_by_col(StatusTotal::EndpointId)
            .to_owned();
        self.only_instance(&mut overall, StatusTotal::InstanceId);
        for row in self.fetch::<OverallHits>(&overall).await? {
            let entry = totals.entry(row.endpoint_id).or_default();
            entry.hits_overall = row.hits_overall;
            entry.errors_overall = row.errors_overall;
        }
        Ok(totals)
    }

    /// Latency histograms per endpoint: today and the week from the daily buckets of the
    /// week, overall from the all-time buckets (a few thousand rows each, however many
    /// requests are stored).
    async fn histograms(&self, periods: Periods) -> Result<HashMap<i32, Histograms>, DbErr> {
        let count = || Expr::col(LatencyDay::Count);
        let mut recent = Query::select()
            .columns([LatencyDay::EndpointId, LatencyDay::Bucket])
            .expr_as(
                self.sum_if(Expr::col(LatencyDay::Day).gte(periods.today.day), count()),
                Alias::new("count_today"),
            )
            .expr_as(self.sum(count()), Alias::new("count_week"))
            .from(self.table(Table::LatencyDay))
            .and_where(Expr::col(LatencyDay::Day).gte(periods.week.day))
            .group_by_col(LatencyDay::EndpointId)
            .group_by_col(LatencyDay::Bucket)
            .order_by(LatencyDay::Bucket, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut recent, LatencyDay::InstanceId);
        let mut histograms: HashMap<i32, Histograms> = HashMap::new();
        for row in self.fetch::<RecentBuckets>(&recent).await? {
            let histogram = histograms.entry(row.endpoint_id).or_default();
            for (counts, count) in [
                (&mut histogram.today, row.count_today),
                (&mut histogram.week, row.count_week),
            ] {
                if let Ok(count @ 1..) = u64::try_from(count) {
                    counts.push((row.bucket, count));
                }
            }
        }
        let mut overall = Query::select()
            .columns([LatencyTotal::EndpointId, LatencyTotal::Bucket])
            .expr_as(
                self.sum(Expr::col(LatencyTotal::Count)),
                Alias::new("count"),
            )
            .from(self.table(Table::LatencyTotal))
            .group_by_col(LatencyTotal::EndpointId)
            .group_by_col(LatencyTotal::Bucket)
            .order_by(LatencyTotal::Bucket, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut overall, LatencyTotal::InstanceId);
        for row in self.fetch::<TotalBucket>(&overall).await? {
            if let Ok(count @ 1..) = u64::try_from(row.count) {
                histograms
                    .entry(row.endpoint_id)
                    .or_default()
                    .overall
                    .push((row.bucket, count));
            }
        }
        Ok(histograms)
    }
}

impl Store {
    /// `CAST(SUM(CASE WHEN condition THEN value ELSE 0 END) AS BIGINT)`.
    fn sum_if(&self, condition: Expr, value: Expr) -> Expr {
        self.sum(Expr::case(condition, value).finally(0))
    }
}
