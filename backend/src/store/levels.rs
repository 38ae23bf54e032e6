//! Monitoring levels, changed by admins and followed by every process.

use dashboard_migration::schema::{Endpoint, Rollup, Table};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;
use crate::config::MonitorLevel;

/// An endpoint's identity and level as stored.
#[derive(Debug, FromQueryResult)]
pub(crate) struct StoredLevel {
    pub(crate) id: i32,
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) monitor_level: i16,
}

/// An endpoint's stored requests and the sum of their durations.
#[derive(Debug, FromQueryResult)]
pub(crate) struct StoredDurations {
    pub(crate) endpoint_id: i32,
    pub(crate) hits: i64,
    pub(crate) duration_sum_ms: f64,
}

impl Store {
    /// Every endpoint's stored requests and their total duration, from the hourly rollups
    /// (read once at start).
    pub(crate) async fn endpoint_durations(&self) -> Result<Vec<StoredDurations>, DbErr> {
        let select = Query::select()
            .column(Rollup::EndpointId)
            .expr_as(self.sum(Expr::col(Rollup::Hits)), "hits")
            .expr_as(
                Func::sum(Expr::col(Rollup::DurationSumMs)),
                "duration_sum_ms",
            )
            .from(self.table(Table::Rollup))
            .group_by_col(Rollup::EndpointId)
            .to_owned();
        self.fetch(&select).await
    }

    /// Sets an endpoint's level; false when there is no such endpoint.
    pub(crate) async fn set_endpoint_level(
        &self,
        id: i32,
        level: MonitorLevel,
    ) -> Result<bool, DbErr> {
        let update = Query::update()
            .table(self.table(Table::Endpoint))
            .value(Endpoint::MonitorLevel, i16::from(level.get()))
            .and_where(Expr::col(Endpoint::Id).eq(id))
            .to_owned();
        Ok(self.db().execute(&update).await?.rows_affected() == 1)
    }

    /// Every endpoint's level (a small table: one row per endpoint).
    pub(crate) async fn endpoint_levels(&self) -> Result<Vec<StoredLevel>, DbErr> {
        let select = Query::select()
            .columns([
                Endpoint::Id,
                Endpoint::Method,
                Endpoint::Route,
                Endpoint::MonitorLevel,
            ])
            .from(self.table(Table::Endpoint))
            .to_owned();
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| StoredLevel::from_query_result(row, ""))
            .collect()
    }
}
