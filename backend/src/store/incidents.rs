//! Outliers and exceptions: storing them with their request (in the writer's transaction) and
//! reading them for the outliers and exceptions pages.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{
    Endpoint, ExceptionGroup, ExceptionOccurrence, Outlier, Request, Table,
};
use dashboard_shared::{
    CodeFrame, CpuFigures, ExceptionOccurrence as Occurrence, MemoryFigures, OutlierCard,
    RequestCall, RequestContext,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult};
use serde::{Deserialize, Serialize};

use super::Store;
use super::profiles::StoredProfile;

/// What a request leaves besides its row: an outlier snapshot, exception occurrences.
#[derive(Debug, Clone)]
pub(crate) struct StoredExtra {
    pub(crate) outlier: Option<StoredOutlier>,
    pub(crate) exceptions: Vec<StoredException>,
    pub(crate) profile: Option<StoredProfile>,
}

/// An outlier's snapshot, rendered and redacted, ready to store with its request.
#[derive(Debug, Clone)]
pub(crate) struct StoredOutlier {
    pub(crate) context: RequestContext,
    pub(crate) stack: Vec<CodeFrame>,
    /// `None` (stored as JSON `null`) when not measured yet.
    pub(crate) cpu: Option<CpuFigures>,
    /// `None` (stored as JSON `null`) when not measured yet.
    pub(crate) memory: Option<MemoryFigures>,
    pub(crate) time_captured: DateTime<Utc>,
    /// The statements and calls the request had made when the snapshot was taken.
    pub(crate) calls: Vec<RequestCall>,
}

/// An exception occurrence, rendered and redacted, ready to store with its request.
#[derive(Debug, Clone)]
pub(crate) struct StoredException {
    pub(crate) signature: String,
    pub(crate) endpoint_id: i32,
    pub(crate) type_name: String,
    pub(crate) message: String,
    pub(crate) stack: ExceptionStack,
    pub(crate) context: RequestContext,
    pub(crate) time: DateTime<Utc>,
    pub(crate) version: String,
    /// The statements and calls the request had made when it happened.
    pub(crate) calls: Vec<RequestCall>,
}

/// Where an exception happened, as stored in its group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExceptionStack {
    /// A panic's `file:line`.
    pub(crate) location: Option<String>,
    /// The spans, outermost first.
    pub(crate) frames: Vec<CodeFrame>,
}

/// The request values column of an outlier: what the other columns do not hold.
#[derive(Serialize, Deserialize)]
struct StoredValues {
    method: String,
    route: String,
    query: Vec<[String; 2]>,
    body: Option<serde_json::Value>,
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, DbErr> {
    serde_json::from_str(text).map_err(|error| DbErr::Json(error.to_string()))
}

impl Store {
    /// Stores an outlier of the request `request_id`.
    pub(crate) async fn insert_outlier(
        &self,
        txn: &DatabaseTransaction,
        request_id: i64,
        outlier: &StoredOutlier,
    ) -> Result<(), DbErr> {
        let context = &outlier.context;
        let values = StoredValues {
            method: context.method.clone(),
            route: context.route.clone(),
            query: context.query.clone(),
            body: context.body.clone(),
        };
        let insert = Query::insert()
            .into_table(self.table(Table::Outlier))
            .columns([
                Outlier::RequestId,
                Outlier::RequestHeaders,
                Outlier::RequestEnvironment,
                Outlier::RequestUrl,
                Outlier::RequestValues,
                Outlier::CpuPercent,
                Outlier::Memory,
                Outlier::Stacktrace,
                Outlier::TimeCaptured,
                Outlier::Calls,
            ])
            .values_panic([
                request_id.into(),
                json(&context.headers).into(),
                json(&context.environment).into(),
                context.url.clone().into(),
                json(&values).into(),
                json(&outlier.cpu).into(),
                json(&outlier.memory).into(),
                json(&outlier.stack).into(),
                outlier.time_captured.into(),
                json(&outlier.calls).into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        Ok(())
    }

    /// Counts an occurrence in its group (created at its first occurrence; the latest
    /// occurrence's message, context and stack replace the earlier ones) and stores it.
    pub(crate) async fn insert_exception(
        &self,
        txn: &DatabaseTransaction,
        request_id: i64,
        exception: &StoredException,
    ) -> Result<(), DbErr> {
        let group = self.table(Table::ExceptionGroup);
        let excluded = |column: ExceptionGroup| self.excluded(column);
        let mut on_conflict = OnConflict::column(ExceptionGroup::Signature);
        on_conflict.value(
            ExceptionGroup::Count,
            Expr::col((group.clone(), ExceptionGroup::Count)).add(1),
        );
        // A group quiet for a day or more comes back: when, and its last occurrence before.
        // These come before `last_seen` changes (MySQL's updates see the earlier assignments).
        let quiet = Expr::col((group.clone(), ExceptionGroup::LastSeen))
            .lt(exception.time - super::alerts::COMEBACK_AFTER);
        on_conflict.value(
            ExceptionGroup::ReturnedAt,
            Expr::case(quiet.clone(), Expr::val(exception.time))
                .finally(Expr::col((group.clone(), ExceptionGroup::ReturnedAt))),
        );
        on_conflict.value(
            ExceptionGroup::QuietSince,
            Expr::case(quiet, Expr::col((group.clone(), ExceptionGroup::LastSeen)))
                .finally(Expr::col((group.clone(), ExceptionGroup::QuietSince))),
        );
        for column in [
            ExceptionGroup::Message,
            ExceptionGroup::LastSeen,
            ExceptionGroup::LatestContext,
            ExceptionGroup::Stack,
            ExceptionGroup::LatestCalls,
        ] {
            on_conflict.value(column, excluded(column));
        }
        let upsert = Query::insert()
            .into_table(group)
            .columns([
                ExceptionGroup::Signature,
                ExceptionGroup::TypeName,
                ExceptionGroup::Message,
                ExceptionGroup::EndpointId,
                ExceptionGroup::Count,
                ExceptionGroup::FirstSeen,
                ExceptionGroup::LastSeen,
                ExceptionGroup::LatestContext,
                ExceptionGroup::Stack,
                ExceptionGroup::LatestCalls,
            ])
            .values_panic([
                exception.signature.clone().into(),
                exception.type_name.clone().into(),
                exception.message.clone().into(),
                exception.endpoint_id.into(),
                1_i64.into(),
                exception.time.into(),
                exception.time.into(),
                json(&exception.context).into(),
                json(&exception.stack).into(),
                json(&exception.calls).into(),
            ])
            .on_conflict(on_conflict)
            .returning_col(ExceptionGroup::Id)
            .to_owned();
        let row = if self.is_mysql() {
            // MySQL has no `RETURNING`: the group is read back by its signature.
            txn.execute(&upsert).await?;
            let select = Query::select()
                .column(ExceptionGroup::Id)
                .from(self.table(Table::ExceptionGroup))
                .and_where(Expr::col(ExceptionGroup::Signature).eq(exception.signature.as_str()))
                .to_owned();
            txn.query_one(&select).await?
        } else {
            txn.query_one(&upsert).await?
        };
        let group_id: i32 = row
            .ok_or_else(|| DbErr::RecordNotInserted)?
            .try_get("", "id")?;
        let insert = Query::insert()
            .into_table(self.table(Table::ExceptionOccurrence))
            .columns([
                ExceptionOccurrence::GroupId,
                ExceptionOccurrence::RequestId,
                ExceptionOccurrence::TimeOccurred,
                ExceptionOccurrence::Version,
            ])
            .values_panic([
                group_id.into(),
                request_id.into(),
                exception.time.into(),
                exception.version.clone().into(),
            ])
            .to_owned();
        txn.execute(&insert).await?;
        Ok(())
    }

    /// The outliers of an endpoint joined with their requests.
    fn outliers_of(&self, endpoint_id: i32) -> SelectStatement {
        let outlier = self.table(Table::Outlier);
        let request = self.table(Table::Request);
        Query::select()
            .from(outlier.clone())
            .inner_join(
                request.clone(),
                Expr::col((request.clone(), Request::Id)).equals((outlier, Outlier::RequestId)),
            )
            .and_where(Expr::col((request, Request::EndpointId)).eq(endpoint_id))
            .to_owned()
    }

    /// How many outliers an endpoint has.
    pub(crate) async fn outlier_count(&self, endpoint_id: i32) -> Result<u64, DbErr> {
        let select = self
            .outliers_of(endpoint_id)
            .expr_as(
                Func::count(Expr::col((self.table(Table::Outlier), Outlier::Id))),
                "total",
            )
            .to_owned();
        self.total(&select).await
    }

    /// A page of an endpoint's outliers, newest first.
    pub(crate) async fn outliers(
        &self,
        endpoint_id: i32,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<OutlierCard>, DbErr> {
        let outlier = self.table(Table::Outlier);
        let request = self.table(Table::Request);
        let select = self
            .outliers_of(endpoint_id)
            .column((outlier.clone(), Outlier::Id))
            .columns(
                [
                    Outlier::RequestId,
                    Outlier::RequestHeaders,
                    Outlier::RequestEnvironment,
                    Outlier::RequestUrl,
                    Outlier::RequestValues,
                    Outlier::CpuPercent,
                    Outlier::Memory,
                    Outlier::Stacktrace,
                    Outlier::TimeCaptured,
                    Outlier::Calls,
                ]
                .map(|column| (outlier.clone(), column)),
            )
            .columns(
                [Request::TimeUs, Request::DurationUs, Request::StatusCode]
                    .map(|column| (request.clone(), column)),
            )
            .order_by((outlier, Outlier::Id), Order::Desc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        let rows: Vec<OutlierRow> = self.fetch(&select).await?;
        rows.into_iter().map(OutlierRow::card).collect()
    }

    /// CPU and memory of an endpoint's latest `limit` outliers; `None` where not measured.
    pub(crate) async fn outlier_figures(
        &self,
        endpoint_id: i32,
        limit: u64,
    ) -> Result<Vec<(Option<CpuFigures>, Option<MemoryFigures>)>, DbErr> {
        let outlier = self.table(Table::Outlier);
        let select = self
            .outliers_of(endpoint_id)
            .columns([Outlier::CpuPercent, Outlier::Memory].map(|column| (outlier.clone(), column)))
            .order_by((outlier, Outlier::Id), Order::Desc)
            .limit(limit)
            .to_owned();
        let rows: Vec<FiguresRow> = self.fetch(&select).await?;
        rows.into_iter()
            .map(|row| Ok((parse(&row.cpu_percent)?, parse(&row.memory)?)))
            .collect()
    }

    /// Exception groups, latest first; only an endpoint's when `endpoint_id` is given.
    pub(crate) async fn exception_groups(
        &self,
        endpoint_id: Option<i32>,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<GroupRow>), DbErr> {
        let group = self.table(Table::ExceptionGroup);
        let mut filter = Query::select().from(group.clone()).to_owned();
        if let Some(endpoint_id) = endpoint_id {
            filter
                .and_where(Expr::col((group.clone(), ExceptionGroup::EndpointId)).eq(endpoint_id));
        }
        let count = filter
            .clone()
            .expr_as(
                Func::count(Expr::col((group.clone(), ExceptionGroup::Id))),
                "total",
            )
            .to_owned();
        let total = self.total(&count).await?;
        let select = self
            .with_group_columns(filter)
            .order_by((group.clone(), ExceptionGroup::LastSeen), Order::Desc)
            .order_by((group, ExceptionGroup::Id), Order::Desc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        Ok((total, self.fetch(&select).await?))
    }

    /// One exception group.
    pub(crate) async fn exception_group(&self, id: i32) -> Result<Option<GroupRow>, DbErr> {
        let group = self.table(Table::ExceptionGroup);
        let select = self
            .with_group_columns(
                Query::select()
                    .from(group.clone())
                    .and_where(Expr::col((group, ExceptionGroup::Id)).eq(id))
                    .to_owned(),
            )
            .to_owned();
        Ok(self.fetch(&select).await?.into_iter().next())
    }

    fn with_group_columns(&self, mut select: SelectStatement) -> SelectStatement {
        let group = self.table(Table::ExceptionGroup);
        let endpoint = self.table(Table::Endpoint);
        select
            .columns(
                [
                    ExceptionGroup::Id,
                    ExceptionGroup::EndpointId,
                    ExceptionGroup::TypeName,
                    ExceptionGroup::Message,
                    ExceptionGroup::Count,
                    ExceptionGroup::FirstSeen,
                    ExceptionGroup::LastSeen,
                    ExceptionGroup::LatestContext,
                    ExceptionGroup::Stack,
                    ExceptionGroup::LatestCalls,
                ]
                .map(|column| (group.clone(), column)),
            )
            .expr_as(Expr::col((endpoint.clone(), Endpoint::Name)), "endpoint")
            .left_join(
                endpoint.clone(),
                Expr::col((endpoint, Endpoint::Id)).equals((group, ExceptionGroup::EndpointId)),
            )
            .to_owned()
    }

    /// The versions each group occurred in, oldest first.
    pub(crate) async fn exception_versions(
        &self,
        group_ids: &[i32],
    ) -> Result<Vec<(i32, String)>, DbErr> {
        let select = Query::select()
            .columns([ExceptionOccurrence::GroupId, ExceptionOccurrence::Version])
            .expr_as(
                Func::min(Expr::col(ExceptionOccurrence::TimeOccurred)),
                "first",
            )
            .from(self.table(Table::ExceptionOccurrence))
            .and_where(Expr::col(ExceptionOccurrence::GroupId).is_in(group_ids.iter().copied()))
            .group_by_columns([ExceptionOccurrence::GroupId, ExceptionOccurrence::Version])
            .order_by(Alias::new("first"), Order::Asc)
            .to_owned();
        let rows: Vec<VersionRow> = self.fetch(&select).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.group_id, row.version))
            .collect())
    }

    /// The times of the groups' occurrences since `since` (for the daily sparklines).
    pub(crate) async fn exception_times(
        &self,
        group_ids: &[i32],
        since: DateTime<Utc>,
    ) -> Result<Vec<(i32, DateTime<Utc>)>, DbErr> {
        let select = Query::select()
            .columns([
                ExceptionOccurrence::GroupId,
                ExceptionOccurrence::TimeOccurred,
            ])
            .from(self.table(Table::ExceptionOccurrence))
            .and_where(Expr::col(ExceptionOccurrence::GroupId).is_in(group_ids.iter().copied()))
            .and_where(Expr::col(ExceptionOccurrence::TimeOccurred).gte(since))
            .to_owned();
        let rows: Vec<TimeRow> = self.fetch(&select).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.group_id, row.time_occurred))
            .collect())
    }

    /// A group's latest occurrences, newest first.
    pub(crate) async fn exception_occurrences(
        &self,
        group_id: i32,
        limit: u64,
    ) -> Result<Vec<Occurrence>, DbErr> {
        let select = Query::select()
            .columns([
                ExceptionOccurrence::TimeOccurred,
                ExceptionOccurrence::Version,
                ExceptionOccurrence::RequestId,
            ])
            .from(self.table(Table::ExceptionOccurrence))
            .and_where(Expr::col(ExceptionOccurrence::GroupId).eq(group_id))
            .order_by(ExceptionOccurrence::TimeOccurred, Order::Desc)
            .limit(limit)
            .to_owned();
        let rows: Vec<OccurrenceRow> = self.fetch(&select).await?;
        Ok(rows
            .into_iter()
            .map(|row| Occurrence {
                time: row.time_occurred,
                version: row.version,
                request_id: row.request_id,
            })
            .collect())
    }

    /// Deletes a group and its occurrences; false when there is no such group.
    pub(crate) async fn delete_exception_group(&self, id: i32) -> Result<bool, DbErr> {
        let txn = sea_orm::TransactionTrait::begin(self.db()).await?;
        let occurrences = Query::delete()
            .from_table(self.table(Table::ExceptionOccurrence))
            .and_where(Expr::col(ExceptionOccurrence::GroupId).eq(id))
            .to_owned();
        txn.execute(&occurrences).await?;
        let group = Query::delete()
            .from_table(self.table(Table::ExceptionGroup))
            .and_where(Expr::col(ExceptionGroup::Id).eq(id))
            .to_owned();
        let deleted = txn.execute(&group).await?.rows_affected() == 1;
        txn.commit().await?;
        Ok(deleted)
    }
}

#[derive(FromQueryResult)]
struct OutlierRow {
    id: i64,
    request_id: i64,
    request_headers: String,
    request_environment: String,
    request_url: String,
    request_values: String,
    cpu_percent: String,
    memory: String,
    stacktrace: String,
    time_captured: DateTime<Utc>,
    calls: String,
    time_us: i64,
    duration_us: i64,
    status_code: i16,
}

impl OutlierRow {
    fn card(self) -> Result<OutlierCard, DbErr> {
        let values: StoredValues = parse(&self.request_values)?;
        Ok(OutlierCard {
            id: self.id,
            request_id: self.request_id,
            time_requested: super::time_of_micros(self.time_us),
            duration_ms: super::ms_of_micros(self.duration_us),
            status: u16::try_from(self.status_code).unwrap_or(0),
            time_captured: self.time_captured,
            context: RequestContext {
                method: values.method,
                route: values.route,
                url: self.request_url,
                query: values.query,
                body: values.body,
                headers: parse(&self.request_headers)?,
                environment: parse(&self.request_environment)?,
            },
            stack: parse(&self.stacktrace)?,
            cpu: parse(&self.cpu_percent)?,
            memory: parse(&self.memory)?,
            calls: parse(&self.calls)?,
        })
    }
}

#[derive(FromQueryResult)]
struct FiguresRow {
    cpu_percent: String,
    memory: String,
}

/// An exception group as stored, with its endpoint's name.
#[derive(FromQueryResult)]
pub(crate) struct GroupRow {
    pub(crate) id: i32,
    pub(crate) endpoint_id: Option<i32>,
    pub(crate) endpoint: Option<String>,
    pub(crate) type_name: String,
    pub(crate) message: String,
    pub(crate) count: i64,
    pub(crate) first_seen: DateTime<Utc>,
    pub(crate) last_seen: DateTime<Utc>,
    latest_context: String,
    stack: String,
    latest_calls: String,
}

impl GroupRow {
    /// The latest occurrence's request context.
    pub(crate) fn context(&self) -> Result<RequestContext, DbErr> {
        parse(&self.latest_context)
    }

    /// Where the latest occurrence happened.
    pub(crate) fn stack(&self) -> Result<ExceptionStack, DbErr> {
        parse(&self.stack)
    }

    /// The statements and calls the latest occurrence's request had made.
    pub(crate) fn calls(&self) -> Result<Vec<RequestCall>, DbErr> {
        parse(&self.latest_calls)
    }
}

#[derive(FromQueryResult)]
struct VersionRow {
    group_id: i32,
    version: String,
}

#[derive(FromQueryResult)]
struct TimeRow {
    group_id: i32,
    time_occurred: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct OccurrenceRow {
    time_occurred: DateTime<Utc>,
    version: String,
    request_id: Option<i64>,
}
