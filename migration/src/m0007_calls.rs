//! What requests wait on: per-request counts and times of database statements and outgoing HTTP
//! calls, the statements' fingerprints and the upstreams, their daily rollups with latency
//! histograms, the calls of requests shown one by one, and slow-call samples.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DynIden;

use crate::schema::{
    Dependency, DependencyDay, DependencyLatency, Endpoint, ExceptionGroup, Outlier, Request,
    RequestDependency, SlowCall, Table, Tables,
};

/// Adds the four counters to `{prefix}request`, the statements and calls made so far to
/// `{prefix}outlier` (`calls`) and `{prefix}exception_group` (`latest_calls`), and creates
/// `{prefix}dependency`,
/// `{prefix}dependency_day`, `{prefix}dependency_latency`, `{prefix}request_dependency` and
/// `{prefix}slow_call` with their indexes.
pub(crate) struct Migration {
    tables: Tables,
}

/// The counters added to every request row (0 for the rows before this migration).
const REQUEST_COUNTERS: [Request; 4] = [
    Request::QueryCount,
    Request::QueryUs,
    Request::CallCount,
    Request::CallUs,
];

/// The JSON lists of statements and calls added to the incidents' tables (empty for the rows
/// before this migration).
fn call_lists() -> [(Table, DynIden); 2] {
    [
        (Table::Outlier, Outlier::Calls.into_iden()),
        (
            Table::ExceptionGroup,
            ExceptionGroup::LatestCalls.into_iden(),
        ),
    ]
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn foreign_key(
        &self,
        from: (Table, impl IntoIden),
        to: (Table, impl IntoIden),
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(self.tables.name(from.0), from.1)
            .to(self.tables.name(to.0), to.1)
            .on_delete(ForeignKeyAction::Cascade)
            .to_owned()
    }

    fn dependency(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::Dependency))
            .if_not_exists()
            .col(
                ColumnDef::new(Dependency::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Dependency::Kind).small_integer().not_null())
            .col(ColumnDef::new(Dependency::System).string().not_null())
            .col(ColumnDef::new(Dependency::Operation).string().not_null())
            .col(ColumnDef::new(Dependency::Name).text().not_null())
            .col(
                ColumnDef::new(Dependency::Hash)
                    .big_integer()
                    .not_null()
                    .unique_key(),
            )
            .to_owned()
    }

    fn dependency_day(&self) -> TableCreateStatement {
        let mut table = sea_query::Table::create();
        table
            .table(self.tables.name(Table::DependencyDay))
            .if_not_exists()
            .col(
                ColumnDef::new(DependencyDay::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(DependencyDay::Day).date().not_null())
            .col(
                ColumnDef::new(DependencyDay::DependencyId)
                    .integer()
                    .not_null(),
            );
        for counter in DependencyDay::COUNTERS {
            table.col(ColumnDef::new(counter).big_integer().not_null().default(0));
        }
        table
            .primary_key(
                Index::create()
                    .col(DependencyDay::EndpointId)
                    .col(DependencyDay::Day)
                    .col(DependencyDay::DependencyId),
            )
            .foreign_key(&mut self.foreign_key(
                (Table::DependencyDay, DependencyDay::EndpointId),
                (Table::Endpoint, Endpoint::Id),
            ))
            .foreign_key(&mut self.foreign_key(
                (Table::DependencyDay, DependencyDay::DependencyId),
                (Table::Dependency, Dependency::Id),
            ))
            .to_owned()
    }

    fn dependency_latency(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::DependencyLatency))
            .if_not_exists()
            .col(
                ColumnDef::new(DependencyLatency::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(DependencyLatency::Day).date().not_null())
            .col(
                ColumnDef::new(DependencyLatency::DependencyId)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(DependencyLatency::Bucket)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(DependencyLatency::Count)
                    .big_integer()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(DependencyLatency::EndpointId)
                    .col(DependencyLatency::Day)
                    .col(DependencyLatency::DependencyId)
                    .col(DependencyLatency::Bucket),
            )
            .foreign_key(&mut self.foreign_key(
                (Table::DependencyLatency, DependencyLatency::EndpointId),
                (Table::Endpoint, Endpoint::Id),
            ))
            .foreign_key(&mut self.foreign_key(
                (Table::DependencyLatency, DependencyLatency::DependencyId),
                (Table::Dependency, Dependency::Id),
            ))
            .to_owned()
    }

    fn request_dependency(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::RequestDependency))
            .if_not_exists()
            .col(
                ColumnDef::new(RequestDependency::RequestId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RequestDependency::DependencyId)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RequestDependency::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RequestDependency::Calls)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RequestDependency::TotalUs)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RequestDependency::NPlusOne)
                    .small_integer()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(RequestDependency::RequestId)
                    .col(RequestDependency::DependencyId),
            )
            .foreign_key(&mut self.foreign_key(
                (Table::RequestDependency, RequestDependency::RequestId),
                (Table::Request, Request::Id),
            ))
            .foreign_key(&mut self.foreign_key(
                (Table::RequestDependency, RequestDependency::DependencyId),
                (Table::Dependency, Dependency::Id),
            ))
            .to_owned()
    }

    fn slow_call(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::SlowCall))
            .if_not_exists()
            .col(
                ColumnDef::new(SlowCall::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(SlowCall::RequestId).big_integer().not_null())
            .col(ColumnDef::new(SlowCall::EndpointId).integer().not_null())
            .col(ColumnDef::new(SlowCall::DependencyId).integer().not_null())
            .col(ColumnDef::new(SlowCall::TimeUs).big_integer().not_null())
            .col(
                ColumnDef::new(SlowCall::DurationUs)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(SlowCall::Rows).big_integer())
            .col(ColumnDef::new(SlowCall::StatusCode).integer())
            .col(ColumnDef::new(SlowCall::Stack).text().not_null())
            .foreign_key(&mut self.foreign_key(
                (Table::SlowCall, SlowCall::RequestId),
                (Table::Request, Request::Id),
            ))
            .foreign_key(&mut self.foreign_key(
                (Table::SlowCall, SlowCall::DependencyId),
                (Table::Dependency, Dependency::Id),
            ))
            .to_owned()
    }

    fn indexes(&self) -> [IndexCreateStatement; 4] {
        let index = |name: &str, table: Table| {
            Index::create()
                .name(self.tables.index(name))
                .table(self.tables.name(table))
                .if_not_exists()
                .to_owned()
        };
        [
            index("dependency_day_day", Table::DependencyDay)
                .col(DependencyDay::Day)
                .to_owned(),
            index("dependency_latency_day", Table::DependencyLatency)
                .col(DependencyLatency::Day)
                .to_owned(),
            index("request_dependency_endpoint", Table::RequestDependency)
                .col(RequestDependency::EndpointId)
                .col(RequestDependency::NPlusOne)
                .col(RequestDependency::RequestId)
                .to_owned(),
            index("slow_call_endpoint_time", Table::SlowCall)
                .col(SlowCall::EndpointId)
                .col(SlowCall::TimeUs)
                .to_owned(),
        ]
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_calls"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for counter in REQUEST_COUNTERS {
            // One column per statement: SQLite adds one at a time.
            manager
                .alter_table(
                    sea_query::Table::alter()
                        .table(self.tables.name(Table::Request))
                        .add_column(ColumnDef::new(counter).big_integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        for (table, column) in call_lists() {
            manager
                .alter_table(
                    sea_query::Table::alter()
                        .table(self.tables.name(table))
                        .add_column(ColumnDef::new(column).text().not_null().default("[]"))
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            self.dependency(),
            self.dependency_day(),
            self.dependency_latency(),
            self.request_dependency(),
            self.slow_call(),
        ] {
            manager.create_table(table).await?;
        }
        for index in self.indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Table::SlowCall,
            Table::RequestDependency,
            Table::DependencyLatency,
            Table::DependencyDay,
            Table::Dependency,
        ] {
            manager
                .drop_table(
                    sea_query::Table::drop()
                        .table(self.tables.name(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        for counter in REQUEST_COUNTERS {
            manager
                .alter_table(
                    sea_query::Table::alter()
                        .table(self.tables.name(Table::Request))
                        .drop_column(counter)
                        .to_owned(),
                )
                .await?;
        }
        for (table, column) in call_lists() {
            manager
                .alter_table(
                    sea_query::Table::alter()
                        .table(self.tables.name(table))
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
