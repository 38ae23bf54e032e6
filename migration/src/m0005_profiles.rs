//! Profiles (level 3): a row per profiled request, so that an endpoint's profiles are found by an
//! index instead of by scanning every stack line, and the exact wall time of each stack line
//! beside its sampled duration.

use sea_orm_migration::prelude::*;

use crate::schema::{Endpoint, Profile, Request, StackLine, Table, Tables};

/// Creates `{prefix}profile` with its index `{prefix}profile_endpoint_request`, and adds
/// `wall_ms` to `{prefix}stack_line`.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn foreign_key(
        &self,
        column: Profile,
        to: (Table, impl IntoIden),
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(self.tables.name(Table::Profile), column)
            .to(self.tables.name(to.0), to.1)
            .on_delete(ForeignKeyAction::Cascade)
            .to_owned()
    }

    fn profile_table(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::Profile))
            .if_not_exists()
            .col(
                ColumnDef::new(Profile::RequestId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(Profile::EndpointId).integer().not_null())
            .col(ColumnDef::new(Profile::Samples).big_integer().not_null())
            .col(
                ColumnDef::new(Profile::SamplingPeriodMs)
                    .big_integer()
                    .not_null(),
            )
            .foreign_key(&mut self.foreign_key(Profile::RequestId, (Table::Request, Request::Id)))
            .foreign_key(
                &mut self.foreign_key(Profile::EndpointId, (Table::Endpoint, Endpoint::Id)),
            )
            .to_owned()
    }

    fn profile_index(&self) -> IndexCreateStatement {
        Index::create()
            .name(self.tables.index("profile_endpoint_request"))
            .table(self.tables.name(Table::Profile))
            .col(Profile::EndpointId)
            .col(Profile::RequestId)
            .if_not_exists()
            .to_owned()
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_profiles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(self.profile_table()).await?;
        manager.create_index(self.profile_index()).await?;
        manager
            .alter_table(
                sea_query::Table::alter()
                    .table(self.tables.name(Table::StackLine))
                    .add_column(
                        ColumnDef::new(StackLine::WallMs)
                            .double()
                            .not_null()
                            .default(0.0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                sea_query::Table::alter()
                    .table(self.tables.name(Table::StackLine))
                    .drop_column(StackLine::WallMs)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                sea_query::Table::drop()
                    .table(self.tables.name(Table::Profile))
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
