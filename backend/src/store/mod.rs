//! Storage: the connection, the migrations, and the queries grouped by what they serve.
//!
//! Tables carry the configured `TABLE_PREFIX`, which SeaORM's compile-time entity names cannot,
//! so statements are built with `sea_query` against [`Tables`] and read into `FromQueryResult`
//! models.

pub(crate) mod alerts;
pub(crate) mod calls;
mod connect;
pub(crate) mod database;
pub(crate) mod endpoint;
pub(crate) mod export;
pub(crate) mod graphs;
pub(crate) mod incidents;
pub(crate) mod instances;
pub(crate) mod labels;
pub(crate) mod levels;
pub(crate) mod load;
pub(crate) mod logins;
mod migrate;
pub(crate) mod overview;
pub(crate) mod profiles;
pub(crate) mod reports;
pub(crate) mod retention;
pub(crate) mod settings;
pub(crate) mod users;
pub(crate) mod writes;

use dashboard_migration::Tables;
use dashboard_migration::schema::Table;
use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Alias;

pub use connect::DatabaseError;
use connect::PoolSize;

/// The dashboard's database: a pooled connection and the prefixed table names, and the
/// instance its reads are about (all when `None`).
#[derive(Debug, Clone)]
pub(crate) struct Store {
    db: DatabaseConnection,
    tables: Tables,
    instance: Option<instances::InstanceId>,
}

impl Store {
    /// Connects to `url` (SQLAlchemy-style URLs of the reference are accepted) and brings the
    /// schema up to date; safe when several processes start at once.
    pub(crate) async fn open(url: &str, prefix: &str) -> Result<Store, DatabaseError> {
        let db = connect::connect(url, PoolSize::Shared).await?;
        let tables = Tables::new(prefix);
        migrate::migrate(&db, &tables).await?;
        Ok(Store {
            db,
            tables,
            instance: None,
        })
    }

    /// A store in a fresh SQLite file in `dir` (prefix `t_`), for the store's unit tests.
    #[cfg(test)]
    pub(crate) async fn in_dir(dir: &tempfile::TempDir) -> Store {
        let url = format!("sqlite:///{}", dir.path().join("d.db").display());
        Store::open(&url, "t_")
            .await
            .unwrap_or_else(|error| panic!("opening {url}: {error}"))
    }

    /// [`Store::open`], and a second pool of its own for the writer (see [`Store::own_pool`]),
    /// connected before migrating: on SQLite, connecting while another process migrates would
    /// meet its lock.
    pub(crate) async fn open_with_writer(
        url: &str,
        prefix: &str,
    ) -> Result<(Store, Store), DatabaseError> {
        let writer = Store {
            db: connect::connect(url, PoolSize::Writer).await?,
            tables: Tables::new(prefix),
            instance: None,
        };
        Ok((Store::open(url, prefix).await?, writer))
    }

    /// The same database through a pool of its own, for the writer: API requests and jobs
    /// that hold every connection of the shared pool cannot stop collection.
    pub(crate) async fn own_pool(&self, url: &str) -> Result<Store, DatabaseError> {
        Ok(Store {
            db: connect::connect(url, PoolSize::Writer).await?,
            tables: self.tables.clone(),
            instance: None,
        })
    }

    /// The same store, whose reads of the rollups (and of request rows where they say so) are
    /// about one instance when `instance` is given.
    pub(crate) fn scoped(&self, instance: Option<i64>) -> Store {
        Store {
            instance: instance
                .and_then(|id| i32::try_from(id).ok())
                .map(instances::InstanceId),
            ..self.clone()
        }
    }

    /// Limits `select` to the store's instance, if it has one, by `column` (an `instance_id`).
    pub(crate) fn only_instance(
        &self,
        select: &mut sea_orm::sea_query::SelectStatement,
        column: impl sea_orm::sea_query::IntoColumnRef,
    ) {
        use sea_orm::sea_query::{Expr, ExprTrait};
        if let Some(instance) = self.instance {
            select.and_where(Expr::col(column).eq(instance.0));
        }
    }

    /// Whether the database answers.
    pub(crate) async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.db.ping().await
    }

    /// The pooled connection.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// `sqlite` or `postgresql`.
    pub(crate) fn backend_name(&self) -> &'static str {
        match sea_orm::ConnectionTrait::get_database_backend(&self.db) {
            sea_orm::DbBackend::Postgres => "postgresql",
            sea_orm::DbBackend::MySql => "mysql",
            _ => "sqlite",
        }
    }

    /// The rows of a select, read into `T`.
    pub(crate) async fn fetch<T: sea_orm::FromQueryResult>(
        &self,
        select: &sea_orm::sea_query::SelectStatement,
    ) -> Result<Vec<T>, sea_orm::DbErr> {
        sea_orm::ConnectionTrait::query_all(&self.db, select)
            .await?
            .iter()
            .map(|row| T::from_query_result(row, ""))
            .collect()
    }

    /// The number a select of one column `total` (a `COUNT` or a `SUM`) answers; 0 for no row
    /// or NULL.
    pub(crate) async fn total(
        &self,
        select: &sea_orm::sea_query::SelectStatement,
    ) -> Result<u64, sea_orm::DbErr> {
        let rows: Vec<Total> = self.fetch(select).await?;
        Ok(rows
            .first()
            .and_then(|row| row.total)
            .and_then(|total| u64::try_from(total).ok())
            .unwrap_or(0))
    }

    /// Runs `insert`, which does nothing on a conflict, then reads `column` of the row `select`
    /// finds: the stored value whether this call or an earlier one (or another process racing
    /// it) inserted it. `what` names the row in the error when there is none.
    pub(crate) async fn insert_or_read<T: sea_orm::TryGetable>(
        &self,
        insert: &sea_orm::sea_query::InsertStatement,
        select: &sea_orm::sea_query::SelectStatement,
        column: &str,
        what: &str,
    ) -> Result<T, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait;
        self.db.execute(insert).await?;
        let row = self
            .db
            .query_one(select)
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound(what.to_owned()))?;
        row.try_get("", column)
    }

    /// Runs `insert` of one row with a unique key: `false` when the key is taken. A plain insert
    /// whose duplicate is an error, because MySQL counts a row its `ON DUPLICATE KEY` left alone
    /// as affected: the one way to learn, on every database, which process got there first.
    pub(crate) async fn insert_unless_taken(
        &self,
        insert: &sea_orm::sea_query::InsertStatement,
    ) -> Result<bool, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait;
        match self.db.execute(insert).await {
            Ok(_) => Ok(true),
            Err(error)
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// Runs `insert` of one row and answers its new `id` (`RETURNING` where the database has
    /// it, the insert id on MySQL and SQLite).
    pub(crate) async fn insert_with_id(
        &self,
        mut insert: sea_orm::sea_query::InsertStatement,
    ) -> Result<i64, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait;
        if self.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            insert.returning_col(Alias::new("id"));
            let row = self
                .db
                .query_one(&insert)
                .await?
                .ok_or(sea_orm::DbErr::RecordNotInserted)?;
            return row
                .try_get::<i64>("", "id")
                .or_else(|_| row.try_get::<i32>("", "id").map(i64::from));
        }
        let inserted = self.db.execute(&insert).await?;
        i64::try_from(inserted.last_insert_id()).map_err(|_| sea_orm::DbErr::RecordNotInserted)
    }

    /// The prefixed name of a table.
    pub(crate) fn table(&self, table: Table) -> Alias {
        self.tables.name(table)
    }

    /// `CAST(value AS BIGINT)` (`SIGNED` on MySQL): a whole number however the database would
    /// type the expression.
    pub(crate) fn integer(
        &self,
        value: impl Into<sea_orm::sea_query::Expr>,
    ) -> sea_orm::sea_query::Expr {
        self.cast(value, "BIGINT")
    }

    /// `CAST(value AS INTEGER)` (`SIGNED` on MySQL), for columns read as `i32`.
    pub(crate) fn integer32(
        &self,
        value: impl Into<sea_orm::sea_query::Expr>,
    ) -> sea_orm::sea_query::Expr {
        self.cast(value, "INTEGER")
    }

    /// `CAST(value AS whole)`, or `AS SIGNED` on MySQL, which knows no other integer type there.
    fn cast(
        &self,
        value: impl Into<sea_orm::sea_query::Expr>,
        whole: &'static str,
    ) -> sea_orm::sea_query::Expr {
        use sea_orm::sea_query::Func;
        let whole = if self.is_mysql() { "SIGNED" } else { whole };
        Func::cast_as(value.into(), Alias::new(whole)).into()
    }

    /// `CAST(SUM(value) AS BIGINT)`: PostgreSQL sums BIGINTs as NUMERIC, MySQL as DECIMAL.
    pub(crate) fn sum(
        &self,
        value: impl Into<sea_orm::sea_query::Expr>,
    ) -> sea_orm::sea_query::Expr {
        self.integer(sea_orm::sea_query::Func::sum(value.into()))
    }

    /// Whether the database is MySQL (or MariaDB), whose SQL differs in a few places.
    pub(crate) fn is_mysql(&self) -> bool {
        sea_orm::ConnectionTrait::get_database_backend(&self.db) == sea_orm::DbBackend::MySql
    }

    /// In an upsert's update, the value the conflicting row would have inserted into `column`:
    /// `excluded.column`, on MySQL `VALUES(column)`.
    pub(crate) fn excluded(
        &self,
        column: impl sea_orm::sea_query::IntoIden,
    ) -> sea_orm::sea_query::Expr {
        use sea_orm::sea_query::{Expr, Func};
        let column = column.into_iden();
        if self.is_mysql() {
            Func::cust("VALUES").arg(Expr::col(column)).into()
        } else {
            Expr::col((Alias::new("excluded"), column))
        }
    }
}

/// The one value of a `COUNT` or `SUM`.
#[derive(sea_orm::FromQueryResult)]
struct Total {
    total: Option<i64>,
}

/// A duration in milliseconds as the whole microseconds a request row stores.
pub(crate) fn micros_of_ms(duration_ms: f64) -> i64 {
    (duration_ms * 1000.0).round() as i64
}

/// A duration a request row stores (whole microseconds) in milliseconds.
pub(crate) fn ms_of_micros(duration_us: i64) -> f64 {
    duration_us as f64 / 1000.0
}

/// A time a request row stores (microseconds since 1970 UTC).
pub(crate) fn time_of_micros(time_us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(time_us).unwrap_or_default()
}
