//! The size of the dashboard's database and of each of its tables.

use std::collections::HashMap;

use dashboard_migration::schema::Table;
use dashboard_shared::TableSize;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

use super::Store;

#[derive(FromQueryResult)]
struct Bytes {
    bytes: Option<i64>,
}

#[derive(FromQueryResult)]
struct TableBytes {
    name: String,
    bytes: i64,
}

#[derive(FromQueryResult)]
struct DatabaseFile {
    file: Option<String>,
}

impl Store {
    /// Every dashboard table with its rows and bytes (indexes included), largest first.
    pub(crate) async fn table_sizes(&self) -> Result<Vec<TableSize>, DbErr> {
        let bytes = self.bytes_per_table().await;
        let mut sizes = Vec::new();
        for table in Table::current() {
            let name = self.tables.name(table).0;
            let rows = self
                .total(
                    &Query::select()
                        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("total"))
                        .from(self.table(table))
                        .to_owned(),
                )
                .await?;
            sizes.push(TableSize {
                bytes: bytes.get(&name).copied(),
                name,
                rows,
            });
        }
        sizes.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(b.rows.cmp(&a.rows)));
        Ok(sizes)
    }

    /// Bytes per table name, indexes included; empty where the database cannot tell.
    async fn bytes_per_table(&self) -> HashMap<String, u64> {
        let (backend, sql) = match self.db().get_database_backend() {
            DbBackend::Postgres => (
                DbBackend::Postgres,
                "SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind = 'r' AND n.nspname = current_schema()",
            ),
            backend => (
                backend,
                // `dbstat` counts pages per table and per index; an index belongs to its table.
                "SELECT m.tbl_name AS name, CAST(SUM(s.pgsize) AS BIGINT) AS bytes \
                 FROM dbstat s JOIN sqlite_master m ON m.name = s.name \
                 WHERE s.aggregate = FALSE OR s.aggregate IS NULL GROUP BY m.tbl_name",
            ),
        };
        match self
            .db()
            .query_all_raw(Statement::from_string(backend, sql))
            .await
        {
            Ok(rows) => rows
                .iter()
                .filter_map(|row| TableBytes::from_query_result(row, "").ok())
                .map(|row| (row.name, u64::try_from(row.bytes).unwrap_or(0)))
                .collect(),
            Err(error) => {
                tracing::debug!(%error, "the database does not tell the size of its tables");
                HashMap::new()
            }
        }
    }

    /// Bytes of the whole database: the SQLite file and its write-ahead log, or PostgreSQL's
    /// `pg_database_size`. `None` for an in-memory database.
    pub(crate) async fn database_bytes(&self) -> Result<Option<u64>, DbErr> {
        match self.db().get_database_backend() {
            DbBackend::Postgres => {
                let row = self
                    .db()
                    .query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT pg_database_size(current_database()) AS bytes",
                    ))
                    .await?;
                Ok(row
                    .and_then(|row| Bytes::from_query_result(&row, "").ok())
                    .and_then(|row| row.bytes)
                    .and_then(|bytes| u64::try_from(bytes).ok()))
            }
            backend => {
                let row = self
                    .db()
                    .query_one_raw(Statement::from_string(
                        backend,
                        "SELECT file FROM pragma_database_list WHERE name = 'main'",
                    ))
                    .await?;
                let file = row
                    .and_then(|row| DatabaseFile::from_query_result(&row, "").ok())
                    .and_then(|row| row.file)
                    .filter(|file| !file.is_empty());
                Ok(file.map(|file| {
                    let size = |path: &str| std::fs::metadata(path).map_or(0, |meta| meta.len());
                    size(&file) + size(&format!("{file}-wal"))
                }))
            }
        }
    }
}
