//! The export API's and the configuration page's reads.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Endpoint, Request, Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::{Store, sum_as_bigint};

/// Which requests to export: ids after `after_id`, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestFilter {
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) endpoint: Option<String>,
    pub(crate) after_id: i64,
    pub(crate) limit: u64,
}

/// The request columns a [`RequestRow`] reads besides the id and the endpoint's name.
pub(crate) const REQUEST_FIELDS: [Request; 6] = [
    Request::DurationMs,
    Request::TimeRequested,
    Request::VersionRequested,
    Request::GroupBy,
    Request::Ip,
    Request::StatusCode,
];

/// A request with its endpoint's name, as the export and the failed-requests table show it.
#[derive(Debug, Clone, FromQueryResult)]
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

#[derive(FromQueryResult)]
struct FirstRequest {
    time_requested: DateTime<Utc>,
    version_requested: String,
}

impl Store {
    /// `FROM request JOIN endpoint WHERE …` for a filter (without paging).
    fn filtered_requests(&self, select: &mut SelectStatement, filter: &RequestFilter) {
        let (request, endpoint) = (self.table(Table::Request), self.table(Table::Endpoint));
        select.from(request.clone()).inner_join(
            endpoint.clone(),
            Expr::col((endpoint.clone(), Endpoint::Id))
                .equals((request.clone(), Request::EndpointId)),
        );
        if let Some(from) = filter.from {
            select.and_where(Expr::col((request.clone(), Request::TimeRequested)).gte(from));
        }
        if let Some(to) = filter.to {
            select.and_where(Expr::col((request, Request::TimeRequested)).lt(to));
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
            .column((request.clone(), Request::Id))
            .column((endpoint, Endpoint::Name))
            .columns(REQUEST_FIELDS.map(|column| (request.clone(), column)))
            .and_where(Expr::col((request.clone(), Request::Id)).gt(filter.after_id))
            .order_by((request, Request::Id), sea_orm::Order::Asc)
            .limit(filter.limit);
        self.filtered_requests(&mut select, filter);
        let rows = self.db().query_all(&select).await?;
        rows.iter()
            .map(|row| RequestRow::from_query_result(row, ""))
            .collect()
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
        let first = Query::select()
            .columns([Request::TimeRequested, Request::VersionRequested])
            .from(self.table(Table::Request))
            .order_by(Request::Id, sea_orm::Order::Asc)
            .limit(1)
            .to_owned();
        let first = match self.db().query_one(&first).await? {
            Some(row) => {
                let row = FirstRequest::from_query_result(&row, "")?;
                Some((row.time_requested, row.version_requested))
            }
            None => None,
        };
        let total = Query::select()
            .expr_as(sum_as_bigint(Expr::col(Rollup::Hits)), Alias::new("total"))
            .from(self.table(Table::Rollup))
            .to_owned();
        Ok((first, self.total(&total).await?))
    }
}
