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
pub mod schema;

pub use sea_orm_migration;

use sea_orm_migration::MigratorTraitSelf;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DynIden;

pub use schema::Tables;

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
        ]
    }

    fn migration_table_name(&self) -> DynIden {
        self.tables.migrations().into_iden()
    }
}
