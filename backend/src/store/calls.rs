//! What requests waited on: the dependencies (statement fingerprints and upstreams), their
//! daily rollups, the calls of requests kept one by one, and slow-call samples.

use std::collections::HashMap;

use chrono::NaiveDate;
use dashboard_migration::schema::{
    Dependency, DependencyDay, DependencyLatency, RequestDependency, SlowCall, Table,
};
use dashboard_shared::CodeFrame;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, Value};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult};

use super::Store;
use super::writes::StoredMeasurement;

/// Dependencies inserted or looked up per statement.
const PER_STATEMENT: usize = 200;

/// What a dependency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DependencyKind {
    /// A database statement.
    Query,
    /// An outgoing HTTP call.
    Http,
}

impl DependencyKind {
    /// As stored.
    pub(crate) fn number(self) -> i16 {
        match self {
            DependencyKind::Query => 0,
            DependencyKind::Http => 1,
        }
    }

    /// From its stored number.
    pub(crate) fn from_number(number: i16) -> Self {
        if number == 1 {
            DependencyKind::Http
        } else {
            DependencyKind::Query
        }
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
        hasher.write_i16(self.kind.number());
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

/// Sums of a `dependency_day` row, in the order of [`DAY_SUMS`].
type DaySums = [i64; 7];

const DAY_SUMS: [DependencyDay; 7] = [
    DependencyDay::Calls,
    DependencyDay::TotalUs,
    DependencyDay::Requests,
    DependencyDay::NPlusOne,
    DependencyDay::ClientErrors,
    DependencyDay::ServerErrors,
    DependencyDay::Failed,
];

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
                .on_conflict(OnConflict::column(Dependency::Hash).do_nothing().to_owned());
            for key in chunk {
                insert.values_panic([
                    key.kind.number().into(),
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
    ) -> Result<(), DbErr> {
        let mut days: HashMap<DayKey, DaySums> = HashMap::new();
        let mut buckets: HashMap<(DayKey, i32), i64> = HashMap::new();
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
        self.insert_adding(txn, Table::DependencyDay, &keys, &DAY_SUMS, days)
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
            &keys,
            &[DependencyLatency::Count],
            buckets,
        )
        .await
    }

    /// Stores the calls of one request kept one by one, and its slow samples.
    pub(super) async fn insert_request_calls(
        &self,
        txn: &DatabaseTransaction,
        request_id: i64,
        row: &StoredMeasurement,
        calls: &StoredCalls,
    ) -> Result<(), DbErr> {
        if !calls.targets.is_empty() {
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
            for target in &calls.targets {
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
