//! A partial index of failed requests, newest first per endpoint, for the endpoint page's table
//! of error requests: it reads only the failures, however rare they are among the requests.

use sea_orm_migration::prelude::*;

use crate::schema::{Request, Table, Tables};

/// Creates the index `{prefix}request_endpoint_errors`.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn name_of_index(&self) -> String {
        self.tables.index("request_endpoint_errors")
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_error_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(self.name_of_index())
                    .table(self.tables.name(Table::Request))
                    .col(Request::EndpointId)
                    .col(Request::TimeRequested)
                    .col(Request::Id)
                    .and_where(Expr::col(Request::StatusCode).gte(400))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(self.name_of_index())
                    .table(self.tables.name(Table::Request))
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
