//! The reads behind performance reports: status counts and random samples of durations per set
//! of requests, and the versions in the order they appeared.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Request, Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{DbErr, FromQueryResult};

use super::Store;
use super::labels::LabelKind;

/// A set of requests a report compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestSet {
    /// Requests in `[from, to)` (UTC).
    Range(DateTime<Utc>, DateTime<Utc>),
    /// Requests served by a version.
    Version(String),
}

impl RequestSet {
    fn restrict(&self, store: &Store, select: &mut SelectStatement) {
        match self {
            RequestSet::Range(from, to) => {
                select
                    .and_where(Expr::col(Request::TimeUs).gte(from.timestamp_micros()))
                    .and_where(Expr::col(Request::TimeUs).lt(to.timestamp_micros()));
            }
            RequestSet::Version(version) => {
                select.and_where(store.label_in(
                    Request::VersionId,
                    LabelKind::Version,
                    &[version.as_str()],
                ));
            }
        }
    }
}

#[derive(FromQueryResult)]
struct StatusCount {
    endpoint_id: i32,
    status_code: i32,
    hits: i64,
}

#[derive(FromQueryResult)]
struct Duration {
    duration_us: i64,
}

#[derive(FromQueryResult)]
struct EndpointName {
    id: i32,
    name: String,
}

#[derive(FromQueryResult)]
struct Version {
    version: String,
}

#[derive(FromQueryResult)]
struct VersionHits {
    version: String,
    hits: i64,
}

impl Store {
    /// Requests per endpoint and status code in `set`: `(endpoint, status, requests)`. A
    /// version's come from the hourly rollups (the request table has no index by version), a
    /// range's from the requests, whose bounds need not fall on the hour.
    pub(crate) async fn set_status_counts(
        &self,
        set: &RequestSet,
    ) -> Result<Vec<(i32, u16, u64)>, DbErr> {
        let select = match set {
            RequestSet::Version(version) => Query::select()
                .column(Rollup::EndpointId)
                .expr_as(
                    self.integer32(Expr::col(Rollup::StatusCode)),
                    Alias::new("status_code"),
                )
                .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("hits"))
                .from(self.table(Table::Rollup))
                .and_where(Expr::col(Rollup::Version).eq(version.as_str()))
                .group_by_col(Rollup::EndpointId)
                .group_by_col(Rollup::StatusCode)
                .to_owned(),
            RequestSet::Range(..) => self.request_status_counts(set),
        };
        Ok(self
            .fetch::<StatusCount>(&select)
            .await?
            .into_iter()
            .map(|row| {
                (
                    row.endpoint_id,
                    u16::try_from(row.status_code).unwrap_or(0),
                    u64::try_from(row.hits).unwrap_or(0),
                )
            })
            .collect())
    }

    fn request_status_counts(&self, set: &RequestSet) -> SelectStatement {
        let mut select = Query::select()
            .column(Request::EndpointId)
            .expr_as(
                self.integer32(Expr::col(Request::StatusCode)),
                Alias::new("status_code"),
            )
            .expr_as(Func::count(Expr::col(Request::Id)), Alias::new("hits"))
            .from(self.table(Table::Request))
            // Endpoint by endpoint along the (endpoint, time, …, status) index, which also
            // holds the status: the request table has no index by time alone.
            .and_where(
                Expr::col(Request::EndpointId).in_subquery(
                    Query::select()
                        .column(Endpoint::Id)
                        .from(self.table(Table::Endpoint))
                        .to_owned(),
                ),
            )
            .group_by_col(Request::EndpointId)
            .group_by_col(Request::StatusCode)
            .to_owned();
        set.restrict(self, &mut select);
        select
    }

    /// Up to `limit` durations of the endpoint's requests in `set`, drawn uniformly at random.
    pub(crate) async fn sample_durations(
        &self,
        endpoint: i32,
        set: &RequestSet,
        limit: u64,
    ) -> Result<Vec<f64>, DbErr> {
        let mut select = Query::select()
            .column(Request::DurationUs)
            .from(self.table(Table::Request))
            .and_where(Expr::col(Request::EndpointId).eq(endpoint))
            .order_by_expr(Func::random().into(), Order::Asc)
            .limit(limit)
            .to_owned();
        set.restrict(self, &mut select);
        Ok(self
            .fetch::<Duration>(&select)
            .await?
            .into_iter()
            .map(|row| super::ms_of_micros(row.duration_us))
            .collect())
    }

    /// Every endpoint's name by id.
    pub(crate) async fn endpoint_names(&self) -> Result<Vec<(i32, String)>, DbErr> {
        let select = Query::select()
            .columns([Endpoint::Id, Endpoint::Name])
            .from(self.table(Table::Endpoint))
            .to_owned();
        Ok(self
            .fetch::<EndpointName>(&select)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect())
    }

    /// The version of the latest rollup: the one being served (along the hour index).
    pub(crate) async fn latest_version(&self) -> Result<Option<String>, DbErr> {
        let select = Query::select()
            .column(Rollup::Version)
            .from(self.table(Table::Rollup))
            .order_by(Rollup::Hour, Order::Desc)
            .limit(1)
            .to_owned();
        let rows: Vec<Version> = self.fetch(&select).await?;
        Ok(rows.into_iter().next().map(|row| row.version))
    }

    /// Versions with their requests, the one that appeared last first (from the rollups).
    pub(crate) async fn versions_newest_first(&self) -> Result<Vec<(String, u64)>, DbErr> {
        let first_hour = Alias::new("first_hour");
        let select = Query::select()
            .column(Rollup::Version)
            .expr_as(Expr::col(Rollup::Hour).min(), first_hour.clone())
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("hits"))
            .from(self.table(Table::Rollup))
            .group_by_col(Rollup::Version)
            .order_by(first_hour, Order::Desc)
            .order_by(Rollup::Version, Order::Desc)
            .to_owned();
        Ok(self
            .fetch::<VersionHits>(&select)
            .await?
            .into_iter()
            .map(|row| (row.version, u64::try_from(row.hits).unwrap_or(0)))
            .collect())
    }
}
