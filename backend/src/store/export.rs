//! The export API's and the configuration page's reads.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Request, Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{DbErr, FromQueryResult};

use super::Store;

/// Which requests to export: ids after `after_id`, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestFilter {
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) endpoint: Option<String>,
    pub(crate) after_id: i64,
    pub(crate) limit: u64,
}

/// A request with its endpoint's name, as the export and the failed-requests table show it.
#[derive(Debug, Clone)]
pub(crate) struct RequestRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) duration_ms: f64,
    pub(crate) time_requested: DateTime<Utc>,
    pub(crate) version_requested: String,
    pub(crate) group_by: Option<String>,
    pub(crate) ip: Option<String>,
    /// A SMALLINT in the table.
    pub(crate) status_code: i16,
    pub(crate) query_count: i64,
    pub(crate) query_ms: f64,
    pub(crate) call_count: i64,
    pub(crate) call_ms: f64,
}

/// An endpoint's monitoring rule, as the export shows it.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct EndpointRule {
    pub(crate) name: String,
    pub(crate) monitor_level: i16,
    pub(crate) time_added: DateTime<Utc>,
    pub(crate) version_added: String,
    pub(crate) last_requested: Option<DateTime<Utc>>,
}

/// A request row as stored, with its labels' texts (see [`Store::select_request_rows`]).
#[derive(FromQueryResult)]
pub(crate) struct StoredRequest {
    id: i64,
    name: String,
    duration_us: i64,
    time_us: i64,
    version_requested: Option<String>,
    group_by: Option<String>,
    ip: Option<String>,
    status_code: i16,
    query_count: i64,
    query_us: i64,
    call_count: i64,
    call_us: i64,
}

impl From<StoredRequest> for RequestRow {
    fn from(row: StoredRequest) -> Self {
        RequestRow {
            id: row.id,
            name: row.name,
            duration_ms: super::ms_of_micros(row.duration_us),
            time_requested: super::time_of_micros(row.time_us),
            version_requested: row.version_requested.unwrap_or_default(),
            group_by: row.group_by,
            ip: row.ip,
            status_code: row.status_code,
            query_count: row.query_count,
            query_ms: super::ms_of_micros(row.query_us),
            call_count: row.call_count,
            call_ms: super::ms_of_micros(row.call_us),
        }
    }
}

#[derive(FromQueryResult)]
struct FirstRequest {
    time_us: i64,
    version_requested: Option<String>,
}

impl Store {
    /// Selects what a [`StoredRequest`] reads from the request table but the endpoint's name:
    /// the id, the numbers, and the texts of its labels (joined).
    pub(crate) fn select_request_rows(&self, select: &mut SelectStatement) {
        let request = self.table(Table::Request);
        select.column((request.clone(), Request::Id)).columns(
            [
                Request::DurationUs,
                Request::TimeUs,
                Request::StatusCode,
                Request::QueryCount,
                Request::QueryUs,
                Request::CallCount,
                Request::CallUs,
            ]
            .map(|column| (request.clone(), column)),
        );
        for (column, alias, name) in [
            (Request::VersionId, "version_label", "version_requested"),
            (Request::UserId, "user_label", "group_by"),
            (Request::AddressId, "address_label", "ip"),
        ] {
            self.join_label(select, &request, column, alias);
            select.expr_as(
                Expr::col((Alias::new(alias), dashboard_migration::schema::Label::Value)),
                Alias::new(name),
            );
        }
    }

    /// `FROM request JOIN endpoint WHERE …` for a filter (without paging).
    fn filtered_requests(&self, select: &mut SelectStatement, filter: &RequestFilter) {
        let (request, endpoint) = (self.table(Table::Request), self.table(Table::Endpoint));
        select.from(request.clone()).inner_join(
            endpoint.clone(),
            Expr::col((endpoint.clone(), Endpoint::Id))
                .equals((request.clone(), Request::EndpointId)),
        );
        if let Some(from) = filter.from {
            select.and_where(
                Expr::col((request.clone(), Request::TimeUs)).gte(from.timestamp_micros()),
            );
        }
        if let Some(to) = filter.to {
            select.and_where(Expr::col((request, Request::TimeUs)).lt(to.timestamp_micros()));
        }
        if let Some(name) = &filter.endpoint {
            select.and_where(Expr::col((endpoint, Endpoint::Name)).eq(name.as_str()));
        }
    }

    /// A page of requests with their endpoint's name, served by the primary key.
    pub(crate) async fn export_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<RequestRow>, DbErr> {
        let (request, endpoint) = (self.table(Table::Request), self.table(Table::Endpoint));
        let mut select = Query::select();
        select
            .column((endpoint, Endpoint::Name))
            .and_where(Expr::col((request.clone(), Request::Id)).gt(filter.after_id))
            .order_by((request, Request::Id), sea_orm::Order::Asc)
            .limit(filter.limit);
        self.filtered_requests(&mut select, filter);
        self.select_request_rows(&mut select);
        let rows = self.fetch::<StoredRequest>(&select).await?;
        Ok(rows.into_iter().map(RequestRow::from).collect())
    }

    /// How many requests a filter matches (ignoring its page position and size).
    #[cfg(feature = "cli")]
    pub(crate) async fn count_requests(&self, filter: &RequestFilter) -> Result<u64, DbErr> {
        let mut select = Query::select();
        select.expr_as(
            sea_orm::sea_query::Func::count(Expr::col((self.table(Table::Request), Request::Id))),
            Alias::new("total"),
        );
        self.filtered_requests(&mut select, filter);
        self.total(&select).await
    }

    /// Every endpoint's monitoring rule, by name.
    pub(crate) async fn export_endpoints(&self) -> Result<Vec<EndpointRule>, DbErr> {
        let select = Query::select()
            .columns([
                Endpoint::Name,
                Endpoint::MonitorLevel,
                Endpoint::TimeAdded,
                Endpoint::VersionAdded,
                Endpoint::LastRequested,
            ])
            .from(self.table(Table::Endpoint))
            .order_by(Endpoint::Name, sea_orm::Order::Asc)
            .to_owned();
        self.fetch::<EndpointRule>(&select).await
    }

    /// The first stored request (time and version) and how many requests were recorded, from
    /// the primary key and the rollups: no table scan.
    pub(crate) async fn request_totals(
        &self,
    ) -> Result<(Option<(DateTime<Utc>, String)>, u64), DbErr> {
        let request = self.table(Table::Request);
        let mut first = Query::select()
            .column((request.clone(), Request::TimeUs))
            .from(request.clone())
            .order_by((request.clone(), Request::Id), sea_orm::Order::Asc)
            .limit(1)
            .to_owned();
        self.join_label(&mut first, &request, Request::VersionId, "version_label");
        first.expr_as(
            Expr::col((
                Alias::new("version_label"),
                dashboard_migration::schema::Label::Value,
            )),
            Alias::new("version_requested"),
        );
        let first = self
            .fetch::<FirstRequest>(&first)
            .await?
            .into_iter()
            .next()
            .map(|row| {
                (
                    super::time_of_micros(row.time_us),
                    row.version_requested.unwrap_or_default(),
                )
            });
        let total = Query::select()
            .expr_as(self.sum(Expr::col(Rollup::Hits)), Alias::new("total"))
            .from(self.table(Table::Rollup))
            .to_owned();
        Ok((first, self.total(&total).await?))
    }
}
