//! Utilisation over time, from the hourly rollups.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{Rollup, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

#[derive(FromQueryResult)]
struct HourHits {
    hour: DateTime<Utc>,
    hits: i64,
}

impl Store {
    /// Requests per UTC hour in `[from, to)`, every endpoint together.
    pub(crate) async fn hits_per_hour(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, u64)>, DbErr> {
        let select = Query::select()
            .column(Rollup::Hour)
            .expr_as(
                Func::cast_as(Func::sum(Expr::col(Rollup::Hits)), Alias::new("BIGINT")),
                Alias::new("hits"),
            )
            .from(self.table(Table::Rollup))
            .and_where(Expr::col(Rollup::Hour).gte(from))
            .and_where(Expr::col(Rollup::Hour).lt(to))
            .group_by_col(Rollup::Hour)
            .to_owned();
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| {
                let row = HourHits::from_query_result(row, "")?;
                Ok((row.hour, u64::try_from(row.hits).unwrap_or(0)))
            })
            .collect()
    }
}
