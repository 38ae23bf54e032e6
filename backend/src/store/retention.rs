//! Pruning rows past their retention, a chunk per statement, so that no statement holds a lock
//! for long and the writer keeps writing in between.

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_migration::schema::{
    CustomGraph, CustomGraphData, ExceptionGroup, ExceptionOccurrence, LatencyDay, Outlier,
    Profile, Request, Rollup, StackLine, Table,
};
use sea_orm::sea_query::{
    Alias, DeleteStatement, Expr, ExprTrait, Func, Iden, IntoIden, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

pub(crate) use dashboard_shared::PruneResult as Pruned;

use super::Store;
use crate::config::Retention;

/// Rows deleted per statement.
pub(crate) const CHUNK: u64 = 2_000;

/// Finished Apalis jobs of this dashboard older than this are deleted with the pruning.
const FINISHED_JOBS_KEPT: TimeDelta = TimeDelta::days(1);

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

#[derive(FromQueryResult)]
struct Oldest {
    oldest: Option<DateTime<Utc>>,
}

/// The time before which rows of a retention go.
fn cutoff(now: DateTime<Utc>, kept: Option<std::time::Duration>) -> Option<DateTime<Utc>> {
    let kept = TimeDelta::from_std(kept?).ok()?;
    now.checked_sub_signed(kept)
}

impl Store {
    /// Deletes what `retention` no longer keeps at `now`, a chunk at a time; `progress` hears
    /// the running totals after every chunk.
    pub(crate) async fn prune(
        &self,
        retention: &Retention,
        now: DateTime<Utc>,
        queue: &str,
        mut progress: impl FnMut(&Pruned) + Send,
    ) -> Result<Pruned, DbErr> {
        let mut pruned = Pruned::default();
        if let Some(before) = cutoff(now, retention.details) {
            pruned.outliers = self
                .prune_details(Table::Outlier, before, &mut |n| {
                    pruned.outliers = n;
                    progress(&pruned)
                })
                .await?;
            pruned.profiles = self
                .prune_details(Table::Profile, before, &mut |n| {
                    pruned.profiles = n;
                    progress(&pruned)
                })
                .await?;
            pruned.exception_occurrences = self
                .prune_exception_occurrences(before, &mut |n| {
                    pruned.exception_occurrences = n;
                    progress(&pruned)
                })
                .await?;
        }
        if let Some(before) = cutoff(now, retention.requests) {
            let select = Query::select()
                .expr_as(Expr::col(Request::Id), Alias::new("id"))
                .from(self.table(Table::Request))
                .and_where(Expr::col(Request::TimeRequested).lt(before))
                .limit(CHUNK)
                .to_owned();
            pruned.requests = self
                .delete_chunks(select, Table::Request, Request::Id, &mut |n| {
                    pruned.requests = n;
                    progress(&pruned)
                })
                .await?;
        }
        if let Some(before) = cutoff(now, retention.graphs) {
            pruned.graph_values = self
                .prune_graph_values(before, &mut |n| {
                    pruned.graph_values = n;
                    progress(&pruned)
                })
                .await?;
        }
        if let Some(before) = cutoff(now, retention.rollups) {
            pruned.rollups = self.prune_rollups(before).await?;
            progress(&pruned);
        }
        pruned.jobs = self
            .prune_finished_jobs(queue, now - FINISHED_JOBS_KEPT)
            .await?;
        progress(&pruned);
        Ok(pruned)
    }

    /// Runs `select` (ids, at most [`CHUNK`]) and deletes those rows of `table`, until it finds
    /// none; returns how many went.
    async fn delete_chunks(
        &self,
        select: SelectStatement,
        table: Table,
        id: impl Iden + Copy + 'static,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, DbErr> {
        let mut deleted = 0;
        loop {
            let ids: Vec<i64> = self
                .fetch::<Id>(&select)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect();
            if ids.is_empty() {
                return Ok(deleted);
            }
            let delete = Query::delete()
                .from_table(self.table(table))
                .and_where(Expr::col(id).is_in(ids))
                .to_owned();
            deleted += self.delete(&delete).await?;
            progress(deleted);
            tokio::task::yield_now().await;
        }
    }

    async fn delete(&self, delete: &DeleteStatement) -> Result<u64, DbErr> {
        Ok(self.db().execute(delete).await?.rows_affected())
    }

    /// Outliers or profiles (with their stack lines) of requests older than `before`.
    async fn prune_details(
        &self,
        table: Table,
        before: DateTime<Utc>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, DbErr> {
        let request = self.table(Table::Request);
        let detail = self.table(table);
        let request_id = match table {
            Table::Outlier => Outlier::RequestId.into_iden(),
            _ => Profile::RequestId.into_iden(),
        };
        let select = Query::select()
            .expr_as(
                Expr::col((detail.clone(), request_id.clone())),
                Alias::new("id"),
            )
            .from(detail.clone())
            .inner_join(
                request.clone(),
                Expr::col((request.clone(), Request::Id))
                    .equals((detail.clone(), request_id.clone())),
            )
            .and_where(Expr::col((request, Request::TimeRequested)).lt(before))
            .limit(CHUNK)
            .to_owned();
        let mut deleted = 0;
        loop {
            let ids: Vec<i64> = self
                .fetch::<Id>(&select)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect();
            if ids.is_empty() {
                return Ok(deleted);
            }
            if table == Table::Profile {
                self.delete(
                    &Query::delete()
                        .from_table(self.table(Table::StackLine))
                        .and_where(Expr::col(StackLine::RequestId).is_in(ids.clone()))
                        .to_owned(),
                )
                .await?;
            }
            deleted += self
                .delete(
                    &Query::delete()
                        .from_table(detail.clone())
                        .and_where(Expr::col(request_id.clone()).is_in(ids))
                        .to_owned(),
                )
                .await?;
            progress(deleted);
            tokio::task::yield_now().await;
        }
    }

    /// Exception occurrences older than `before`, group by group along the (group, time) index.
    async fn prune_exception_occurrences(
        &self,
        before: DateTime<Utc>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, DbErr> {
        let groups = self.ids(Table::ExceptionGroup, ExceptionGroup::Id).await?;
        let mut deleted = 0;
        for group in groups {
            let select = Query::select()
                .expr_as(Expr::col(ExceptionOccurrence::Id), Alias::new("id"))
                .from(self.table(Table::ExceptionOccurrence))
                .and_where(Expr::col(ExceptionOccurrence::GroupId).eq(group))
                .and_where(Expr::col(ExceptionOccurrence::TimeOccurred).lt(before))
                .limit(CHUNK)
                .to_owned();
            deleted += self
                .delete_chunks(
                    select,
                    Table::ExceptionOccurrence,
                    ExceptionOccurrence::Id,
                    &mut |n| progress(deleted + n),
                )
                .await?;
        }
        Ok(deleted)
    }

    /// Custom graph values older than `before`, graph by graph along the (graph, time) index.
    async fn prune_graph_values(
        &self,
        before: DateTime<Utc>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, DbErr> {
        let graphs = self.ids(Table::CustomGraph, CustomGraph::Id).await?;
        let mut deleted = 0;
        for graph in graphs {
            let select = Query::select()
                .expr_as(Expr::col(CustomGraphData::Id), Alias::new("id"))
                .from(self.table(Table::CustomGraphData))
                .and_where(Expr::col(CustomGraphData::GraphId).eq(graph))
                .and_where(Expr::col(CustomGraphData::Time).lt(before))
                .limit(CHUNK)
                .to_owned();
            deleted += self
                .delete_chunks(
                    select,
                    Table::CustomGraphData,
                    CustomGraphData::Id,
                    &mut |n| progress(deleted + n),
                )
                .await?;
        }
        Ok(deleted)
    }

    /// Every id of a small table.
    async fn ids(&self, table: Table, id: impl Iden + 'static) -> Result<Vec<i64>, DbErr> {
        let select = Query::select()
            .expr_as(
                Func::cast_as(Expr::col(id), Alias::new("BIGINT")),
                Alias::new("id"),
            )
            .from(self.table(table))
            .to_owned();
        Ok(self
            .fetch::<Id>(&select)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect())
    }

    /// Hourly rollups and daily latencies older than `before`, a day at a time.
    async fn prune_rollups(&self, before: DateTime<Utc>) -> Result<u64, DbErr> {
        let mut deleted = 0;
        loop {
            let oldest: Vec<Oldest> = self
                .fetch(
                    &Query::select()
                        .expr_as(Func::min(Expr::col(Rollup::Hour)), Alias::new("oldest"))
                        .from(self.table(Table::Rollup))
                        .to_owned(),
                )
                .await?;
            let Some(oldest) = oldest.first().and_then(|row| row.oldest) else {
                break;
            };
            if oldest >= before {
                break;
            }
            let until = Ord::min(oldest + TimeDelta::days(1), before);
            deleted += self
                .delete(
                    &Query::delete()
                        .from_table(self.table(Table::Rollup))
                        .and_where(Expr::col(Rollup::Hour).lt(until))
                        .to_owned(),
                )
                .await?;
            tokio::task::yield_now().await;
        }
        deleted += self
            .delete(
                &Query::delete()
                    .from_table(self.table(Table::LatencyDay))
                    .and_where(Expr::col(LatencyDay::Day).lt(before.date_naive()))
                    .to_owned(),
            )
            .await?;
        Ok(deleted)
    }

    /// Finished jobs of `queue` in Apalis's table that ended before `before`. Their
    /// idempotency keys go with them; no tick is ever queued again, so none is needed.
    async fn prune_finished_jobs(&self, queue: &str, before: DateTime<Utc>) -> Result<u64, DbErr> {
        let backend = self.db().get_database_backend();
        let sql = match backend {
            DbBackend::Postgres => {
                "DELETE FROM apalis.jobs WHERE id IN (SELECT id FROM apalis.jobs \
                 WHERE job_type = $1 AND status IN ('Done', 'Killed', 'Failed') \
                 AND done_at < to_timestamp($2) LIMIT $3)"
            }
            _ => {
                "DELETE FROM Jobs WHERE id IN (SELECT id FROM Jobs \
                 WHERE job_type = ?1 AND status IN ('Done', 'Killed', 'Failed') \
                 AND done_at < ?2 LIMIT ?3)"
            }
        };
        let mut deleted = 0;
        loop {
            #[allow(clippy::cast_possible_wrap)]
            let statement = Statement::from_sql_and_values(
                backend,
                sql,
                [
                    queue.into(),
                    before.timestamp().into(),
                    (CHUNK as i64).into(),
                ],
            );
            let went = self.db().execute_raw(statement).await?.rows_affected();
            deleted += went;
            if went < CHUNK {
                return Ok(deleted);
            }
        }
    }
}
