//! Latency histograms per local day and all time instead of per hour, and all-time requests per
//! status code: the views read a few thousand rows instead of millions (an hour × 200 buckets
//! per endpoint added up quickly). Existing hourly buckets are carried over, each hour counted
//! on its UTC day.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m0001_initial;
use crate::schema::{Endpoint, LatencyDay, LatencyTotal, StatusTotal, Table, Tables};

/// Creates `{prefix}latency_day`, `{prefix}latency_total` and `{prefix}status_total`, and drops
/// `{prefix}rollup_bucket`.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn name(&self, table: Table) -> String {
        format!("{}{}", self.tables.prefix(), table.base_name())
    }

    fn foreign_key(&self, table: Table, column: impl IntoIden) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(self.tables.name(table), column)
            .to(self.tables.name(Table::Endpoint), Endpoint::Id)
            .on_delete(ForeignKeyAction::Cascade)
            .to_owned()
    }

    fn latency_day(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::LatencyDay))
            .if_not_exists()
            .col(ColumnDef::new(LatencyDay::EndpointId).integer().not_null())
            .col(ColumnDef::new(LatencyDay::Day).date().not_null())
            .col(ColumnDef::new(LatencyDay::Version).string().not_null())
            .col(ColumnDef::new(LatencyDay::Bucket).integer().not_null())
            .col(ColumnDef::new(LatencyDay::Count).big_integer().not_null())
            .primary_key(
                Index::create()
                    .col(LatencyDay::EndpointId)
                    .col(LatencyDay::Day)
                    .col(LatencyDay::Version)
                    .col(LatencyDay::Bucket),
            )
            .foreign_key(&mut self.foreign_key(Table::LatencyDay, LatencyDay::EndpointId))
            .to_owned()
    }

    fn latency_total(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::LatencyTotal))
            .if_not_exists()
            .col(
                ColumnDef::new(LatencyTotal::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(LatencyTotal::Bucket).integer().not_null())
            .col(ColumnDef::new(LatencyTotal::Count).big_integer().not_null())
            .primary_key(
                Index::create()
                    .col(LatencyTotal::EndpointId)
                    .col(LatencyTotal::Bucket),
            )
            .foreign_key(&mut self.foreign_key(Table::LatencyTotal, LatencyTotal::EndpointId))
            .to_owned()
    }

    fn status_total(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::StatusTotal))
            .if_not_exists()
            .col(ColumnDef::new(StatusTotal::EndpointId).integer().not_null())
            .col(
                ColumnDef::new(StatusTotal::StatusCode)
                    .small_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(StatusTotal::Hits).big_integer().not_null())
            .primary_key(
                Index::create()
                    .col(StatusTotal::EndpointId)
                    .col(StatusTotal::StatusCode),
            )
            .foreign_key(&mut self.foreign_key(Table::StatusTotal, StatusTotal::EndpointId))
            .to_owned()
    }

    /// Copies the hourly buckets and totals into the new tables.
    async fn carry_over(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let day = match manager.get_database_backend() {
            DbBackend::Postgres => "(hour AT TIME ZONE 'UTC')::date",
            // MySQL databases start at this release's schema: nothing to carry over.
            DbBackend::MySql => return Ok(()),
            _ => "substr(hour, 1, 10)",
        };
        let (hourly, daily, total, rollup, statuses) = (
            self.name(Table::RollupBucket),
            self.name(Table::LatencyDay),
            self.name(Table::LatencyTotal),
            self.name(Table::Rollup),
            self.name(Table::StatusTotal),
        );
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&format!(
                "INSERT INTO \"{daily}\" (endpoint_id, day, version, bucket, count) \
                 SELECT endpoint_id, {day}, version, bucket, SUM(count) FROM \"{hourly}\" \
                 GROUP BY endpoint_id, {day}, version, bucket"
            ))
            .await?;
        connection
            .execute_unprepared(&format!(
                "INSERT INTO \"{total}\" (endpoint_id, bucket, count) \
                 SELECT endpoint_id, bucket, SUM(count) FROM \"{hourly}\" \
                 GROUP BY endpoint_id, bucket"
            ))
            .await?;
        connection
            .execute_unprepared(&format!(
                "INSERT INTO \"{statuses}\" (endpoint_id, status_code, hits) \
                 SELECT endpoint_id, status_code, SUM(hits) FROM \"{rollup}\" \
                 GROUP BY endpoint_id, status_code"
            ))
            .await?;
        Ok(())
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_daily_latency"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(self.latency_day()).await?;
        manager.create_table(self.latency_total()).await?;
        manager.create_table(self.status_total()).await?;
        manager
            .create_index(
                Index::create()
                    .name(self.tables.index("latency_day_day"))
                    .table(self.tables.name(Table::LatencyDay))
                    .col(LatencyDay::Day)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        self.carry_over(manager).await?;
        manager
            .drop_table(
                sea_query::Table::drop()
                    .table(self.tables.name(Table::RollupBucket))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(m0001_initial::Migration::new(self.tables.clone()).rollup_bucket_table())
            .await?;
        for table in [Table::StatusTotal, Table::LatencyTotal, Table::LatencyDay] {
            manager
                .drop_table(
                    sea_query::Table::drop()
                        .table(self.tables.name(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
