//! Utilisation over time, from the hourly rollups.

use chrono::{DateTime, NaiveDate, Utc};
use dashboard_migration::schema::{Endpoint, LatencyDay, Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{DbErr, FromQueryResult};

use super::Store;

#[derive(FromQueryResult)]
struct HourOutcomes {
    hour: DateTime<Utc>,
    hits: i64,
    errors: i64,
}

#[derive(FromQueryResult)]
struct DayBucket {
    day: NaiveDate,
    bucket: i32,
    count: i64,
}

/// The whole application's requests in one UTC hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HourActivity {
    /// Start of the hour.
    pub(crate) hour: DateTime<Utc>,
    /// Requests.
    pub(crate) requests: u64,
    /// Requests answered with a status of 400 or more.
    pub(crate) errors: u64,
}

impl Store {
    /// Requests and errors per UTC hour in `[from, to)`, of one endpoint or of every endpoint
    /// together; hours without requests left out.
    pub(crate) async fn activity_per_hour(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        endpoint: Option<i32>,
    ) -> Result<Vec<HourActivity>, DbErr> {
        let errors = Expr::case(
            Expr::col(Rollup::StatusCode).gte(400),
            Expr::col(Rollup::Hits),
        )
        .finally(0);
        let mut select = Query::select()
            .column(Rollup::Hour)
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("hits"))
            .expr_as(self.sum(errors), Alias::new("errors"))
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::Hour).gte(from))
            .and_where(Expr::col(Rollup::Hour).lt(to))
            .group_by_col(Rollup::Hour)
            .to_owned();
        self.only_instance(&mut select, Rollup::InstanceId);
        if let Some(endpoint) = endpoint {
            select.and_where(Expr::col(Rollup::EndpointId).eq(endpoint));
        }
        Ok(self
            .fetch::<HourOutcomes>(&select)
            .await?
            .into_iter()
            .map(|row| HourActivity {
                hour: row.hour,
                requests: u64::try_from(row.hits).unwrap_or(0),
                errors: u64::try_from(row.errors).unwrap_or(0),
            })
            .collect())
    }

    /// The latency histogram of every endpoint together per local day `first..=last` (days
    /// without requests left out), days and buckets ascending.
    pub(crate) async fn latency_per_day(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Vec<(i32, u64)>)>, DbErr> {
        let mut select = Query::select()
            .column(LatencyDay::Day)
            .column(LatencyDay::Bucket)
            .expr_as(self.sum(Expr::col(LatencyDay::Count)), Alias::new("count"))
            .from(self.table(Table::LatencyDay))
            .and_where(Expr::col(LatencyDay::Day).between(first, last))
            .group_by_col(LatencyDay::Day)
            .group_by_col(LatencyDay::Bucket)
            .order_by(LatencyDay::Day, sea_orm::Order::Asc)
            .order_by(LatencyDay::Bucket, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut select, LatencyDay::InstanceId);
        let rows = self.fetch::<DayBucket>(&select).await?;
        Ok(histograms_by_key(
            rows.into_iter().map(|row| (row.day, row.bucket, row.count)),
        ))
    }
}

/// Histograms from `(key, bucket, count)` rows ordered by key, then bucket: one `(key,
/// buckets)` per key.
fn histograms_by_key<K: PartialEq>(
    rows: impl Iterator<Item = (K, i32, i64)>,
) -> Vec<(K, Vec<(i32, u64)>)> {
    let mut histograms: Vec<(K, Vec<(i32, u64)>)> = Vec::new();
    for (key, bucket, count) in rows {
        let count = u64::try_from(count).unwrap_or(0);
        match histograms.last_mut() {
            Some((last, buckets)) if *last == key => buckets.push((bucket, count)),
            _ => histograms.push((key, vec![(bucket, count)])),
        }
    }
    histograms
}

/// A histogram bucket of some key (an endpoint's name, a version).
#[derive(FromQueryResult)]
struct KeyedBucket {
    key: String,
    bucket: i32,
    count: i64,
}

impl Store {
    /// Histograms from a select of `key`, `bucket`, `count` ordered by key, then bucket: one
    /// `(key, buckets)` per key.
    async fn keyed_histograms(
        &self,
        select: &SelectStatement,
    ) -> Result<Vec<(String, Vec<(i32, u64)>)>, DbErr> {
        let rows = self.fetch::<KeyedBucket>(select).await?;
        Ok(histograms_by_key(
            rows.into_iter().map(|row| (row.key, row.bucket, row.count)),
        ))
    }
}

#[derive(FromQueryResult)]
struct VersionStart {
    version: String,
}

impl Store {
    /// `SELECT endpoint.name … FROM rollup JOIN endpoint WHERE hour IN [from, to) GROUP BY
    /// endpoint.name`.
    fn per_endpoint_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> SelectStatement {
        let (rows, endpoints) = (self.table(Table::Rollup), self.table(Table::Endpoint));
        let mut select = Query::select();
        self.only_instance(&mut select, (rows.clone(), Rollup::InstanceId));
        select
            .column((endpoints.clone(), Endpoint::Name))
            .from(rows.clone())
            .inner_join(
                endpoints.clone(),
                Expr::col((endpoints.clone(), Endpoint::Id))
                    .equals((rows.clone(), Rollup::EndpointId)),
            )
            .and_where(Expr::col((rows.clone(), Rollup::Hour)).gte(from))
            .and_where(Expr::col((rows, Rollup::Hour)).lt(to))
            .group_by_col((endpoints, Endpoint::Name))
            .to_owned()
    }

    /// Latency histograms per endpoint name for the local days `first..=last`, buckets
    /// ascending.
    pub(crate) async fn latency_histograms(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(String, Vec<(i32, u64)>)>, DbErr> {
        let (days, endpoints) = (self.table(Table::LatencyDay), self.table(Table::Endpoint));
        let mut select = Query::select()
            .expr_as(
                Expr::col((endpoints.clone(), Endpoint::Name)),
                Alias::new("key"),
            )
            .column((days.clone(), LatencyDay::Bucket))
            .expr_as(
                self.sum(Expr::col((days.clone(), LatencyDay::Count))),
                Alias::new("count"),
            )
            .from(days.clone())
            .inner_join(
                endpoints.clone(),
                Expr::col((endpoints.clone(), Endpoint::Id))
                    .equals((days.clone(), LatencyDay::EndpointId)),
            )
            .and_where(Expr::col((days.clone(), LatencyDay::Day)).between(first, last))
            .group_by_col((endpoints.clone(), Endpoint::Name))
            .group_by_col((days.clone(), LatencyDay::Bucket))
            .order_by((endpoints, Endpoint::Name), sea_orm::Order::Asc)
            .order_by((days, LatencyDay::Bucket), sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(
            &mut select,
            (self.table(Table::LatencyDay), LatencyDay::InstanceId),
        );
        self.keyed_histograms(&select).await
    }

    /// Latency histograms of one endpoint per version for the local days `first..=last`, only
    /// of `versions`; by version, buckets ascending.
    pub(crate) async fn version_histograms(
        &self,
        endpoint: i32,
        first: NaiveDate,
        last: NaiveDate,
        versions: &[String],
    ) -> Result<Vec<(String, Vec<(i32, u64)>)>, DbErr> {
        let mut select = Query::select()
            .expr_as(Expr::col(LatencyDay::Version), Alias::new("key"))
            .column(LatencyDay::Bucket)
            .expr_as(self.sum(Expr::col(LatencyDay::Count)), Alias::new("count"))
            .from(self.table(Table::LatencyDay))
            .and_where(Expr::col(LatencyDay::EndpointId).eq(endpoint))
            .and_where(Expr::col(LatencyDay::Day).between(first, last))
            .and_where(Expr::col(LatencyDay::Version).is_in(versions.iter().map(String::as_str)))
            .group_by_col(LatencyDay::Version)
            .group_by_col(LatencyDay::Bucket)
            .order_by(LatencyDay::Version, sea_orm::Order::Asc)
            .order_by(LatencyDay::Bucket, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut select, LatencyDay::InstanceId);
        self.keyed_histograms(&select).await
    }

    /// The versions with requests in `[from, to)` (of one endpoint, or of any), in the order
    /// they first served one.
    pub(crate) async fn versions_in_order(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        endpoint: Option<i32>,
    ) -> Result<Vec<String>, DbErr> {
        let first_hour = Alias::new("first_hour");
        let mut select = Query::select()
            .column(Rollup::Version)
            .expr_as(Expr::col(Rollup::Hour).min(), first_hour.clone())
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::Hour).gte(from))
            .and_where(Expr::col(Rollup::Hour).lt(to))
            .group_by_col(Rollup::Version)
            .order_by(first_hour, sea_orm::Order::Asc)
            .order_by(Rollup::Version, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut select, Rollup::InstanceId);
        if let Some(endpoint) = endpoint {
            select.and_where(Expr::col(Rollup::EndpointId).eq(endpoint));
        }
        Ok(self
            .fetch::<VersionStart>(&select)
            .await?
            .into_iter()
            .map(|row| row.version)
            .collect())
    }
}

#[derive(FromQueryResult)]
struct EndpointHourHits {
    name: String,
    hour: DateTime<Utc>,
    hits: i64,
}

impl Store {
    /// Requests per endpoint name and UTC hour in `[from, to)`.
    pub(crate) async fn hits_per_endpoint_hour(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>, u64)>, DbErr> {
        let rollups = self.table(Table::Rollup);
        let select = self
            .per_endpoint_between(from, to)
            .column((rollups.clone(), Rollup::Hour))
            .expr_as(
                self.sum(Expr::col((rollups.clone(), Rollup::Hits))),
                Alias::new("hits"),
            )
            .group_by_col((rollups, Rollup::Hour))
            .to_owned();
        Ok(self
            .fetch::<EndpointHourHits>(&select)
            .await?
            .into_iter()
            .map(|row| (row.name, row.hour, u64::try_from(row.hits).unwrap_or(0)))
            .collect())
    }
}

#[derive(FromQueryResult)]
struct EndpointVersionHits {
    name: String,
    version: String,
    hits: i64,
}

impl Store {
    /// Requests per endpoint name and version in `[from, to)`, only of `versions`.
    pub(crate) async fn hits_per_endpoint_version(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        versions: &[String],
    ) -> Result<Vec<(String, String, u64)>, DbErr> {
        let rollups = self.table(Table::Rollup);
        let select = self
            .per_endpoint_between(from, to)
            .column((rollups.clone(), Rollup::Version))
            .expr_as(
                self.sum(Expr::col((rollups.clone(), Rollup::Hits))),
                Alias::new("hits"),
            )
            .and_where(
                Expr::col((rollups.clone(), Rollup::Version))
                    .is_in(versions.iter().map(String::as_str)),
            )
            .group_by_col((rollups, Rollup::Version))
            .to_owned();
        Ok(self
            .fetch::<EndpointVersionHits>(&select)
            .await?
            .into_iter()
            .map(|row| (row.name, row.version, u64::try_from(row.hits).unwrap_or(0)))
            .collect())
    }
}
