//! The processes that share the database: each registers as an instance, writes a heartbeat
//! every [`HEARTBEAT_PERIOD`], and adds its measurements to rollup rows of its own.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_migration::schema::{Heartbeat, Instance, LatencyTotal, Rollup, StatusTotal, Table};
use sea_orm::sea_query::{Alias, DynIden, Expr, ExprTrait, IntoIden, OnConflict, Query, Value};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait};

use super::Store;

/// How often a process writes its heartbeat.
pub(crate) const HEARTBEAT_PERIOD: Duration = Duration::from_secs(15);

/// An instance silent this long is forgotten: its all-time rollup rows are added to instance
/// [`InstanceId::GONE`]'s and its row is deleted.
pub(crate) const FORGOTTEN_AFTER: TimeDelta = TimeDelta::days(1);

/// Heartbeats are kept this long (the Servers page's sparklines).
pub(crate) const HEARTBEAT_HISTORY: TimeDelta = TimeDelta::hours(1);

/// The columns of a heartbeat's figures, [`Beat`]'s fields in their order (the time first).
const BEAT_COLUMNS: [Heartbeat; 8] = [
    Heartbeat::Time,
    Heartbeat::CpuPercent,
    Heartbeat::MemoryBytes,
    Heartbeat::InFlight,
    Heartbeat::Queued,
    Heartbeat::Dropped,
    Heartbeat::Stored,
    Heartbeat::WriterLagMs,
];

/// The id of an instance: what its request and rollup rows hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct InstanceId(pub(crate) i32);

impl InstanceId {
    /// The rollup rows of no live instance: counts from before instances were recorded, and
    /// those of instances forgotten after a day of silence.
    pub(crate) const GONE: InstanceId = InstanceId(0);
}

/// What an instance tells about itself when it starts.
#[derive(Debug, Clone)]
pub(crate) struct InstanceStart<'a> {
    pub(crate) name: &'a str,
    pub(crate) app_version: &'a str,
    pub(crate) started: DateTime<Utc>,
}

/// One heartbeat's figures.
#[derive(Debug, Clone, Copy, PartialEq, FromQueryResult)]
pub(crate) struct Beat {
    pub(crate) time: DateTime<Utc>,
    pub(crate) cpu_percent: f64,
    pub(crate) memory_bytes: i64,
    pub(crate) in_flight: i64,
    pub(crate) queued: i64,
    pub(crate) dropped: i64,
    pub(crate) stored: i64,
    pub(crate) writer_lag_ms: f64,
}

/// An instance as the Servers page shows it: the domain row.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct InstanceRow {
    pub(crate) id: i32,
    pub(crate) name: String,
    pub(crate) app_version: String,
    pub(crate) dashboard_version: String,
    pub(crate) started: DateTime<Utc>,
    pub(crate) last_seen: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct BeatOf {
    instance_id: i32,
    #[sea_orm(nested)]
    beat: Beat,
}

#[derive(FromQueryResult)]
struct InstanceHits {
    instance_id: i32,
    hits: i64,
}

#[derive(FromQueryResult)]
struct Id {
    id: i32,
}

impl Store {
    /// Registers this process under its `INSTANCE` name (a name seen before keeps its id, so a
    /// restarted process with a fixed name goes on adding to its rows).
    pub(crate) async fn register_instance(
        &self,
        start: &InstanceStart<'_>,
    ) -> Result<InstanceId, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::Instance))
            .columns([
                Instance::Name,
                Instance::AppVersion,
                Instance::DashboardVersion,
                Instance::Started,
                Instance::LastSeen,
            ])
            .values_panic([
                start.name.into(),
                start.app_version.into(),
                env!("CARGO_PKG_VERSION").into(),
                start.started.into(),
                start.started.into(),
            ])
            .on_conflict(
                OnConflict::column(Instance::Name)
                    .update_columns([
                        Instance::AppVersion,
                        Instance::DashboardVersion,
                        Instance::Started,
                        Instance::LastSeen,
                    ])
                    .to_owned(),
            )
            .to_owned();
        let select = Query::select()
            .column(Instance::Id)
            .from(self.table(Table::Instance))
            .and_where(Expr::col(Instance::Name).eq(start.name))
            .to_owned();
        self.insert_or_read(&insert, &select, "id", "instance")
            .await
            .map(InstanceId)
    }

    /// Stores a heartbeat of `instance` and forgets its heartbeats older than
    /// [`HEARTBEAT_HISTORY`]. A process whose row was deleted (silent for a day, say a paused
    /// virtual machine) registers again.
    pub(crate) async fn write_heartbeat(
        &self,
        instance: InstanceId,
        start: &InstanceStart<'_>,
        beat: &Beat,
    ) -> Result<InstanceId, DbErr> {
        let touch = Query::update()
            .table(self.table(Table::Instance))
            .value(Instance::LastSeen, beat.time)
            .and_where(Expr::col(Instance::Id).eq(instance.0))
            .to_owned();
        let instance = if self.db().execute(&touch).await?.rows_affected() == 0 {
            self.register_instance(start).await?
        } else {
            instance
        };
        let insert = Query::insert()
            .into_table(self.table(Table::Heartbeat))
            .columns(std::iter::once(Heartbeat::InstanceId).chain(BEAT_COLUMNS))
            .values_panic([
                instance.0.into(),
                beat.time.into(),
                beat.cpu_percent.into(),
                beat.memory_bytes.into(),
                beat.in_flight.into(),
                beat.queued.into(),
                beat.dropped.into(),
                beat.stored.into(),
                beat.writer_lag_ms.into(),
            ])
            .on_conflict(
                // A later beat within the database's time precision (a second on MySQL), such
                // as the last one at shutdown, replaces the earlier.
                OnConflict::columns([Heartbeat::InstanceId, Heartbeat::Time])
                    .update_columns(BEAT_COLUMNS.into_iter().skip(1))
                    .to_owned(),
            )
            .to_owned();
        self.db().execute(&insert).await?;
        let old = Query::delete()
            .from_table(self.table(Table::Heartbeat))
            .and_where(Expr::col(Heartbeat::InstanceId).eq(instance.0))
            .and_where(Expr::col(Heartbeat::Time).lt(beat.time - HEARTBEAT_HISTORY))
            .to_owned();
        self.db().execute(&old).await?;
        Ok(instance)
    }

    /// Forgets the instances silent for [`FORGOTTEN_AFTER`]: their all-time rollup rows are
    /// added to [`InstanceId::GONE`]'s (so totals stay whole while the rows per restart do not
    /// pile up) and their rows and heartbeats are deleted. Safe when several processes do it
    /// at once: an instance is folded by the one transaction that deletes its row. Answers
    /// how many were forgotten.
    pub(crate) async fn forget_silent_instances(&self, now: DateTime<Utc>) -> Result<u64, DbErr> {
        let silent = Query::select()
            .column(Instance::Id)
            .from(self.table(Table::Instance))
            .and_where(Expr::col(Instance::LastSeen).lt(now - FORGOTTEN_AFTER))
            .to_owned();
        let mut forgotten = 0;
        for Id { id } in self.fetch::<Id>(&silent).await? {
            let txn = self.db().begin().await?;
            let delete = Query::delete()
                .from_table(self.table(Table::Instance))
                .and_where(Expr::col(Instance::Id).eq(id))
                .and_where(Expr::col(Instance::LastSeen).lt(now - FORGOTTEN_AFTER))
                .to_owned();
            if txn.execute(&delete).await?.rows_affected() == 0 {
                continue;
            }
            self.fold_all_time_rows(&txn, InstanceId(id)).await?;
            let beats = Query::delete()
                .from_table(self.table(Table::Heartbeat))
                .and_where(Expr::col(Heartbeat::InstanceId).eq(id))
                .to_owned();
            txn.execute(&beats).await?;
            txn.commit().await?;
            forgotten += 1;
        }
        Ok(forgotten)
    }

    /// Adds `instance`'s all-time latency buckets and status totals to those of
    /// [`InstanceId::GONE`] and deletes them.
    async fn fold_all_time_rows(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        #[derive(FromQueryResult)]
        struct Row {
            endpoint_id: i32,
            key: i32,
            count: i64,
        }
        let tables: [(Table, [DynIden; 4]); 2] = [
            (
                Table::LatencyTotal,
                [
                    LatencyTotal::EndpointId.into_iden(),
                    LatencyTotal::Bucket.into_iden(),
                    LatencyTotal::Count.into_iden(),
                    LatencyTotal::InstanceId.into_iden(),
                ],
            ),
            (
                Table::StatusTotal,
                [
                    StatusTotal::EndpointId.into_iden(),
                    StatusTotal::StatusCode.into_iden(),
                    StatusTotal::Hits.into_iden(),
                    StatusTotal::InstanceId.into_iden(),
                ],
            ),
        ];
        for (table, [endpoint, key, count, instance_column]) in tables {
            let select = Query::select()
                .expr_as(Expr::col(endpoint.clone()), Alias::new("endpoint_id"))
                .expr_as(Expr::col(key.clone()), Alias::new("key"))
                .expr_as(Expr::col(count.clone()), Alias::new("count"))
                .from(self.table(table))
                .and_where(Expr::col(instance_column.clone()).eq(instance.0))
                .to_owned();
            let rows = txn
                .query_all(&select)
                .await?
                .iter()
                .map(|row| Row::from_query_result(row, ""))
                .collect::<Result<Vec<_>, _>>()?;
            let rows = rows.into_iter().map(|row| -> Vec<Value> {
                vec![row.endpoint_id.into(), row.key.into(), row.count.into()]
            });
            self.insert_adding(
                txn,
                table,
                InstanceId::GONE,
                &[endpoint, key],
                &[count],
                rows,
            )
            .await?;
            let delete = Query::delete()
                .from_table(self.table(table))
                .and_where(Expr::col(instance_column).eq(instance.0))
                .to_owned();
            txn.execute(&delete).await?;
        }
        Ok(())
    }

    /// The instances heard from within [`FORGOTTEN_AFTER`] of `now`, the latest first.
    pub(crate) async fn instances(&self, now: DateTime<Utc>) -> Result<Vec<InstanceRow>, DbErr> {
        let select = Query::select()
            .columns([
                Instance::Id,
                Instance::Name,
                Instance::AppVersion,
                Instance::DashboardVersion,
                Instance::Started,
                Instance::LastSeen,
            ])
            .from(self.table(Table::Instance))
            .and_where(Expr::col(Instance::LastSeen).gte(now - FORGOTTEN_AFTER))
            .order_by(Instance::LastSeen, sea_orm::Order::Desc)
            .order_by(Instance::Name, sea_orm::Order::Asc)
            .to_owned();
        self.fetch(&select).await
    }

    /// Every instance's heartbeats since `since`, oldest first.
    pub(crate) async fn heartbeats(
        &self,
        since: DateTime<Utc>,
    ) -> Result<HashMap<i32, Vec<Beat>>, DbErr> {
        let select = Query::select()
            .column(Heartbeat::InstanceId)
            .columns(BEAT_COLUMNS)
            .from(self.table(Table::Heartbeat))
            .and_where(Expr::col(Heartbeat::Time).gte(since))
            .order_by(Heartbeat::Time, sea_orm::Order::Asc)
            .to_owned();
        let mut beats: HashMap<i32, Vec<Beat>> = HashMap::new();
        for row in self.fetch::<BeatOf>(&select).await? {
            beats.entry(row.instance_id).or_default().push(row.beat);
        }
        Ok(beats)
    }

    /// Requests each instance stored since `since` (from the hourly rollups).
    pub(crate) async fn requests_per_instance(
        &self,
        since: DateTime<Utc>,
    ) -> Result<HashMap<i32, u64>, DbErr> {
        let select = Query::select()
            .column(Rollup::InstanceId)
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("hits"))
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::Hour).gte(since))
            .group_by_col(Rollup::InstanceId)
            .to_owned();
        Ok(self
            .fetch::<InstanceHits>(&select)
            .await?
            .into_iter()
            .map(|row| (row.instance_id, u64::try_from(row.hits).unwrap_or(0)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::config::MonitorLevel;
    use crate::store::labels::Labels;
    use crate::store::overview::{Periods, Since};
    use crate::store::writes::StoredMeasurement;
    use crate::store::writes::tests::measurement;

    fn request(endpoint_id: i32, duration_ms: f64, status: u16) -> StoredMeasurement {
        measurement(endpoint_id, duration_ms, status, MonitorLevel::PERFORMANCE)
    }

    /// Hits overall, errors overall and the overall latency buckets of the only endpoint.
    async fn totals(store: &Store) -> (u64, u64, Vec<(i32, u64)>) {
        let since = Since {
            day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        };
        let rows = store
            .overview(Periods {
                today: since,
                week: since,
            })
            .await
            .unwrap();
        let row = &rows[0];
        (
            row.hits.overall,
            row.errors.overall,
            row.latency.overall.clone(),
        )
    }

    #[tokio::test]
    async fn an_instance_silent_for_a_day_is_forgotten_and_its_counts_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(&dir).await;
        let (endpoint, _) = store
            .ensure_endpoint("GET", "/a", MonitorLevel::PERFORMANCE, "1.0", Utc::now())
            .await
            .unwrap();
        let long_ago = Utc::now() - FORGOTTEN_AFTER - TimeDelta::hours(1);
        let start = |name| InstanceStart {
            name,
            app_version: "1.0",
            started: long_ago,
        };
        let gone = store.register_instance(&start("gone")).await.unwrap();
        let live = store.register_instance(&start("live")).await.unwrap();
        assert_ne!(gone, live);
        for (instance, rows) in [
            (
                gone,
                vec![request(endpoint, 10.0, 200), request(endpoint, 30.0, 500)],
            ),
            (live, vec![request(endpoint, 20.0, 200)]),
        ] {
            store
                .write_measurements(&rows, &mut Labels::default(), instance)
                .await
                .unwrap();
        }
        let before = totals(&store).await;
        assert_eq!((before.0, before.1), (3, 1));
        let beat = Beat {
            time: Utc::now(),
            cpu_percent: 1.0,
            memory_bytes: 1,
            in_flight: 0,
            queued: 0,
            dropped: 0,
            stored: 1,
            writer_lag_ms: 0.0,
        };
        store
            .write_heartbeat(live, &start("live"), &beat)
            .await
            .unwrap();

        assert_eq!(store.forget_silent_instances(Utc::now()).await.unwrap(), 1);
        assert_eq!(
            store.forget_silent_instances(Utc::now()).await.unwrap(),
            0,
            "folded once"
        );
        let names: Vec<String> = store
            .instances(Utc::now())
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.name)
            .collect();
        assert_eq!(names, ["live"]);
        assert_eq!(
            totals(&store).await,
            before,
            "the all-time counts of the forgotten instance are kept"
        );
        for instance in [gone, InstanceId::GONE] {
            let rows = Query::select()
                .expr_as(Expr::col(LatencyTotal::Count).count(), Alias::new("total"))
                .from(store.table(Table::LatencyTotal))
                .and_where(Expr::col(LatencyTotal::InstanceId).eq(instance.0))
                .to_owned();
            let expected = if instance == gone { 0 } else { 2 };
            assert_eq!(
                store.total(&rows).await.unwrap(),
                expected,
                "all-time latency rows of {instance:?}: folded into instance 0"
            );
        }
    }
}
