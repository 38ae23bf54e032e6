//! Utilisation over time, from the hourly rollups.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Rollup, RollupBucket, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::{Store, sum_as_bigint};

#[derive(FromQueryResult)]
struct HourHits {
    hour: DateTime<Utc>,
    hits: i64,
}

impl Store {
    /// Requests per UTC hour in `[from, to)`, every endpoint together.
    pub(crate) async fn hits_per_hour(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>, DbErr> {
        let select = Query::select()
            .column(Rollup::Hour)
            .expr_as(sum_as_bigint(Expr::col(Rollup::Hits)), Alias::new("hits"))
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::Hour).gte(from))
            .and_where(Expr::col(Rollup::Hour).lt(to))
            .group_by_col(Rollup::Hour)
            .to_owned();
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| {
                let row = HourHits::from_query_result(row, "")?;
                Ok((row.hour, u64::try_from(row.hits).unwrap_or(0)))
            })
            .collect()
    }
}

#[derive(FromQueryResult)]
struct EndpointBucket {
    name: String,
    bucket: i32,
    count: i64,
}

impl Store {
    /// `SELECT endpoint.name … FROM {table} JOIN endpoint WHERE hour IN [from, to) GROUP BY
    /// endpoint.name` over a rollup table (`rollup` and `rollup_bucket` share the key columns).
    fn per_endpoint_between(
        &self,
        table: Table,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> SelectStatement {
        let (rows, endpoints) = (self.table(table), self.table(Table::Endpoint));
        Query::select()
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

    /// Latency histograms per endpoint name for hours in `[from, to)`, buckets ascending.
    pub(crate) async fn latency_histograms(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, Vec<(i32, u64)>)>, DbErr> {
        let buckets = self.table(Table::RollupBucket);
        let select = self
            .per_endpoint_between(Table::RollupBucket, from, to)
            .column((buckets.clone(), RollupBucket::Bucket))
            .expr_as(
                sum_as_bigint(Expr::col((buckets.clone(), RollupBucket::Count))),
                Alias::new("count"),
            )
            .group_by_col((buckets.clone(), RollupBucket::Bucket))
            .order_by(
                (self.table(Table::Endpoint), Endpoint::Name),
                sea_orm::Order::Asc,
            )
            .order_by((buckets, RollupBucket::Bucket), sea_orm::Order::Asc)
            .to_owned();
        let mut histograms: Vec<(String, Vec<(i32, u64)>)> = Vec::new();
        for row in self.db().query_all(&select).await? {
            let row = EndpointBucket::from_query_result(&row, "")?;
            let count = u64::try_from(row.count).unwrap_or(0);
            match histograms.last_mut() {
                Some((name, buckets)) if *name == row.name => buckets.push((row.bucket, count)),
                _ => histograms.push((row.name, vec![(row.bucket, count)])),
            }
        }
        Ok(histograms)
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
            .per_endpoint_between(Table::Rollup, from, to)
            .column((rollups.clone(), Rollup::Hour))
            .expr_as(
                sum_as_bigint(Expr::col((rollups.clone(), Rollup::Hits))),
                Alias::new("hits"),
            )
            .group_by_col((rollups, Rollup::Hour))
            .to_owned();
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| {
                let row = EndpointHourHits::from_query_result(row, "")?;
                Ok((row.name, row.hour, u64::try_from(row.hits).unwrap_or(0)))
            })
            .collect()
    }
}
