//! Migrations that are safe when several processes start at once.

use dashboard_migration::sea_orm_migration::MigratorTraitSelf;
use dashboard_migration::{Migrator, Tables};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use super::DatabaseError;

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
        _ => {
            txn.execute_unprepared(&format!(
                "INSERT OR REPLACE INTO \"{lock_table}\" (id) VALUES (1)"
            ))
            .await?;
        }
    }
    Migrator::new(tables.prefix()).up(&txn, None).await?;
    txn.commit().await?;
    Ok(())
}
