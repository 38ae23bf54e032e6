//! The whole schema the dashboard's features need, created at once.

use sea_orm_migration::prelude::*;

use crate::schema::{self, Table, Tables};

/// Creates every table and index.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn table(&self, table: Table) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(table))
            .if_not_exists()
            .to_owned()
    }

    fn index(&self, name: &str, table: Table) -> IndexCreateStatement {
        Index::create()
            .name(self.tables.index(name))
            .table(self.tables.name(table))
            .if_not_exists()
            .to_owned()
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

    /// The hourly latency buckets, which `m0003_daily_latency` replaces (and its `down` brings
    /// back).
    pub(crate) fn rollup_bucket_table(&self) -> TableCreateStatement {
        use schema::*;
        self.table(Table::RollupBucket)
            .col(
                ColumnDef::new(RollupBucket::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RollupBucket::Hour)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(RollupBucket::Version).string().not_null())
            .col(
                ColumnDef::new(RollupBucket::StatusCode)
                    .small_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(RollupBucket::Bucket).integer().not_null())
            .col(ColumnDef::new(RollupBucket::Count).big_integer().not_null())
            .primary_key(
                Index::create()
                    .col(RollupBucket::EndpointId)
                    .col(RollupBucket::Hour)
                    .col(RollupBucket::Version)
                    .col(RollupBucket::StatusCode)
                    .col(RollupBucket::Bucket),
            )
            .foreign_key(&mut self.foreign_key(
                (Table::RollupBucket, RollupBucket::EndpointId),
                (Table::Endpoint, Endpoint::Id),
            ))
            .to_owned()
    }

    fn statements(&self) -> (Vec<TableCreateStatement>, Vec<IndexCreateStatement>) {
        use schema::*;
        let tables = vec![
            self.table(Table::Endpoint)
                .col(
                    ColumnDef::new(Endpoint::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Endpoint::Name).string().not_null())
                .col(ColumnDef::new(Endpoint::Method).string().not_null())
                .col(ColumnDef::new(Endpoint::Route).string().not_null())
                .col(
                    ColumnDef::new(Endpoint::MonitorLevel)
                        .small_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Endpoint::TimeAdded)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Endpoint::VersionAdded).string().not_null())
                .col(
                    ColumnDef::new(Endpoint::LastRequested)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
            self.table(Table::Request)
                .col(
                    ColumnDef::new(Request::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Request::EndpointId).integer().not_null())
                .col(ColumnDef::new(Request::DurationMs).double().not_null())
                .col(
                    ColumnDef::new(Request::TimeRequested)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Request::VersionRequested)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(Request::GroupBy).string().null())
                .col(ColumnDef::new(Request::Ip).string().null())
                .col(
                    ColumnDef::new(Request::StatusCode)
                        .small_integer()
                        .not_null(),
                )
                .foreign_key(&mut self.foreign_key(
                    (Table::Request, Request::EndpointId),
                    (Table::Endpoint, Endpoint::Id),
                ))
                .to_owned(),
            self.table(Table::Rollup)
                .col(ColumnDef::new(Rollup::EndpointId).integer().not_null())
                .col(
                    ColumnDef::new(Rollup::Hour)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Rollup::Version).string().not_null())
                .col(
                    ColumnDef::new(Rollup::StatusCode)
                        .small_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Rollup::Hits).big_integer().not_null())
                .col(ColumnDef::new(Rollup::DurationSumMs).double().not_null())
                .primary_key(
                    Index::create()
                        .col(Rollup::EndpointId)
                        .col(Rollup::Hour)
                        .col(Rollup::Version)
                        .col(Rollup::StatusCode),
                )
                .foreign_key(&mut self.foreign_key(
                    (Table::Rollup, Rollup::EndpointId),
                    (Table::Endpoint, Endpoint::Id),
                ))
                .to_owned(),
            self.rollup_bucket_table(),
            self.table(Table::Outlier)
                .col(
                    ColumnDef::new(Outlier::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Outlier::RequestId).big_integer().not_null())
                .col(ColumnDef::new(Outlier::RequestHeaders).text().not_null())
                .col(
                    ColumnDef::new(Outlier::RequestEnvironment)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(Outlier::RequestUrl).text().not_null())
                .col(ColumnDef::new(Outlier::RequestValues).text().not_null())
                .col(ColumnDef::new(Outlier::CpuPercent).text().not_null())
                .col(ColumnDef::new(Outlier::Memory).text().not_null())
                .col(ColumnDef::new(Outlier::Stacktrace).text().not_null())
                .col(
                    ColumnDef::new(Outlier::TimeCaptured)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut self.foreign_key(
                    (Table::Outlier, Outlier::RequestId),
                    (Table::Request, Request::Id),
                ))
                .to_owned(),
            self.table(Table::CodeLine)
                .col(
                    ColumnDef::new(CodeLine::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(CodeLine::Filename).string().not_null())
                .col(ColumnDef::new(CodeLine::LineNumber).integer().not_null())
                .col(ColumnDef::new(CodeLine::FunctionName).string().not_null())
                .col(ColumnDef::new(CodeLine::Module).string().not_null())
                .to_owned(),
            self.table(Table::StackLine)
                .col(
                    ColumnDef::new(StackLine::RequestId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(StackLine::Position).integer().not_null())
                .col(ColumnDef::new(StackLine::CodeId).integer().not_null())
                .col(ColumnDef::new(StackLine::Indent).integer().not_null())
                .col(ColumnDef::new(StackLine::DurationMs).double().not_null())
                .col(ColumnDef::new(StackLine::Calls).big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(StackLine::RequestId)
                        .col(StackLine::Position),
                )
                .foreign_key(&mut self.foreign_key(
                    (Table::StackLine, StackLine::RequestId),
                    (Table::Request, Request::Id),
                ))
                .foreign_key(&mut self.foreign_key(
                    (Table::StackLine, StackLine::CodeId),
                    (Table::CodeLine, CodeLine::Id),
                ))
                .to_owned(),
            self.table(Table::ExceptionGroup)
                .col(
                    ColumnDef::new(ExceptionGroup::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ExceptionGroup::Signature)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(ExceptionGroup::TypeName).string().not_null())
                .col(ColumnDef::new(ExceptionGroup::Message).text().not_null())
                .col(ColumnDef::new(ExceptionGroup::EndpointId).integer().null())
                .col(
                    ColumnDef::new(ExceptionGroup::Count)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionGroup::FirstSeen)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionGroup::LastSeen)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionGroup::LatestContext)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(ExceptionGroup::Stack).text().not_null())
                .foreign_key(&mut self.foreign_key(
                    (Table::ExceptionGroup, ExceptionGroup::EndpointId),
                    (Table::Endpoint, Endpoint::Id),
                ))
                .to_owned(),
            self.table(Table::ExceptionOccurrence)
                .col(
                    ColumnDef::new(ExceptionOccurrence::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ExceptionOccurrence::GroupId)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionOccurrence::RequestId)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(ExceptionOccurrence::TimeOccurred)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionOccurrence::Version)
                        .string()
                        .not_null(),
                )
                .foreign_key(&mut self.foreign_key(
                    (Table::ExceptionOccurrence, ExceptionOccurrence::GroupId),
                    (Table::ExceptionGroup, ExceptionGroup::Id),
                ))
                .to_owned(),
            self.table(Table::CustomGraph)
                .col(
                    ColumnDef::new(CustomGraph::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(CustomGraph::Title).string().not_null())
                .col(
                    ColumnDef::new(CustomGraph::TimeAdded)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CustomGraph::VersionAdded)
                        .string()
                        .not_null(),
                )
                .to_owned(),
            self.table(Table::CustomGraphData)
                .col(
                    ColumnDef::new(CustomGraphData::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(CustomGraphData::GraphId)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CustomGraphData::Time)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(CustomGraphData::Value).double().not_null())
                .foreign_key(&mut self.foreign_key(
                    (Table::CustomGraphData, CustomGraphData::GraphId),
                    (Table::CustomGraph, CustomGraph::Id),
                ))
                .to_owned(),
            self.table(Table::User)
                .col(
                    ColumnDef::new(User::Id)
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(User::Username).string().not_null())
                .col(ColumnDef::new(User::PasswordHash).string().not_null())
                .col(ColumnDef::new(User::Role).string().not_null())
                .col(
                    ColumnDef::new(User::SessionGeneration)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .col(
                    ColumnDef::new(User::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
            self.table(Table::Setting)
                .col(
                    ColumnDef::new(Setting::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Setting::Value).text().not_null())
                .to_owned(),
        ];
        let indexes = vec![
            self.index("endpoint_name", Table::Endpoint)
                .col(Endpoint::Name)
                .unique()
                .to_owned(),
            self.index("request_endpoint_time", Table::Request)
                .col(Request::EndpointId)
                .col(Request::TimeRequested)
                .to_owned(),
            self.index("request_time", Table::Request)
                .col(Request::TimeRequested)
                .to_owned(),
            self.index("rollup_hour", Table::Rollup)
                .col(Rollup::Hour)
                .to_owned(),
            self.index("rollup_bucket_hour", Table::RollupBucket)
                .col(RollupBucket::Hour)
                .to_owned(),
            self.index("outlier_request", Table::Outlier)
                .col(Outlier::RequestId)
                .unique()
                .to_owned(),
            self.index("code_line_location", Table::CodeLine)
                .col(CodeLine::Filename)
                .col(CodeLine::LineNumber)
                .col(CodeLine::FunctionName)
                .col(CodeLine::Module)
                .unique()
                .to_owned(),
            self.index("exception_group_signature", Table::ExceptionGroup)
                .col(ExceptionGroup::Signature)
                .unique()
                .to_owned(),
            self.index("exception_group_last_seen", Table::ExceptionGroup)
                .col(ExceptionGroup::LastSeen)
                .to_owned(),
            self.index(
                "exception_occurrence_group_time",
                Table::ExceptionOccurrence,
            )
            .col(ExceptionOccurrence::GroupId)
            .col(ExceptionOccurrence::TimeOccurred)
            .to_owned(),
            self.index("custom_graph_title", Table::CustomGraph)
                .col(CustomGraph::Title)
                .unique()
                .to_owned(),
            self.index("custom_graph_data_graph_time", Table::CustomGraphData)
                .col(CustomGraphData::GraphId)
                .col(CustomGraphData::Time)
                .to_owned(),
            self.index("user_username", Table::User)
                .col(User::Username)
                .unique()
                .to_owned(),
        ];
        (tables, indexes)
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, indexes) = self.statements();
        for table in tables {
            manager.create_table(table).await?;
        }
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in Table::ALL.iter().rev() {
            manager
                .drop_table(
                    sea_query::Table::drop()
                        .table(self.tables.name(*table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
