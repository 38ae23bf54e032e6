//! Utilisation over time, from the hourly rollups.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Rollup, RollupBucket, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

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
            .expr_as(
                Func::cast_as(Func::sum(Expr::col(Rollup::Hits)), Alias::new("BIGINT")),
                Alias::new("hits"),
            )
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
    /// Latency histograms per endpoint name for hours in `[from, to)`, buckets ascending.
    pub(crate) async fn latency_histograms(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, Vec<(i32, u64)>)>, DbErr> {
        let (buckets, endpoints) = (self.table(Table::RollupBucket), self.table(Table::Endpoint));
        let select = Query::select()
            .column((endpoints.clone(), Endpoint::Name))
            .column((buckets.clone(), RollupBucket::Bucket))
            .expr_as(
                Func::cast_as(
                    Func::sum(Expr::col((buckets.clone(), RollupBucket::Count))),
                    Alias::new("BIGINT"),
                ),
                Alias::new("count"),
            )
            .from(buckets.clone())
            .inner_join(
                endpoints.clone(),
                Expr::col((endpoints.clone(), Endpoint::Id))
                    .equals((buckets.clone(), RollupBucket::EndpointId)),
            )
            .and_where(Expr::col((buckets.clone(), RollupBucket::Hour)).gte(from))
            .and_where(Expr::col((buckets.clone(), RollupBucket::Hour)).lt(to))
            .group_by_col((endpoints.clone(), Endpoint::Name))
            .group_by_col((buckets.clone(), RollupBucket::Bucket))
            .order_by((endpoints, Endpoint::Name), sea_orm::Order::Asc)
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
        let (rollups, endpoints) = (self.table(Table::Rollup), self.table(Table::Endpoint));
        let select = Query::select()
            .column((endpoints.clone(), Endpoint::Name))
            .column((rollups.clone(), Rollup::Hour))
            .expr_as(
                Func::cast_as(
                    Func::sum(Expr::col((rollups.clone(), Rollup::Hits))),
                    Alias::new("BIGINT"),
                ),
                Alias::new("hits"),
            )
            .from(rollups.clone())
            .inner_join(
                endpoints.clone(),
                Expr::col((endpoints.clone(), Endpoint::Id))
                    .equals((rollups.clone(), Rollup::EndpointId)),
            )
            .and_where(Expr::col((rollups.clone(), Rollup::Hour)).gte(from))
            .and_where(Expr::col((rollups.clone(), Rollup::Hour)).lt(to))
            .group_by_col((endpoints, Endpoint::Name))
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
