//! One endpoint's page: its details, status codes, failed requests, and the requests behind the
//! per-user and per-address views (read through the `(endpoint, time)` index).

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Request, Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;
use super::export::{RequestRow, StoredRequest};
use super::labels::LabelKind;

/// What identifies the caller of a request on the endpoint page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// The `group_by` value.
    User,
    /// The client address.
    Ip,
}

impl Caller {
    /// The request column holding the caller's label id.
    fn column(self) -> Request {
        match self {
            Caller::User => Request::UserId,
            Caller::Ip => Request::AddressId,
        }
    }

    fn label_kind(self) -> LabelKind {
        match self {
            Caller::User => LabelKind::User,
            Caller::Ip => LabelKind::Address,
        }
    }
}

/// Where a page of failed requests starts: requests older than this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Before {
    pub(crate) time: DateTime<Utc>,
    pub(crate) id: i64,
}

/// One endpoint's facts: the endpoint page's details card.
#[derive(Debug, Clone)]
pub(crate) struct EndpointFacts {
    pub(crate) id: i32,
    pub(crate) name: String,
    pub(crate) route: String,
    /// Every method served on the route, ascending.
    pub(crate) methods: Vec<String>,
    pub(crate) monitor_level: i16,
    /// Every request recorded, from the rollups.
    pub(crate) total_hits: u64,
    pub(crate) time_added: DateTime<Utc>,
    pub(crate) version_added: String,
    pub(crate) last_requested: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct EndpointRow {
    id: i32,
    name: String,
    route: String,
    monitor_level: i16,
    time_added: DateTime<Utc>,
    version_added: String,
    last_requested: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Method {
    method: String,
}

#[derive(FromQueryResult)]
struct StatusHits {
    /// A SMALLINT in the rollups.
    status_code: i16,
    hits: i64,
}

#[derive(FromQueryResult)]
struct CallerCount {
    caller: Option<i32>,
    requests: i64,
}

#[derive(FromQueryResult)]
struct Sample {
    caller: Option<i32>,
    version_id: i32,
    duration_us: i64,
}

/// A request's durations as the per-caller views need them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CallerSample {
    pub(crate) caller: String,
    pub(crate) version: String,
    pub(crate) duration_ms: f64,
}

/// Shown for requests whose caller is unknown (no `group_by` value or no address).
pub(crate) const UNKNOWN_CALLER: &str = "(none)";

#[derive(FromQueryResult)]
struct Name {
    name: String,
}

impl Store {
    /// The name of endpoint `id`; `None` when there is no such endpoint.
    pub(crate) async fn endpoint_name(&self, id: i32) -> Result<Option<String>, DbErr> {
        let select = Query::select()
            .column(Endpoint::Name)
            .from(self.table(Table::Endpoint))
            .and_where(Expr::col(Endpoint::Id).eq(id))
            .to_owned();
        match self.db().query_one(&select).await? {
            Some(row) => Ok(Some(Name::from_query_result(&row, "")?.name)),
            None => Ok(None),
        }
    }

    /// The details card of endpoint `id`; `None` when there is no such endpoint.
    pub(crate) async fn endpoint_details(&self, id: i32) -> Result<Option<EndpointFacts>, DbErr> {
        let endpoints = self.table(Table::Endpoint);
        let select = Query::select()
            .columns([
                Endpoint::Id,
                Endpoint::Name,
                Endpoint::Route,
                Endpoint::MonitorLevel,
                Endpoint::TimeAdded,
                Endpoint::VersionAdded,
                Endpoint::LastRequested,
            ])
            .from(endpoints.clone())
            .and_where(Expr::col(Endpoint::Id).eq(id))
            .to_owned();
        let Some(row) = self.db().query_one(&select).await? else {
            return Ok(None);
        };
        let row = EndpointRow::from_query_result(&row, "")?;
        let methods = Query::select()
            .column(Endpoint::Method)
            .from(endpoints)
            .and_where(Expr::col(Endpoint::Route).eq(row.route.as_str()))
            .order_by(Endpoint::Method, sea_orm::Order::Asc)
            .to_owned();
        let methods = self
            .fetch::<Method>(&methods)
            .await?
            .into_iter()
            .map(|row| row.method)
            .collect();
        let mut hits = Query::select()
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("total"))
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::EndpointId).eq(id))
            .to_owned();
        self.only_instance(&mut hits, Rollup::InstanceId);
        let total_hits = self.total(&hits).await?;
        Ok(Some(EndpointFacts {
            id: row.id,
            name: row.name,
            route: row.route,
            methods,
            monitor_level: row.monitor_level,
            total_hits,
            time_added: row.time_added,
            version_added: row.version_added,
            last_requested: row.last_requested,
        }))
    }

    /// Requests of endpoint `id` per status code in `[from, to)`, ascending by code.
    pub(crate) async fn status_counts(
        &self,
        id: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(u16, u64)>, DbErr> {
        let mut select = Query::select()
            .column(Rollup::StatusCode)
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("hits"))
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::EndpointId).eq(id))
            .and_where(Expr::col(Rollup::Hour).gte(from))
            .and_where(Expr::col(Rollup::Hour).lt(to))
            .group_by_col(Rollup::StatusCode)
            .order_by(Rollup::StatusCode, sea_orm::Order::Asc)
            .to_owned();
        self.only_instance(&mut select, Rollup::InstanceId);
        Ok(self
            .fetch::<StatusHits>(&select)
            .await?
            .into_iter()
            .map(|row| {
                (
                    u16::try_from(row.status_code).unwrap_or(0),
                    u64::try_from(row.hits).unwrap_or(0),
                )
            })
            .collect())
    }

    /// Up to `limit` failed requests (status 400 and above) of endpoint `id` named `name`,
    /// newest first, older than `before`; read through the partial index of failures.
    pub(crate) async fn failed_requests(
        &self,
        id: i32,
        name: &str,
        before: Option<Before>,
        limit: u64,
    ) -> Result<Vec<RequestRow>, DbErr> {
        let request = self.table(Table::Request);
        let column = |column: Request| Expr::col((request.clone(), column));
        let mut select = Query::select()
            .expr_as(Expr::val(name), Alias::new("name"))
            .from(request.clone())
            .and_where(column(Request::EndpointId).eq(id))
            // A literal, not a bound value: SQLite uses a partial index only for a condition it
            // can see implies the index's own.
            .and_where(column(Request::StatusCode).gte(Expr::cust("400")))
            .order_by((request.clone(), Request::TimeUs), sea_orm::Order::Desc)
            .order_by((request.clone(), Request::Id), sea_orm::Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(before) = before {
            let time = before.time.timestamp_micros();
            select
                .and_where(column(Request::TimeUs).lte(time))
                .and_where(
                    column(Request::TimeUs)
                        .lt(time)
                        .or(column(Request::Id).lt(before.id)),
                );
        }
        self.select_request_rows(&mut select);
        let rows = self.fetch::<StoredRequest>(&select).await?;
        Ok(rows.into_iter().map(RequestRow::from).collect())
    }

    /// The callers of endpoint `id` with the most requests in `[from, to)`, at most `limit`,
    /// busiest first (and by name among equals).
    pub(crate) async fn busiest_callers(
        &self,
        id: i32,
        caller: Caller,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<String>, DbErr> {
        let mut select = Query::select()
            .expr_as(Expr::col(caller.column()), Alias::new("caller"))
            .expr_as(Func::count(Expr::col(Request::Id)), Alias::new("requests"))
            .from(self.table(Table::Request))
            .and_where(Expr::col(Request::EndpointId).eq(id))
            .and_where(Expr::col(Request::TimeUs).gte(from.timestamp_micros()))
            .and_where(Expr::col(Request::TimeUs).lt(to.timestamp_micros()))
            .group_by_col(caller.column())
            .to_owned();
        self.only_instance(&mut select, Request::InstanceId);
        let counts = self.fetch::<CallerCount>(&select).await?;
        let ids = counts.iter().filter_map(|row| row.caller).collect();
        let names = self.label_texts(ids).await?;
        let mut callers: Vec<(i64, String)> = counts
            .into_iter()
            .map(|row| (row.requests, caller_name(&names, row.caller)))
            .collect();
        callers.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(callers
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, name)| name)
            .collect())
    }

    /// The durations of endpoint `id`'s requests in `[from, to)` from `callers` (and, when
    /// given, only of `versions`).
    pub(crate) async fn caller_samples(
        &self,
        id: i32,
        caller: Caller,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        callers: &[String],
        versions: Option<&[String]>,
    ) -> Result<Vec<CallerSample>, DbErr> {
        let column = caller.column();
        let known: Vec<&str> = callers
            .iter()
            .map(String::as_str)
            .filter(|caller| *caller != UNKNOWN_CALLER)
            .collect();
        let mut wanted = self.label_in(column, caller.label_kind(), &known);
        if callers.iter().any(|caller| caller == UNKNOWN_CALLER) {
            wanted = wanted.or(Expr::col(column).is_null());
        }
        let mut select = Query::select()
            .expr_as(Expr::col(column), Alias::new("caller"))
            .columns([Request::VersionId, Request::DurationUs])
            .from(self.table(Table::Request))
            .and_where(Expr::col(Request::EndpointId).eq(id))
            .and_where(Expr::col(Request::TimeUs).gte(from.timestamp_micros()))
            .and_where(Expr::col(Request::TimeUs).lt(to.timestamp_micros()))
            .and_where(wanted)
            .to_owned();
        if let Some(versions) = versions {
            let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
            select.and_where(self.label_in(Request::VersionId, LabelKind::Version, &versions));
        }
        self.only_instance(&mut select, Request::InstanceId);
        let samples = self.fetch::<Sample>(&select).await?;
        let ids = samples
            .iter()
            .flat_map(|row| [row.caller, Some(row.version_id)])
            .flatten()
            .collect();
        let names = self.label_texts(ids).await?;
        Ok(samples
            .into_iter()
            .map(|row| CallerSample {
                caller: caller_name(&names, row.caller),
                version: names.get(&row.version_id).cloned().unwrap_or_default(),
                duration_ms: super::ms_of_micros(row.duration_us),
            })
            .collect())
    }
}

/// The name of a caller label, or [`UNKNOWN_CALLER`].
fn caller_name(names: &std::collections::HashMap<i32, String>, caller: Option<i32>) -> String {
    caller
        .and_then(|id| names.get(&id).cloned())
        .unwrap_or_else(|| UNKNOWN_CALLER.to_owned())
}
