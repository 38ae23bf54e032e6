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
        let mut index = Index::create();
        index
            .name(self.name_of_index())
            .table(self.tables.name(Table::Request))
            .col(Request::EndpointId)
            .col(Request::TimeRequested)
            .col(Request::Id)
            .if_not_exists();
        crate::only_errors(&mut index, manager, Request::StatusCode);
        manager.create_index(index).await
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
