//! The writer's statements: endpoint registration and batched measurements with their rollups.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};
use dashboard_migration::schema::{
    Endpoint, LatencyDay, LatencyTotal, MinuteRollup, Request, Rollup, StatusTotal, Table,
};
use sea_orm::sea_query::{
    Alias, DynIden, Expr, ExprTrait, InsertStatement, IntoIden, OnConflict, Query, Value,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, TransactionTrait};

use super::Store;
use super::calls::StoredCalls;
use super::incidents::StoredExtra;
use super::instances::InstanceId;
use super::labels::{LabelKind, Labels};
use crate::config::MonitorLevel;
use crate::histogram;

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
    /// The application version that served it.
    pub(crate) version: Arc<str>,
    /// The day it arrived on in the configured `TIMEZONE`, for the daily latency histograms.
    pub(crate) day: NaiveDate,
    /// The statements it ran and the calls it made, if any.
    pub(crate) calls: Option<Box<StoredCalls>>,
    /// Its outlier snapshot, exceptions and profile, if any.
    pub(crate) extra: Option<Box<StoredExtra>>,
}

#[derive(FromQueryResult)]
struct EndpointIdLevel {
    id: i32,
    monitor_level: i16,
}

impl StoredMeasurement {
    /// The labels its row names: the version, and the user and address when known.
    fn labels(&self) -> impl Iterator<Item = (LabelKind, &str)> {
        [
            Some((LabelKind::Version, &*self.version)),
            self.group_by.as_deref().map(|user| (LabelKind::User, user)),
            self.ip.as_deref().map(|ip| (LabelKind::Address, ip)),
        ]
        .into_iter()
        .flatten()
    }

    /// Whether its row must be inserted with its id known, for rows that point at it.
    fn needs_id(&self) -> bool {
        self.extra.is_some()
            || self
                .calls
                .as_ref()
                .is_some_and(|calls| calls.needs_request_id())
    }
}

/// The columns of a stored request row, in the order of [`request_values`].
const STORED_COLUMNS: [Request; 12] = [
    Request::EndpointId,
    Request::DurationUs,
    Request::TimeUs,
    Request::VersionId,
    Request::UserId,
    Request::AddressId,
    Request::StatusCode,
    Request::QueryCount,
    Request::QueryUs,
    Request::CallCount,
    Request::CallUs,
    Request::InstanceId,
];

/// A request row's values, [`STORED_COLUMNS`] in their order, with its labels' ids.
fn request_values(
    row: &StoredMeasurement,
    labels: &Labels,
    instance: InstanceId,
) -> Result<[sea_orm::sea_query::SimpleExpr; 12], DbErr> {
    let id = |kind, text: &str| {
        labels
            .id(kind, text)
            .ok_or_else(|| DbErr::Custom(format!("the label {text:?} has no id")))
    };
    let optional = |kind, text: Option<&str>| text.map(|text| id(kind, text)).transpose();
    Ok([
        row.endpoint_id.into(),
        super::micros_of_ms(row.duration_ms).into(),
        row.time_requested.timestamp_micros().into(),
        id(LabelKind::Version, &row.version)?.into(),
        optional(LabelKind::User, row.group_by.as_deref())?.into(),
        optional(LabelKind::Address, row.ip.as_deref())?.into(),
        i32::from(row.status).into(),
        row.calls.as_ref().map_or(0, |calls| calls.queries).into(),
        row.calls.as_ref().map_or(0, |calls| calls.query_us).into(),
        row.calls.as_ref().map_or(0, |calls| calls.calls).into(),
        row.calls.as_ref().map_or(0, |calls| calls.call_us).into(),
        instance.0.into(),
    ])
}

/// Key of a rollup row: endpoint, hour, version, status.
type RollupKey = (i32, DateTime<Utc>, Arc<str>, u16);

impl Store {
    /// The id and level of the endpoint `METHOD route`, creating it with `level` when it is new
    /// (added by `version` at `time`).
    pub(crate) async fn ensure_endpoint(
        &self,
        method: &str,
        route: &str,
        level: MonitorLevel,
        version: &str,
        time: DateTime<Utc>,
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
                time.into(),
                version.into(),
            ])
            .on_conflict(
                OnConflict::column(Endpoint::Name)
                    .do_nothing_on([Endpoint::Name])
                    .to_owned(),
            )
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

    /// Stores a batch of `instance` in one transaction: request rows (level ≥ 1), its hourly
    /// rollups and daily and all-time latency buckets (level ≥ 1); then, in a short transaction
    /// of its own, every endpoint's `last_requested` (all levels).
    ///
    /// The labels the rows name are resolved first, outside the transaction, into `labels`.
    /// The endpoint rows are the only rows every process writes: they are updated after the
    /// batch's commit, in the order of their ids, so no process holds their locks while it
    /// stores a batch, and two processes cannot deadlock on them.
    pub(crate) async fn write_measurements(
        &self,
        rows: &[StoredMeasurement],
        labels: &mut Labels,
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        let recorded: Vec<&StoredMeasurement> = rows
            .iter()
            .filter(|row| row.level >= MonitorLevel::PERFORMANCE)
            .collect();
        let missing = labels.missing(recorded.iter().flat_map(|row| row.labels()));
        self.resolve_labels(labels, missing).await?;
        let labels = &*labels;
        let txn = self.db().begin().await?;
        let (plain, with_extra): (Vec<&StoredMeasurement>, Vec<&StoredMeasurement>) =
            recorded.iter().partition(|row| !row.needs_id());
        for chunk in plain.chunks(ROWS_PER_INSERT) {
            self.insert_requests(&txn, chunk, labels, instance).await?;
        }
        for chunk in with_extra.chunks(ROWS_PER_INSERT) {
            self.insert_requests_with_extras(&txn, chunk, labels, instance)
                .await?;
        }
        self.upsert_rollups(&txn, &recorded, instance).await?;
        self.upsert_call_rollups(&txn, &recorded, instance).await?;
        txn.commit().await?;
        let mut latest: BTreeMap<i32, DateTime<Utc>> = BTreeMap::new();
        for row in rows {
            let time = latest.entry(row.endpoint_id).or_insert(row.time_requested);
            *time = Ord::max(*time, row.time_requested);
        }
        self.write_last_requested(latest).await
    }

    /// Stores the latest request times of level-0 endpoints (`endpoint id`, time).
    pub(crate) async fn write_last_requested(
        &self,
        latest: BTreeMap<i32, DateTime<Utc>>,
    ) -> Result<(), DbErr> {
        let txn = self.db().begin().await?;
        self.update_last_requested(&txn, latest).await?;
        txn.commit().await
    }

    /// The multi-row INSERT of some request rows.
    fn requests_insert(
        &self,
        rows: &[&StoredMeasurement],
        labels: &Labels,
        instance: InstanceId,
    ) -> Result<InsertStatement, DbErr> {
        let mut insert = Query::insert();
        insert
            .into_table(self.table(Table::Request))
            .columns(STORED_COLUMNS);
        for row in rows {
            insert.values_panic(request_values(row, labels, instance)?);
        }
        Ok(insert)
    }

    async fn insert_requests(
        &self,
        txn: &DatabaseTransaction,
        rows: &[&StoredMeasurement],
        labels: &Labels,
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        txn.execute(&self.requests_insert(rows, labels, instance)?)
            .await?;
        Ok(())
    }

    /// Stores requests that have extras in one statement, learning their ids, then their
    /// outlier snapshots and exceptions, and all their profiles in a few statements.
    ///
    /// The ids come back from `RETURNING`; within one INSERT both SQLite (rowids) and
    /// PostgreSQL (a sequence) hand them out increasing in the order of the rows given, so the
    /// sorted ids are the rows' ids in order, whatever order `RETURNING` lists them in.
    async fn insert_requests_with_extras(
        &self,
        txn: &DatabaseTransaction,
        rows: &[&StoredMeasurement],
        labels: &Labels,
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        let mut ids = if self.is_mysql() {
            // MySQL has no `RETURNING`: one row at a time, each with its insert id.
            let mut ids = Vec::with_capacity(rows.len());
            for row in rows {
                let inserted = txn
                    .execute(&self.requests_insert(&[row], labels, instance)?)
                    .await?;
                ids.push(i64::try_from(inserted.last_insert_id()).unwrap_or(i64::MAX));
            }
            ids
        } else {
            let insert = self
                .requests_insert(rows, labels, instance)?
                .returning_col(Request::Id)
                .to_owned();
            txn.query_all(&insert)
                .await?
                .iter()
                .map(|row| row.try_get::<i64>("", "id"))
                .collect::<Result<Vec<_>, _>>()?
        };
        if ids.len() != rows.len() {
            return Err(DbErr::RecordNotInserted);
        }
        ids.sort_unstable();
        let mut profiles = Vec::new();
        for (row, request_id) in rows.iter().zip(ids) {
            if let Some(calls) = &row.calls {
                self.insert_request_calls(txn, request_id, row, calls)
                    .await?;
            }
            let Some(extra) = &row.extra else { continue };
            if let Some(outlier) = &extra.outlier {
                self.insert_outlier(txn, request_id, outlier).await?;
            }
            for exception in &extra.exceptions {
                self.insert_exception(txn, request_id, exception).await?;
            }
            if let Some(profile) = &extra.profile {
                profiles.push((request_id, row.endpoint_id, profile));
            }
        }
        self.insert_profiles(txn, &profiles).await
    }

    /// Adds a batch to `instance`'s rollup rows, each table's rows sorted by key.
    async fn upsert_rollups(
        &self,
        txn: &DatabaseTransaction,
        rows: &[&StoredMeasurement],
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        let mut totals: BTreeMap<RollupKey, (i64, f64)> = BTreeMap::new();
        let mut daily: BTreeMap<(i32, NaiveDate, Arc<str>, i32), i64> = BTreeMap::new();
        let mut all_time: BTreeMap<(i32, i32), i64> = BTreeMap::new();
        let mut statuses: BTreeMap<(i32, u16), i64> = BTreeMap::new();
        let mut minutes: BTreeMap<(DateTime<Utc>, i32, i32), (i64, i64)> = BTreeMap::new();
        let recent = Utc::now() - super::alerts::MINUTES_KEPT;
        for row in rows {
            let hour = row
                .time_requested
                .duration_trunc(TimeDelta::hours(1))
                .unwrap_or(row.time_requested);
            let key = (row.endpoint_id, hour, Arc::clone(&row.version), row.status);
            let total = totals.entry(key).or_default();
            total.0 += 1;
            total.1 += row.duration_ms;
            let bucket = histogram::bucket_of(row.duration_ms);
            *daily
                .entry((row.endpoint_id, row.day, Arc::clone(&row.version), bucket))
                .or_default() += 1;
            *all_time.entry((row.endpoint_id, bucket)).or_default() += 1;
            *statuses.entry((row.endpoint_id, row.status)).or_default() += 1;
            if row.time_requested >= recent {
                let minute = row
                    .time_requested
                    .duration_trunc(TimeDelta::minutes(1))
                    .unwrap_or(row.time_requested);
                let counts = minutes
                    .entry((minute, row.endpoint_id, bucket))
                    .or_default();
                counts.0 += 1;
                counts.1 += i64::from(row.status >= 500);
            }
        }
        let totals =
            totals
                .into_iter()
                .map(|((endpoint_id, hour, version, status), (hits, sum))| {
                    vec![
                        endpoint_id.into(),
                        hour.into(),
                        (*version).into(),
                        i32::from(status).into(),
                        hits.into(),
                        sum.into(),
                    ]
                });
        let keys = [
            Rollup::EndpointId,
            Rollup::Hour,
            Rollup::Version,
            Rollup::StatusCode,
        ];
        let sums = [Rollup::Hits, Rollup::DurationSumMs];
        self.insert_adding(txn, Table::Rollup, instance, &keys, &sums, totals)
            .await?;
        let daily = daily
            .into_iter()
            .map(|((endpoint_id, day, version, bucket), count)| {
                vec![
                    endpoint_id.into(),
                    day.into(),
                    (*version).into(),
                    bucket.into(),
                    count.into(),
                ]
            });
        let keys = [
            LatencyDay::EndpointId,
            LatencyDay::Day,
            LatencyDay::Version,
            LatencyDay::Bucket,
        ];
        self.insert_adding(
            txn,
            Table::LatencyDay,
            instance,
            &keys,
            &[LatencyDay::Count],
            daily,
        )
        .await?;
        let all_time = all_time.into_iter().map(|((endpoint_id, bucket), count)| {
            vec![endpoint_id.into(), bucket.into(), count.into()]
        });
        let keys = [LatencyTotal::EndpointId, LatencyTotal::Bucket];
        self.insert_adding(
            txn,
            Table::LatencyTotal,
            instance,
            &keys,
            &[LatencyTotal::Count],
            all_time,
        )
        .await?;
        let minutes = minutes
            .into_iter()
            .map(|((minute, endpoint_id, bucket), (hits, errors))| {
                vec![
                    minute.into(),
                    endpoint_id.into(),
                    bucket.into(),
                    hits.into(),
                    errors.into(),
                ]
            });
        let keys = [
            MinuteRollup::Minute,
            MinuteRollup::EndpointId,
            MinuteRollup::Bucket,
        ];
        self.insert_adding(
            txn,
            Table::MinuteRollup,
            instance,
            &keys,
            &[MinuteRollup::Hits, MinuteRollup::Errors],
            minutes,
        )
        .await?;
        let statuses = statuses.into_iter().map(|((endpoint_id, status), hits)| {
            vec![endpoint_id.into(), i32::from(status).into(), hits.into()]
        });
        let keys = [StatusTotal::EndpointId, StatusTotal::StatusCode];
        self.insert_adding(
            txn,
            Table::StatusTotal,
            instance,
            &keys,
            &[StatusTotal::Hits],
            statuses,
        )
        .await
    }

    /// Inserts rows of `keys` then `sums` values; where a row with the same keys exists, adds the
    /// sums to it instead (`sum = table.sum + excluded.sum`), which stays right when several
    /// processes write the same row.
    ///
    /// The rows are `instance`'s: its id is the last key of every row, so processes sharing
    /// the database add to rows of their own and never wait for each other's row locks. The
    /// rows go in the order given, so callers give them sorted by key: two writers of one
    /// instance (or a fold) then lock rows in the same order and cannot deadlock.
    pub(super) async fn insert_adding<C: IntoIden + Clone>(
        &self,
        txn: &DatabaseTransaction,
        table: Table,
        instance: InstanceId,
        keys: &[C],
        sums: &[C],
        rows: impl IntoIterator<Item = Vec<Value>>,
    ) -> Result<(), DbErr> {
        let instance_column = Alias::new("instance_id").into_iden();
        let keys: Vec<DynIden> = keys
            .iter()
            .cloned()
            .map(IntoIden::into_iden)
            .chain([instance_column])
            .collect();
        let sums: Vec<DynIden> = sums.iter().cloned().map(IntoIden::into_iden).collect();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut insert = Query::insert();
            insert
                .into_table(self.table(table))
                .columns(keys.iter().chain(&sums).cloned());
            for mut row in rows.by_ref().take(ROWS_PER_INSERT) {
                let counts = row.split_off(keys.len() - 1);
                row.push(instance.0.into());
                row.extend(counts);
                insert.values_panic(row.into_iter().map(Expr::val));
            }
            let mut on_conflict = OnConflict::columns(keys.iter().cloned());
            for sum in &sums {
                let stored = Expr::col((self.table(table), sum.clone()));
                on_conflict.value(sum.clone(), stored.add(self.excluded(sum.clone())));
            }
            insert.on_conflict(on_conflict);
            txn.execute(&insert).await?;
        }
        Ok(())
    }

    /// Moves `last_requested` of each endpoint forward to its time in `latest`, in the order of
    /// the endpoints' ids.
    async fn update_last_requested(
        &self,
        txn: &DatabaseTransaction,
        latest: BTreeMap<i32, DateTime<Utc>>,
    ) -> Result<(), DbErr> {
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

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::store::overview::{Periods, Since};

    /// A request of 2026-11-20 10:15 UTC, version 1.0, without user, address or calls.
    pub(crate) fn measurement(
        endpoint_id: i32,
        duration_ms: f64,
        status: u16,
        level: MonitorLevel,
    ) -> StoredMeasurement {
        StoredMeasurement {
            endpoint_id,
            level,
            time_requested: Utc.with_ymd_and_hms(2026, 11, 20, 10, 15, 0).unwrap(),
            duration_ms,
            status,
            group_by: None,
            ip: None,
            version: "1.0".into(),
            day: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            calls: None,
            extra: None,
        }
    }

    #[tokio::test]
    async fn batches_add_up_in_the_rollups_and_level_zero_only_touches_last_requested() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(&dir).await;
        let (users, _) = store
            .ensure_endpoint(
                "GET",
                "/users/{id}",
                MonitorLevel::PERFORMANCE,
                "1.0",
                Utc::now(),
            )
            .await
            .unwrap();
        let (quiet, _) = store
            .ensure_endpoint("GET", "/quiet", MonitorLevel::DISABLED, "1.0", Utc::now())
            .await
            .unwrap();
        assert_eq!(
            store
                .ensure_endpoint(
                    "GET",
                    "/users/{id}",
                    MonitorLevel::DISABLED,
                    "1.0",
                    Utc::now()
                )
                .await
                .unwrap(),
            (users, MonitorLevel::PERFORMANCE)
        );

        let first = [
            measurement(users, 10.0, 200, MonitorLevel::PERFORMANCE),
            measurement(users, 30.0, 500, MonitorLevel::PERFORMANCE),
        ];
        store
            .write_measurements(&first, &mut Labels::default(), InstanceId(1))
            .await
            .unwrap();
        let second = [
            measurement(users, 20.0, 200, MonitorLevel::PERFORMANCE),
            measurement(quiet, 5.0, 200, MonitorLevel::DISABLED),
        ];
        store
            .write_measurements(&second, &mut Labels::default(), InstanceId(1))
            .await
            .unwrap();

        let since = |day: u32, month: u32| Since {
            day: NaiveDate::from_ymd_opt(2026, month, day).unwrap(),
            start: Utc.with_ymd_and_hms(2026, month, day, 0, 0, 0).unwrap(),
        };
        let rows = store
            .overview(Periods {
                today: since(1, 1),
                week: since(1, 1),
            })
            .await
            .unwrap();
        let users_row = rows.iter().find(|row| row.id == users).unwrap();
        assert_eq!(
            (
                users_row.hits.overall,
                users_row.errors.overall,
                users_row.hits.today
            ),
            (3, 1, 3)
        );
        let median = crate::histogram::quantile(&users_row.latency.overall, 0.5).unwrap();
        assert!((median - 20.0).abs() / 20.0 <= 0.02, "{median}");
        let quiet_row = rows.iter().find(|row| row.id == quiet).unwrap();
        assert_eq!(
            (quiet_row.hits.overall, quiet_row.latency.overall.is_empty()),
            (0, true),
            "level 0 stores no request"
        );
        assert!(quiet_row.last_requested.is_some());

        let rows = store
            .overview(Periods {
                today: since(21, 11),
                week: since(1, 1),
            })
            .await
            .unwrap();
        let users_row = rows.iter().find(|row| row.id == users).unwrap();
        assert_eq!(
            (
                users_row.hits.today,
                users_row.hits.week,
                users_row.latency.today.is_empty()
            ),
            (0, 3, true)
        );
    }
}
