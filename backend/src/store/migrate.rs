//! Migrations that are safe when several processes start at once: the dashboard's tables and
//! those of Apalis, which holds the scheduled jobs.

use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use dashboard_migration::sea_orm_migration::MigratorTraitSelf;
use dashboard_migration::{Migrator, Tables};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use super::DatabaseError;

/// How long a process waits for another's migrations on MySQL, in seconds.
const MYSQL_LOCK_WAIT_SECONDS: u32 = 600;

/// An arbitrary constant that names the dashboard's PostgreSQL advisory lock.
const POSTGRES_LOCK_KEY: i64 = 0x6461_7368_626f_6172;

/// Runs the pending migrations inside one transaction that first takes a database-wide lock
/// (PostgreSQL: an advisory lock; SQLite: the write lock), so a second process waits and then
/// finds nothing left to do.
pub(super) async fn migrate(db: &DatabaseConnection, tables: &Tables) -> Result<(), DatabaseError> {
    let lock_table = format!("{}migration_lock", tables.prefix());
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared(&format!(
            "CREATE TABLE IF NOT EXISTS \"{lock_table}\" (id INTEGER PRIMARY KEY)"
        ))
        .await?;
    }
    let txn = db.begin().await?;
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            txn.execute_unprepared(&format!(
                "SELECT pg_advisory_xact_lock({POSTGRES_LOCK_KEY})"
            ))
            .await?;
        }
        DbBackend::MySql => {
            // MySQL commits at every DDL statement, so the transaction cannot hold the lock: a
            // named lock of the session does, until it is released below. The name comes from
            // the checked `TABLE_PREFIX`.
            txn.execute_unprepared(&format!(
                "SELECT GET_LOCK('{lock_table}', {MYSQL_LOCK_WAIT_SECONDS})"
            ))
            .await?;
        }
        _ => {
            txn.execute_unprepared(&format!(
                "INSERT OR REPLACE INTO \"{lock_table}\" (id) VALUES (1)"
            ))
            .await?;
        }
    }
    let migrated = Migrator::new(tables.prefix()).up(&txn, None).await;
    if txn.get_database_backend() == DbBackend::MySql {
        txn.execute_unprepared(&format!("SELECT RELEASE_LOCK('{lock_table}')"))
            .await?;
    }
    migrated?;
    txn.commit().await?;
    migrate_jobs(db, &lock_table).await
}

/// Apalis's tables (`Jobs` and `Workers` on SQLite, the `apalis` schema on PostgreSQL). sqlx's
/// migrator takes an advisory lock on PostgreSQL but none on SQLite, so there it runs inside a
/// transaction holding the write lock (its own transactions become savepoints). Not
/// `SqliteStorage::setup`: that would also turn off `synchronous` on a connection of the pool.
async fn migrate_jobs(db: &DatabaseConnection, lock_table: &str) -> Result<(), DatabaseError> {
    match db.get_database_backend() {
        // The jobs claim their ticks in the dashboard's own `job_claim` table.
        DbBackend::MySql => Ok(()),
        DbBackend::Postgres => PostgresStorage::migrations()
            .run(db.get_postgres_connection_pool())
            .await
            .map_err(jobs_error),
        _ => {
            let mut txn = db
                .get_sqlite_connection_pool()
                .begin()
                .await
                .map_err(jobs_error)?;
            // The lock table's name comes from the checked `TABLE_PREFIX`.
            sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(format!(
                "INSERT OR REPLACE INTO \"{lock_table}\" (id) VALUES (1)"
            )))
            .execute(&mut *txn)
            .await
            .map_err(jobs_error)?;
            SqliteStorage::<()>::migrations()
                .run(&mut *txn)
                .await
                .map_err(jobs_error)?;
            txn.commit().await.map_err(jobs_error)
        }
    }
}

/// A failure of Apalis's migrations.
fn jobs_error(error: impl std::fmt::Display) -> DatabaseError {
    DatabaseError::Jobs(error.to_string())
}
