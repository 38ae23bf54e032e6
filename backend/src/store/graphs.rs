//! Custom graphs: their rows, created once by title, and their values.

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_migration::schema::{CustomGraph, CustomGraphData, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};

use super::Store;

/// A custom graph's row.
#[derive(Debug, FromQueryResult)]
pub(crate) struct GraphRow {
    pub(crate) id: i32,
    pub(crate) title: String,
    pub(crate) time_added: DateTime<Utc>,
    pub(crate) version_added: String,
}

/// One stored value, or the mean of a bucket's values at the bucket's start.
#[derive(Debug, FromQueryResult)]
pub(crate) struct GraphPoint {
    pub(crate) time: DateTime<Utc>,
    pub(crate) value: f64,
}

/// The mean of the values in the bucket `bucket` (counted from the range's start).
#[derive(FromQueryResult)]
struct BucketMean {
    bucket: i64,
    value: f64,
}

impl Store {
    /// The id of the graph titled `title`, creating its row first when there is none; processes
    /// that race get the same row.
    pub(crate) async fn graph_id(&self, title: &str, version: &str) -> Result<i32, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::CustomGraph))
            .columns([
                CustomGraph::Title,
                CustomGraph::TimeAdded,
                CustomGraph::VersionAdded,
            ])
            .values_panic([title.into(), Utc::now().into(), version.into()])
            .on_conflict(
                OnConflict::column(CustomGraph::Title)
                    .do_nothing_on([CustomGraph::Title])
                    .to_owned(),
            )
            .to_owned();
        let select = Query::select()
            .column(CustomGraph::Id)
            .from(self.table(Table::CustomGraph))
            .and_where(Expr::col(CustomGraph::Title).eq(title))
            .to_owned();
        self.insert_or_read(&insert, &select, "id", &format!("custom graph {title}"))
            .await
    }

    /// Every custom graph, by title.
    pub(crate) async fn graphs(&self) -> Result<Vec<GraphRow>, DbErr> {
        self.fetch(self.graph_rows().order_by(CustomGraph::Title, Order::Asc))
            .await
    }

    /// The custom graph `id`, if there is one.
    pub(crate) async fn graph(&self, id: i32) -> Result<Option<GraphRow>, DbErr> {
        let rows: Vec<GraphRow> = self
            .fetch(
                self.graph_rows()
                    .and_where(Expr::col(CustomGraph::Id).eq(id)),
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// The select of graph rows.
    fn graph_rows(&self) -> SelectStatement {
        Query::select()
            .columns([
                CustomGraph::Id,
                CustomGraph::Title,
                CustomGraph::TimeAdded,
                CustomGraph::VersionAdded,
            ])
            .from(self.table(Table::CustomGraph))
            .to_owned()
    }

    /// Stores one value of a graph.
    pub(crate) async fn insert_graph_value(
        &self,
        graph: i32,
        time: DateTime<Utc>,
        value: f64,
    ) -> Result<(), DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::CustomGraphData))
            .columns([
                CustomGraphData::GraphId,
                CustomGraphData::Time,
                CustomGraphData::Value,
            ])
            .values_panic([graph.into(), time.into(), value.into()])
            .to_owned();
        self.db().execute(&insert).await.map(drop)
    }

    /// A graph's values in `[from, to)`, oldest first, when there are at most `max`. Otherwise
    /// the mean of each bucket of whole seconds, so long that the range holds at most `max`
    /// buckets, at the bucket's start, with the buckets' length. Either way the database sums
    /// up along the (graph, time) index and answers at most `max` rows, however dense the graph.
    pub(crate) async fn graph_points(
        &self,
        graph: i32,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        max: usize,
    ) -> Result<(Vec<GraphPoint>, Option<u64>), DbErr> {
        let in_range = Query::select()
            .from(self.table(Table::CustomGraphData))
            .and_where(Expr::col(CustomGraphData::GraphId).eq(graph))
            .and_where(Expr::col(CustomGraphData::Time).gte(from))
            .and_where(Expr::col(CustomGraphData::Time).lt(to))
            .to_owned();
        let mut count = in_range.clone();
        count.expr_as(
            Func::count(Expr::col(CustomGraphData::Id)),
            Alias::new("total"),
        );
        if self.total(&count).await? <= max as u64 {
            let mut values = in_range;
            values
                .columns([CustomGraphData::Time, CustomGraphData::Value])
                .order_by(CustomGraphData::Time, Order::Asc);
            return Ok((self.fetch(&values).await?, None));
        }
        let span = u64::try_from((to - from).num_seconds()).unwrap_or(0);
        let seconds = Ord::max(span.div_ceil(max as u64), 1);
        let bucket = Alias::new("bucket");
        let step = i64::try_from(seconds).unwrap_or(i64::MAX);
        let mut means = in_range;
        means
            .expr_as(self.bucket_of_time(from, step), bucket.clone())
            .expr_as(
                Func::avg(Expr::col(CustomGraphData::Value)),
                Alias::new("value"),
            )
            .group_by_col(bucket.clone())
            .order_by(bucket, Order::Asc);
        let points = self
            .fetch::<BucketMean>(&means)
            .await?
            .into_iter()
            .map(|mean| GraphPoint {
                time: from + TimeDelta::seconds(mean.bucket.saturating_mul(step)),
                value: mean.value,
            })
            .collect();
        Ok((points, Some(seconds)))
    }

    /// The number of the `seconds` long bucket, counted from `from`, that a value's time falls
    /// in: whole seconds since the epoch, in each database's words.
    fn bucket_of_time(&self, from: DateTime<Utc>, seconds: i64) -> Expr {
        // Each builder has its own placeholders for the expressions.
        let bucket = match self.db().get_database_backend() {
            DbBackend::Postgres => "(CAST(FLOOR(EXTRACT(EPOCH FROM $1)) AS BIGINT) - $2) / $3",
            DbBackend::MySql => "(UNIX_TIMESTAMP(?) - ?) DIV ?",
            _ => "(CAST(strftime('%s', ?) AS INTEGER) - ?) / ?",
        };
        Expr::cust_with_exprs(
            bucket,
            [
                Expr::col(CustomGraphData::Time),
                Expr::val(from.timestamp()),
                Expr::val(seconds),
            ],
        )
    }
}
