//! Custom graphs: their rows, created once by title, and their values.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{CustomGraph, CustomGraphData, Table};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

/// A custom graph's row.
#[derive(Debug, FromQueryResult)]
pub(crate) struct GraphRow {
    pub(crate) id: i32,
    pub(crate) title: String,
    pub(crate) time_added: DateTime<Utc>,
    pub(crate) version_added: String,
}

/// One stored value.
#[derive(Debug, FromQueryResult)]
pub(crate) struct GraphPoint {
    pub(crate) time: DateTime<Utc>,
    pub(crate) value: f64,
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
                    .do_nothing()
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

    /// A graph's values in `[from, to)`, oldest first.
    pub(crate) async fn graph_points(
        &self,
        graph: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<GraphPoint>, DbErr> {
        self.fetch(
            &Query::select()
                .columns([CustomGraphData::Time, CustomGraphData::Value])
                .from(self.table(Table::CustomGraphData))
                .and_where(Expr::col(CustomGraphData::GraphId).eq(graph))
                .and_where(Expr::col(CustomGraphData::Time).gte(from))
                .and_where(Expr::col(CustomGraphData::Time).lt(to))
                .order_by(CustomGraphData::Time, Order::Asc)
                .to_owned(),
        )
        .await
    }
}
