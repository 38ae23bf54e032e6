//! Pruning rows past their retention, a chunk per statement, so that no statement holds a lock
//! for long and the writer keeps writing in between.

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_migration::schema::{
    CustomGraph, CustomGraphData, DependencyDay, DependencyLatency, Endpoint, ExceptionGroup,
    ExceptionOccurrence, LatencyDay, Outlier, Profile, Request, RequestDependency, Rollup,
    SlowCall, StackLine, Table,
};
use sea_orm::sea_query::{
    Alias, DeleteStatement, DynIden, Expr, ExprTrait, Func, IntoIden, Query, SelectStatement, Value,
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

/// The count of [`Pruned`] that a step adds to.
type Counter = fn(&mut Pruned) -> &mut u64;

/// A prune's running totals, told to its caller after every chunk.
struct Tally<'a> {
    pruned: Pruned,
    report: &'a mut (dyn FnMut(&Pruned) + Send),
}

impl Tally<'_> {
    fn add(&mut self, counter: Counter, deleted: u64) {
        *counter(&mut self.pruned) += deleted;
        (self.report)(&self.pruned);
    }
}

/// Rows deleted a chunk at a time: `select` finds at most [`CHUNK`] of their ids (as `id`);
/// the rows of `dependents` with those ids go first, as no foreign key cascades to them.
struct Chunks {
    select: SelectStatement,
    table: Table,
    id: DynIden,
    dependents: Vec<(Table, DynIden)>,
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
        let tally = &mut Tally {
            pruned: Pruned::default(),
            report: &mut progress,
        };
        if let Some(before) = cutoff(now, retention.details) {
            let outliers = self.details_of_requests_before(
                Table::Outlier,
                Outlier::RequestId.into_iden(),
                before,
            );
            self.delete_chunks(outliers, tally, |p| &mut p.outliers)
                .await?;
            let mut profiles = self.details_of_requests_before(
                Table::Profile,
                Profile::RequestId.into_iden(),
                before,
            );
            profiles
                .dependents
                .push((Table::StackLine, StackLine::RequestId.into_iden()));
            self.delete_chunks(profiles, tally, |p| &mut p.profiles)
                .await?;
            for (table, request_id) in [
                (
                    Table::RequestDependency,
                    RequestDependency::RequestId.into_iden(),
                ),
                (Table::SlowCall, SlowCall::RequestId.into_iden()),
            ] {
                let details = self.details_of_requests_before(table, request_id, before);
                self.delete_chunks(details, tally, |p| &mut p.call_details)
                    .await?;
            }
            self.delete_children_before(
                (Table::ExceptionGroup, ExceptionGroup::Id.into_iden()),
                (
                    Table::ExceptionOccurrence,
                    ExceptionOccurrence::Id.into_iden(),
                ),
                ExceptionOccurrence::GroupId.into_iden(),
                ExceptionOccurrence::TimeOccurred.into_iden(),
                before.into(),
                tally,
                |p| &mut p.exception_occurrences,
            )
            .await?;
        }
        if let Some(before) = cutoff(now, retention.requests) {
            self.delete_children_before(
                (Table::Endpoint, Endpoint::Id.into_iden()),
                (Table::Request, Request::Id.into_iden()),
                Request::EndpointId.into_iden(),
                Request::TimeUs.into_iden(),
                before.timestamp_micros().into(),
                tally,
                |p| &mut p.requests,
            )
            .await?;
        }
        if let Some(before) = cutoff(now, retention.graphs) {
            self.delete_children_before(
                (Table::CustomGraph, CustomGraph::Id.into_iden()),
                (Table::CustomGraphData, CustomGraphData::Id.into_iden()),
                CustomGraphData::GraphId.into_iden(),
                CustomGraphData::Time.into_iden(),
                before.into(),
                tally,
                |p| &mut p.graph_values,
            )
            .await?;
        }
        if let Some(before) = cutoff(now, retention.rollups) {
            self.prune_rollups(before, tally).await?;
        }
        self.prune_finished_jobs(queue, now - FINISHED_JOBS_KEPT, tally)
            .await?;
        Ok(tally.pruned)
    }

    /// Deletes the rows of `chunks` until its select finds none.
    async fn delete_chunks(
        &self,
        chunks: Chunks,
        tally: &mut Tally<'_>,
        counter: Counter,
    ) -> Result<(), DbErr> {
        loop {
            let ids: Vec<i64> = self
                .fetch::<Id>(&chunks.select)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            for (table, id) in &chunks.dependents {
                self.delete(&self.delete_ids(*table, id.clone(), &ids))
                    .await?;
            }
            let deleted = self
                .delete(&self.delete_ids(chunks.table, chunks.id.clone(), &ids))
                .await?;
            tally.add(counter, deleted);
            tokio::task::yield_now().await;
        }
    }

    fn delete_ids(&self, table: Table, id: DynIden, ids: &[i64]) -> DeleteStatement {
        Query::delete()
            .from_table(self.table(table))
            .and_where(Expr::col(id).is_in(ids.iter().copied()))
            .to_owned()
    }

    async fn delete(&self, delete: &DeleteStatement) -> Result<u64, DbErr> {
        Ok(self.db().execute(delete).await?.rows_affected())
    }

    /// The rows of `table` (outliers or profiles, keyed by `request_id`) whose request came
    /// before `before`.
    fn details_of_requests_before(
        &self,
        table: Table,
        request_id: DynIden,
        before: DateTime<Utc>,
    ) -> Chunks {
        let (request, detail) = (self.table(Table::Request), self.table(table));
        let select = Query::select()
            .expr_as(
                Expr::col((detail.clone(), request_id.clone())),
                Alias::new("id"),
            )
            .from(detail.clone())
            .inner_join(
                request.clone(),
                Expr::col((request.clone(), Request::Id)).equals((detail, request_id.clone())),
            )
            .and_where(Expr::col((request, Request::TimeUs)).lt(before.timestamp_micros()))
            .limit(CHUNK)
            .to_owned();
        Chunks {
            select,
            table,
            id: request_id,
            dependents: Vec::new(),
        }
    }

    /// The rows of `child` (id column `id`) whose `time` is before `before`, parent by parent
    /// (`parent` is the child's column naming its row of `parents`), along the child's
    /// (parent, time) index.
    #[allow(clippy::too_many_arguments)]
    async fn delete_children_before(
        &self,
        (parents, parent_id): (Table, DynIden),
        (child, id): (Table, DynIden),
        parent: DynIden,
        time: DynIden,
        before: Value,
        tally: &mut Tally<'_>,
        counter: Counter,
    ) -> Result<(), DbErr> {
        let select = Query::select()
            .expr_as(self.integer(Expr::col(parent_id)), Alias::new("id"))
            .from(self.table(parents))
            .to_owned();
        let parent_ids: Vec<i64> = self
            .fetch::<Id>(&select)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        for parent_id in parent_ids {
            let chunks = Chunks {
                select: Query::select()
                    .expr_as(Expr::col(id.clone()), Alias::new("id"))
                    .from(self.table(child))
                    .and_where(Expr::col(parent.clone()).eq(parent_id))
                    .and_where(Expr::col(time.clone()).lt(before.clone()))
                    .limit(CHUNK)
                    .to_owned(),
                table: child,
                id: id.clone(),
                dependents: Vec::new(),
            };
            self.delete_chunks(chunks, tally, counter).await?;
        }
        Ok(())
    }

    /// Hourly rollups and daily latencies older than `before`, a day at a time.
    async fn prune_rollups(
        &self,
        before: DateTime<Utc>,
        tally: &mut Tally<'_>,
    ) -> Result<(), DbErr> {
        let rollups: Counter = |p| &mut p.rollups;
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
            let deleted = self
                .delete(
                    &Query::delete()
                        .from_table(self.table(Table::Rollup))
                        .and_where(Expr::col(Rollup::Hour).lt(until))
                        .to_owned(),
                )
                .await?;
            tally.add(rollups, deleted);
            tokio::task::yield_now().await;
        }
        for (table, day) in [
            (Table::LatencyDay, LatencyDay::Day.into_iden()),
            (Table::DependencyDay, DependencyDay::Day.into_iden()),
            (Table::DependencyLatency, DependencyLatency::Day.into_iden()),
        ] {
            let deleted = self
                .delete(
                    &Query::delete()
                        .from_table(self.table(table))
                        .and_where(Expr::col(day).lt(before.date_naive()))
                        .to_owned(),
                )
                .await?;
            tally.add(rollups, deleted);
        }
        Ok(())
    }

    /// Finished jobs of `queue` in Apalis's table that ended before `before`. Their
    /// idempotency keys go with them; no tick is ever queued again, so none is needed.
    async fn prune_finished_jobs(
        &self,
        queue: &str,
        before: DateTime<Utc>,
        tally: &mut Tally<'_>,
    ) -> Result<(), DbErr> {
        let backend = self.db().get_database_backend();
        let sql = match backend {
            // MySQL's jobs leave no rows but their claims, which go after a day.
            DbBackend::MySql => return Ok(()),
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
            let deleted = self.db().execute_raw(statement).await?.rows_affected();
            tally.add(|p| &mut p.jobs, deleted);
            if deleted < CHUNK {
                return Ok(());
            }
        }
    }
}
