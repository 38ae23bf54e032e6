//! Database migrations of axum-monitoring-dashboard.
//!
//! Every table and index name carries the configured `TABLE_PREFIX`, the migration bookkeeping
//! table included (`{prefix}migrations`), so the dashboard can share a database with the
//! application it monitors.

mod m0001_initial;
mod m0002_error_requests;
mod m0003_daily_latency;
mod m0004_covering_request_index;
mod m0005_profiles;
mod m0006_compact_requests;
mod m0007_calls;
mod m0008_instances;
mod m0009_alerts;
pub mod schema;

pub use sea_orm_migration;

use sea_orm_migration::MigratorTraitSelf;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DynIden;

pub use schema::Tables;

/// Drops the index `name` of `table`, if it is there (MySQL has no `IF EXISTS` for indexes; its
/// databases start at this release's schema, so there the index always is).
async fn drop_index(manager: &SchemaManager<'_>, name: String, table: Alias) -> Result<(), DbErr> {
    let mut drop = Index::drop();
    drop.name(name).table(table);
    if manager.get_database_backend() != sea_orm_migration::sea_orm::DatabaseBackend::MySql {
        drop.if_exists();
    }
    manager.drop_index(drop).await
}

/// Limits `index` to the rows of failed requests (`status >= 400` in `status`): a partial index
/// on SQLite and PostgreSQL; MySQL has none, so there it covers every row.
fn only_errors(
    index: &mut IndexCreateStatement,
    manager: &SchemaManager<'_>,
    status: impl IntoIden,
) {
    if manager.get_database_backend() != sea_orm_migration::sea_orm::DatabaseBackend::MySql {
        index.and_where(Expr::col(status.into_iden()).gte(400));
    }
}

/// Runs the dashboard's migrations for one table prefix.
///
/// ```no_run
/// # async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), sea_orm_migration::DbErr> {
/// use dashboard_migration::{Migrator, sea_orm_migration::MigratorTraitSelf};
/// Migrator::new("dashboard_").up(db, None).await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Migrator {
    tables: Tables,
}

impl Migrator {
    /// A migrator for the tables named `{prefix}endpoint`, `{prefix}request`, …
    pub fn new(prefix: impl Into<String>) -> Self {
        Migrator {
            tables: Tables::new(prefix),
        }
    }
}

#[async_trait::async_trait]
impl MigratorTraitSelf for Migrator {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration::new(self.tables.clone())),
            Box::new(m0002_error_requests::Migration::new(self.tables.clone())),
            Box::new(m0003_daily_latency::Migration::new(self.tables.clone())),
            Box::new(m0004_covering_request_index::Migration::new(
                self.tables.clone(),
            )),
            Box::new(m0005_profiles::Migration::new(self.tables.clone())),
            Box::new(m0006_compact_requests::Migration::new(self.tables.clone())),
            Box::new(m0007_calls::Migration::new(self.tables.clone())),
            Box::new(m0008_instances::Migration::new(self.tables.clone())),
            Box::new(m0009_alerts::Migration::new(self.tables.clone())),
        ]
    }

    fn migration_table_name(&self) -> DynIden {
        self.tables.migrations().into_iden()
    }
}
