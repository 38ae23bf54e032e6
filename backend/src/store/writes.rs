//! The writer's statements: endpoint registration and batched measurements with their rollups.

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use dashboard_migration::schema::{Endpoint, Request, Rollup, RollupBucket, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, TransactionTrait};

use super::Store;
use crate::config::MonitorLevel;
use crate::record::histogram;

/// Rows per multi-row INSERT (well under SQLite's limit of bound values).
const ROWS_PER_INSERT: usize = 500;

/// A measurement with its endpoint resolved, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct StoredMeasurement {
    pub(crate) endpoint_id: i32,
    pub(crate) level: MonitorLevel,
    pub(crate) time_requested: DateTime<Utc>,
    pub(crate) duration_ms: f64,
    pub(crate) status: u16,
    pub(crate) group_by: Option<String>,
    pub(crate) ip: Option<String>,
}

#[derive(FromQueryResult)]
struct EndpointIdLevel {
    id: i32,
    monitor_level: i16,
}

/// Key of a rollup row: endpoint, hour, status (the version is the writer's).
type RollupKey = (i32, DateTime<Utc>, u16);

impl Store {
    /// The id and level of the endpoint `METHOD route`, creating it with `level` when it is new.
    pub(crate) async fn ensure_endpoint(
        &self,
        method: &str,
        route: &str,
        level: MonitorLevel,
        version: &str,
    ) -> Result<(i32, MonitorLevel), DbErr> {
        let name = format!("{method} {route}");
        let insert = Query::insert()
            .into_table(self.table(Table::Endpoint))
            .columns([
                Endpoint::Name,
                Endpoint::Method,
                Endpoint::Route,
                Endpoint::MonitorLevel,
                Endpoint::TimeAdded,
                Endpoint::VersionAdded,
            ])
            .values_panic([
                name.clone().into(),
                method.into(),
                route.into(),
                i16::from(level.get()).into(),
                Utc::now().into(),
                version.into(),
            ])
            .on_conflict(OnConflict::column(Endpoint::Name).do_nothing().to_owned())
            .to_owned();
        self.db().execute(&insert).await?;
        let select = Query::select()
            .columns([Endpoint::Id, Endpoint::MonitorLevel])
            .from(self.table(Table::Endpoint))
            .and_where(Expr::col(Endpoint::Name).eq(name.as_str()))
            .to_owned();
        let row = self
            .db()
            .query_one(&select)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(name))?;
        let row = EndpointIdLevel::from_query_result(&row, "")?;
        let level = u8::try_from(row.monitor_level)
            .ok()
            .and_then(MonitorLevel::new)
            .unwrap_or(MonitorLevel::PERFORMANCE);
        Ok((row.id, level))
    }

    /// Stores a batch in one transaction: request rows (level ≥ 1), hourly rollups and latency
    /// buckets (level ≥ 1), and every endpoint's `last_requested` (all levels).
    pub(crate) async fn write_measurements(
        &self,
        version: &str,
        rows: &[StoredMeasurement],
    ) -> Result<(), DbErr> {
        let txn = self.db().begin().await?;
        let recorded: Vec<&StoredMeasurement> = rows
            .iter()
            .filter(|row| row.level >= MonitorLevel::PERFORMANCE)
            .collect();
        for chunk in recorded.chunks(ROWS_PER_INSERT) {
            self.insert_requests(&txn, version, chunk).await?;
        }
        self.upsert_rollups(&txn, version, &recorded).await?;
        self.update_last_requested(&txn, rows).await?;
        txn.commit().await
    }

    async fn insert_requests(
        &self,
        txn: &DatabaseTransaction,
        version: &str,
        rows: &[&StoredMeasurement],
    ) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table(self.table(Table::Request)).columns([
            Request::EndpointId,
            Request::DurationMs,
            Request::TimeRequested,
            Request::VersionRequested,
            Request::GroupBy,
            Request::Ip,
            Request::StatusCode,
        ]);
        for row in rows {
            insert.values_panic([
                row.endpoint_id.into(),
                row.duration_ms.into(),
                row.time_requested.into(),
                version.into(),
                row.group_by.clone().into(),
                row.ip.clone().into(),
                i32::from(row.status).into(),
            ]);
        }
        txn.execute(&insert).await?;
        Ok(())
    }

    async fn upsert_rollups(
        &self,
        txn: &DatabaseTransaction,
        version: &str,
        rows: &[&StoredMeasurement],
    ) -> Result<(), DbErr> {
        let mut totals: HashMap<RollupKey, (i64, f64)> = HashMap::new();
        let mut buckets: HashMap<(RollupKey, i32), i64> = HashMap::new();
        for row in rows {
            let hour = row
                .time_requested
                .duration_trunc(TimeDelta::hours(1))
                .unwrap_or(row.time_requested);
            let key = (row.endpoint_id, hour, row.status);
            let total = totals.entry(key).or_default();
            total.0 += 1;
            total.1 += row.duration_ms;
            *buckets
                .entry((key, histogram::bucket_of(row.duration_ms)))
                .or_default() += 1;
        }
        let totals: Vec<_> = totals.into_iter().collect();
        for chunk in totals.chunks(ROWS_PER_INSERT) {
            let mut insert = Query::insert();
            insert.into_table(self.table(Table::Rollup)).columns([
                Rollup::EndpointId,
                Rollup::Hour,
                Rollup::Version,
                Rollup::StatusCode,
                Rollup::Hits,
                Rollup::DurationSumMs,
            ]);
            for ((endpoint_id, hour, status), (hits, sum)) in chunk {
                insert.values_panic([
                    (*endpoint_id).into(),
                    (*hour).into(),
                    version.into(),
                    i32::from(*status).into(),
                    (*hits).into(),
                    (*sum).into(),
                ]);
            }
            insert.on_conflict(
                OnConflict::columns([
                    Rollup::EndpointId,
                    Rollup::Hour,
                    Rollup::Version,
                    Rollup::StatusCode,
                ])
                .value(Rollup::Hits, self.accumulate(Table::Rollup, Rollup::Hits))
                .value(
                    Rollup::DurationSumMs,
                    self.accumulate(Table::Rollup, Rollup::DurationSumMs),
                )
                .to_owned(),
            );
            txn.execute(&insert).await?;
        }
        let buckets: Vec<_> = buckets.into_iter().collect();
        for chunk in buckets.chunks(ROWS_PER_INSERT) {
            let mut insert = Query::insert();
            insert.into_table(self.table(Table::RollupBucket)).columns([
                RollupBucket::EndpointId,
                RollupBucket::Hour,
                RollupBucket::Version,
                RollupBucket::StatusCode,
                RollupBucket::Bucket,
                RollupBucket::Count,
            ]);
            for (((endpoint_id, hour, status), bucket), count) in chunk {
                insert.values_panic([
                    (*endpoint_id).into(),
                    (*hour).into(),
                    version.into(),
                    i32::from(*status).into(),
                    (*bucket).into(),
                    (*count).into(),
                ]);
            }
            insert.on_conflict(
                OnConflict::columns([
                    RollupBucket::EndpointId,
                    RollupBucket::Hour,
                    RollupBucket::Version,
                    RollupBucket::StatusCode,
                    RollupBucket::Bucket,
                ])
                .value(
                    RollupBucket::Count,
                    self.accumulate(Table::RollupBucket, RollupBucket::Count),
                )
                .to_owned(),
            );
            txn.execute(&insert).await?;
        }
        Ok(())
    }

    /// `table.column + excluded.column`: adds the new counts to the stored ones, atomically even
    /// when several processes write the same row.
    fn accumulate(&self, table: Table, column: impl IntoIden + Copy + 'static) -> Expr {
        Expr::col((self.table(table), column)).add(Expr::col((Alias::new("excluded"), column)))
    }

    async fn update_last_requested(
        &self,
        txn: &DatabaseTransaction,
        rows: &[StoredMeasurement],
    ) -> Result<(), DbErr> {
        let mut latest: HashMap<i32, DateTime<Utc>> = HashMap::new();
        for row in rows {
            let time = latest.entry(row.endpoint_id).or_insert(row.time_requested);
            *time = Ord::max(*time, row.time_requested);
        }
        for (endpoint_id, time) in latest {
            let update = Query::update()
                .table(self.table(Table::Endpoint))
                .value(Endpoint::LastRequested, time)
                .and_where(Expr::col(Endpoint::Id).eq(endpoint_id))
                .and_where(
                    Expr::col(Endpoint::LastRequested)
                        .is_null()
                        .or(Expr::col(Endpoint::LastRequested).lt(time)),
                )
                .to_owned();
            txn.execute(&update).await?;
        }
        Ok(())
    }
}
