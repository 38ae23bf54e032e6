//! What requests waited on: the dependencies (statement fingerprints and upstreams), their
//! daily rollups, the calls of requests kept one by one, and slow-call samples.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use dashboard_migration::schema::{
    Dependency, DependencyDay, DependencyLatency, RequestDependency, SlowCall, Table,
};
use dashboard_shared::CodeFrame;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, Value};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult};

use super::Store;
use super::instances::InstanceId;
use super::writes::StoredMeasurement;

/// Dependencies inserted or looked up per statement.
const PER_STATEMENT: usize = 200;

pub(crate) use dashboard_shared::DependencyKind;

/// A dependency's kind as stored.
pub(crate) fn kind_number(kind: DependencyKind) -> i16 {
    match kind {
        DependencyKind::Query => 0,
        DependencyKind::Http => 1,
    }
}

/// A dependency's kind from its stored number.
pub(crate) fn kind_of_number(number: i16) -> DependencyKind {
    if number == 1 {
        DependencyKind::Http
    } else {
        DependencyKind::Query
    }
}

/// How a dependency is named on its own: a statement by its fingerprint, an upstream as
/// `METHOD host/path`.
pub(crate) fn shown_name(
    kind: DependencyKind,
    operation: &str,
    system: &str,
    name: &str,
) -> String {
    match kind {
        DependencyKind::Query => name.to_owned(),
        DependencyKind::Http => format!("{operation} {system}{name}"),
    }
}

/// A dependency as identified: kind, system (database or host), operation and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DependencyKey {
    pub(crate) kind: DependencyKind,
    pub(crate) system: String,
    pub(crate) operation: String,
    pub(crate) name: String,
}

impl DependencyKey {
    /// The stored unique key: FNV-1a (64 bits) of the four parts.
    pub(crate) fn hash(&self) -> i64 {
        use std::hash::Hasher;
        let mut hasher = fnv::FnvHasher::default();
        hasher.write_i16(kind_number(self.kind));
        for part in [&self.system, &self.operation, &self.name] {
            hasher.write(part.as_bytes());
            hasher.write_u8(0);
        }
        hasher.finish().cast_signed()
    }
}

/// A request's calls to one dependency, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct StoredTarget {
    pub(crate) dependency_id: i32,
    pub(crate) calls: i64,
    pub(crate) total_us: i64,
    /// The latency bucket of each timed call.
    pub(crate) buckets: Vec<i32>,
    /// The calls reached `N_PLUS_ONE` (statements).
    pub(crate) n_plus_one: bool,
    pub(crate) client_errors: i64,
    pub(crate) server_errors: i64,
    pub(crate) failed: i64,
}

/// A slow call's sample, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct StoredSlowCall {
    pub(crate) dependency_id: i32,
    pub(crate) duration_us: i64,
    pub(crate) rows: Option<i64>,
    pub(crate) status: Option<i32>,
    pub(crate) stack: Vec<CodeFrame>,
}

/// What one request waited on, ready to store.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredCalls {
    pub(crate) queries: i64,
    pub(crate) query_us: i64,
    pub(crate) calls: i64,
    pub(crate) call_us: i64,
    pub(crate) targets: Vec<StoredTarget>,
    pub(crate) slow: Vec<StoredSlowCall>,
}

impl StoredCalls {
    /// Whether its request must be stored with its id known: it has a slow sample or an N+1
    /// flag to point at it.
    pub(crate) fn needs_request_id(&self) -> bool {
        !self.slow.is_empty() || self.targets.iter().any(|target| target.n_plus_one)
    }
}

#[derive(FromQueryResult)]
struct DependencyId {
    id: i32,
    hash: i64,
}

/// Key of a `dependency_day` row: endpoint, day, dependency.
type DayKey = (i32, NaiveDate, i32);

/// Sums of a `dependency_day` row, in the order of [`DependencyDay::COUNTERS`].
type DaySums = [i64; 7];

impl Store {
    /// The ids of `keys` (by their hash), inserting the new ones.
    pub(crate) async fn dependency_ids(
        &self,
        keys: &[&DependencyKey],
    ) -> Result<HashMap<i64, i32>, DbErr> {
        let mut ids = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(PER_STATEMENT) {
            let mut insert = Query::insert();
            insert
                .into_table(self.table(Table::Dependency))
                .columns([
                    Dependency::Kind,
                    Dependency::System,
                    Dependency::Operation,
                    Dependency::Name,
                    Dependency::Hash,
                ])
                .on_conflict(
                    OnConflict::column(Dependency::Hash)
                        .do_nothing_on([Dependency::Hash])
                        .to_owned(),
                );
            for key in chunk {
                insert.values_panic([
                    kind_number(key.kind).into(),
                    key.system.as_str().into(),
                    key.operation.as_str().into(),
                    key.name.as_str().into(),
                    key.hash().into(),
                ]);
            }
            self.db().execute(&insert).await?;
            let select = Query::select()
                .columns([Dependency::Id, Dependency::Hash])
                .from(self.table(Table::Dependency))
                .and_where(Expr::col(Dependency::Hash).is_in(chunk.iter().map(|key| key.hash())))
                .to_owned();
            for row in self.fetch::<DependencyId>(&select).await? {
                ids.insert(row.hash, row.id);
            }
        }
        Ok(ids)
    }

    /// Adds the batch's calls to the daily rollups and latency histograms of each endpoint and
    /// dependency.
    pub(super) async fn upsert_call_rollups(
        &self,
        txn: &DatabaseTransaction,
        rows: &[&StoredMeasurement],
        instance: InstanceId,
    ) -> Result<(), DbErr> {
        let mut days: BTreeMap<DayKey, DaySums> = BTreeMap::new();
        let mut buckets: BTreeMap<(DayKey, i32), i64> = BTreeMap::new();
        for row in rows {
            let Some(calls) = &row.calls else { continue };
            for target in &calls.targets {
                let key = (row.endpoint_id, row.day, target.dependency_id);
                let sums = days.entry(key).or_default();
                let added = [
                    target.calls,
                    target.total_us,
                    1,
                    i64::from(target.n_plus_one),
                    target.client_errors,
                    target.server_errors,
                    target.failed,
                ];
                for (sum, add) in sums.iter_mut().zip(added) {
                    *sum += add;
                }
                for bucket in &target.buckets {
                    *buckets.entry((key, *bucket)).or_default() += 1;
                }
            }
        }
        let keys = [
            DependencyDay::EndpointId,
            DependencyDay::Day,
            DependencyDay::DependencyId,
        ];
        let days = days.into_iter().map(|((endpoint, day, dependency), sums)| {
            let mut values: Vec<Value> = vec![endpoint.into(), day.into(), dependency.into()];
            values.extend(sums.map(Value::from));
            values
        });
        self.insert_adding(
            txn,
            Table::DependencyDay,
            instance,
            &keys,
            &DependencyDay::COUNTERS,
            days,
        )
        .await?;
        let keys = [
            DependencyLatency::EndpointId,
            DependencyLatency::Day,
            DependencyLatency::DependencyId,
            DependencyLatency::Bucket,
        ];
        let buckets = buckets
            .into_iter()
            .map(|(((endpoint, day, dependency), bucket), count)| {
                vec![
                    endpoint.into(),
                    day.into(),
                    dependency.into(),
                    bucket.into(),
                    count.into(),
                ]
            });
        self.insert_adding(
            txn,
            Table::DependencyLatency,
            instance,
            &keys,
            &[DependencyLatency::Count],
            buckets,
        )
        .await
    }

    /// Stores a request's N+1 flags (its calls to the statements it repeated) and its slow
    /// samples.
    pub(super) async fn insert_request_calls(
        &self,
        txn: &DatabaseTransaction,
        request_id: i64,
        row: &StoredMeasurement,
        calls: &StoredCalls,
    ) -> Result<(), DbErr> {
        let flagged: Vec<&StoredTarget> = calls
            .targets
            .iter()
            .filter(|target| target.n_plus_one)
            .collect();
        if !flagged.is_empty() {
            let mut insert = Query::insert();
            insert
                .into_table(self.table(Table::RequestDependency))
                .columns([
                    RequestDependency::RequestId,
                    RequestDependency::DependencyId,
                    RequestDependency::EndpointId,
                    RequestDependency::Calls,
                    RequestDependency::TotalUs,
                    RequestDependency::NPlusOne,
                ]);
            for target in flagged {
                insert.values_panic([
                    request_id.into(),
                    target.dependency_id.into(),
                    row.endpoint_id.into(),
                    target.calls.into(),
                    target.total_us.into(),
                    i16::from(target.n_plus_one).into(),
                ]);
            }
            txn.execute(&insert).await?;
        }
        if !calls.slow.is_empty() {
            let mut insert = Query::insert();
            insert.into_table(self.table(Table::SlowCall)).columns([
                SlowCall::RequestId,
                SlowCall::EndpointId,
                SlowCall::DependencyId,
                SlowCall::TimeUs,
                SlowCall::DurationUs,
                SlowCall::Rows,
                SlowCall::StatusCode,
                SlowCall::Stack,
            ]);
            for slow in &calls.slow {
                let stack = serde_json::to_string(&slow.stack)
                    .map_err(|error| DbErr::Custom(error.to_string()))?;
                insert.values_panic([
                    request_id.into(),
                    row.endpoint_id.into(),
                    slow.dependency_id.into(),
                    row.time_requested.timestamp_micros().into(),
                    slow.duration_us.into(),
                    slow.rows.into(),
                    slow.status.into(),
                    stack.into(),
                ]);
            }
            txn.execute(&insert).await?;
        }
        Ok(())
    }
}

/// One row of `dependency_day` with its dependency.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct DependencyDayRow {
    pub(crate) dependency_id: i32,
    pub(crate) endpoint_id: i32,
    pub(crate) day: NaiveDate,
    pub(crate) kind: i16,
    pub(crate) system: String,
    pub(crate) operation: String,
    pub(crate) name: String,
    pub(crate) calls: i64,
    pub(crate) total_us: i64,
    pub(crate) requests: i64,
    pub(crate) n_plus_one: i64,
    pub(crate) client_errors: i64,
    pub(crate) server_errors: i64,
    pub(crate) failed: i64,
}

/// A dependency's latency bucket count.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct DependencyBucket {
    pub(crate) dependency_id: i32,
    pub(crate) bucket: i32,
    pub(crate) count: i64,
}

/// Requests of an endpoint that ran the same number of statements, with their times.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct QueriesPerRequest {
    pub(crate) query_count: i64,
    pub(crate) requests: i64,
    pub(crate) duration_us: i64,
    pub(crate) query_us: i64,
    pub(crate) call_us: i64,
}

/// A request flagged N+1: the statement it repeated and how often.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct NPlusOneRow {
    pub(crate) request_id: i64,
    pub(crate) time_us: i64,
    pub(crate) dependency_id: i32,
    pub(crate) name: String,
    pub(crate) calls: i64,
}

/// A stored slow call with its dependency.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct SlowCallRow {
    pub(crate) request_id: i64,
    pub(crate) time_us: i64,
    pub(crate) kind: i16,
    pub(crate) operation: String,
    pub(crate) system: String,
    pub(crate) name: String,
    pub(crate) duration_us: i64,
    pub(crate) rows: Option<i64>,
    pub(crate) status_code: Option<i32>,
    pub(crate) stack: String,
}

/// Which calls a read is about: a kind, a range of local days, maybe one endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallRange {
    pub(crate) kind: DependencyKind,
    pub(crate) from: NaiveDate,
    pub(crate) to: NaiveDate,
    pub(crate) endpoint: Option<i32>,
}

/// Latest N+1 flags and slow samples shown per endpoint.
const LATEST: u64 = 20;

impl Store {
    /// The `dependency_day` rows of a range, with their dependencies.
    pub(crate) async fn dependency_days(
        &self,
        range: CallRange,
    ) -> Result<Vec<DependencyDayRow>, DbErr> {
        let (days, dependencies) = (
            self.table(Table::DependencyDay),
            self.table(Table::Dependency),
        );
        let mut select = Query::select();
        select
            .columns([
                (days.clone(), DependencyDay::DependencyId),
                (days.clone(), DependencyDay::EndpointId),
                (days.clone(), DependencyDay::Day),
            ])
            .columns([
                (dependencies.clone(), Dependency::Kind),
                (dependencies.clone(), Dependency::System),
                (dependencies.clone(), Dependency::Operation),
                (dependencies.clone(), Dependency::Name),
            ])
            .columns(DependencyDay::COUNTERS.map(|sum| (days.clone(), sum)))
            .from(days.clone())
            .inner_join(
                dependencies.clone(),
                Expr::col((dependencies.clone(), Dependency::Id))
                    .equals((days.clone(), DependencyDay::DependencyId)),
            )
            .and_where(Expr::col((dependencies, Dependency::Kind)).eq(kind_number(range.kind)))
            .and_where(Expr::col((days.clone(), DependencyDay::Day)).gte(range.from))
            .and_where(Expr::col((days.clone(), DependencyDay::Day)).lte(range.to));
        if let Some(endpoint) = range.endpoint {
            select.and_where(Expr::col((days, DependencyDay::EndpointId)).eq(endpoint));
        }
        self.fetch(&select).await
    }

    /// The latency buckets of a range's dependencies, summed over days and endpoints.
    pub(crate) async fn dependency_buckets(
        &self,
        range: CallRange,
    ) -> Result<Vec<DependencyBucket>, DbErr> {
        let (latency, dependencies) = (
            self.table(Table::DependencyLatency),
            self.table(Table::Dependency),
        );
        let mut select = Query::select();
        select
            .column((latency.clone(), DependencyLatency::DependencyId))
            .column((latency.clone(), DependencyLatency::Bucket))
            .expr_as(
                self.sum(Expr::col((latency.clone(), DependencyLatency::Count))),
                sea_orm::sea_query::Alias::new("count"),
            )
            .from(latency.clone())
            .inner_join(
                dependencies.clone(),
                Expr::col((dependencies.clone(), Dependency::Id))
                    .equals((latency.clone(), DependencyLatency::DependencyId)),
            )
            .and_where(Expr::col((dependencies, Dependency::Kind)).eq(kind_number(range.kind)))
            .and_where(Expr::col((latency.clone(), DependencyLatency::Day)).gte(range.from))
            .and_where(Expr::col((latency.clone(), DependencyLatency::Day)).lte(range.to))
            .group_by_col((latency.clone(), DependencyLatency::DependencyId))
            .group_by_col((latency.clone(), DependencyLatency::Bucket));
        if let Some(endpoint) = range.endpoint {
            select.and_where(Expr::col((latency, DependencyLatency::EndpointId)).eq(endpoint));
        }
        self.fetch(&select).await
    }

    /// An endpoint's requests between two instants grouped by how many statements they ran.
    pub(crate) async fn queries_per_request(
        &self,
        endpoint: i32,
        (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    ) -> Result<Vec<QueriesPerRequest>, DbErr> {
        use dashboard_migration::schema::Request;
        use sea_orm::sea_query::Alias;
        let select = Query::select()
            .column(Request::QueryCount)
            .expr_as(Expr::col(Request::Id).count(), Alias::new("requests"))
            .expr_as(
                self.sum(Expr::col(Request::DurationUs)),
                Alias::new("duration_us"),
            )
            .expr_as(
                self.sum(Expr::col(Request::QueryUs)),
                Alias::new("query_us"),
            )
            .expr_as(self.sum(Expr::col(Request::CallUs)), Alias::new("call_us"))
            .from(self.table(Table::Request))
            .and_where(Expr::col(Request::EndpointId).eq(endpoint))
            .and_where(Expr::col(Request::TimeUs).gte(start.timestamp_micros()))
            .and_where(Expr::col(Request::TimeUs).lt(end.timestamp_micros()))
            .group_by_col(Request::QueryCount)
            .to_owned();
        self.fetch(&select).await
    }

    /// The calls of requests to dependencies with the request's time and the dependency's name.
    fn request_calls_select(&self) -> sea_orm::sea_query::SelectStatement {
        use dashboard_migration::schema::Request;
        let (calls, dependencies, requests) = (
            self.table(Table::RequestDependency),
            self.table(Table::Dependency),
            self.table(Table::Request),
        );
        Query::select()
            .columns([
                (calls.clone(), RequestDependency::RequestId),
                (calls.clone(), RequestDependency::DependencyId),
                (calls.clone(), RequestDependency::Calls),
            ])
            .column((requests.clone(), Request::TimeUs))
            .column((dependencies.clone(), Dependency::Name))
            .from(calls.clone())
            .inner_join(
                dependencies.clone(),
                Expr::col((dependencies, Dependency::Id))
                    .equals((calls.clone(), RequestDependency::DependencyId)),
            )
            .inner_join(
                requests.clone(),
                Expr::col((requests, Request::Id)).equals((calls, RequestDependency::RequestId)),
            )
            .to_owned()
    }

    /// An endpoint's latest requests flagged N+1 between two instants (at most 20), newest
    /// first, and how many requests were flagged in all.
    pub(crate) async fn n_plus_one_flags(
        &self,
        endpoint: i32,
        (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    ) -> Result<(Vec<NPlusOneRow>, u64), DbErr> {
        use dashboard_migration::schema::Request;
        let (calls, requests) = (
            self.table(Table::RequestDependency),
            self.table(Table::Request),
        );
        let mut select = self.request_calls_select();
        select
            .and_where(Expr::col((calls.clone(), RequestDependency::EndpointId)).eq(endpoint))
            .and_where(Expr::col((calls.clone(), RequestDependency::NPlusOne)).eq(1))
            .and_where(Expr::col((requests.clone(), Request::TimeUs)).gte(start.timestamp_micros()))
            .and_where(Expr::col((requests, Request::TimeUs)).lt(end.timestamp_micros()));
        let mut count = select.clone();
        count.clear_selects().expr_as(
            Expr::col((calls.clone(), RequestDependency::RequestId)).count_distinct(),
            sea_orm::sea_query::Alias::new("total"),
        );
        let flagged = self.total(&count).await?;
        select
            .order_by((calls, RequestDependency::RequestId), sea_orm::Order::Desc)
            .limit(LATEST);
        Ok((self.fetch(&select).await?, flagged))
    }

    /// An endpoint's latest slow calls between two instants (at most 20), newest first.
    pub(crate) async fn slow_calls(
        &self,
        endpoint: i32,
        (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    ) -> Result<Vec<SlowCallRow>, DbErr> {
        let (slow, dependencies) = (self.table(Table::SlowCall), self.table(Table::Dependency));
        let select = Query::select()
            .columns([
                (slow.clone(), SlowCall::RequestId),
                (slow.clone(), SlowCall::TimeUs),
                (slow.clone(), SlowCall::DurationUs),
                (slow.clone(), SlowCall::Rows),
                (slow.clone(), SlowCall::StatusCode),
                (slow.clone(), SlowCall::Stack),
            ])
            .columns([
                (dependencies.clone(), Dependency::Kind),
                (dependencies.clone(), Dependency::Operation),
                (dependencies.clone(), Dependency::System),
                (dependencies.clone(), Dependency::Name),
            ])
            .from(slow.clone())
            .inner_join(
                dependencies.clone(),
                Expr::col((dependencies, Dependency::Id))
                    .equals((slow.clone(), SlowCall::DependencyId)),
            )
            .and_where(Expr::col((slow.clone(), SlowCall::EndpointId)).eq(endpoint))
            .and_where(Expr::col((slow.clone(), SlowCall::TimeUs)).gte(start.timestamp_micros()))
            .and_where(Expr::col((slow.clone(), SlowCall::TimeUs)).lt(end.timestamp_micros()))
            .order_by((slow, SlowCall::TimeUs), sea_orm::Order::Desc)
            .limit(LATEST)
            .to_owned();
        self.fetch(&select).await
    }
}
