//! The `(endpoint, time)` index of the requests also carries the version, user, address and
//! duration, so the per-user and per-address views of an endpoint read the index alone instead
//! of one table row per request (scattered among every other endpoint's requests).

use sea_orm_migration::prelude::*;

use crate::schema::{Request, Table, Tables};

/// Replaces `{prefix}request_endpoint_time` by `{prefix}request_endpoint_time_covering`.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn index(&self, name: &str, covering: bool) -> IndexCreateStatement {
        let mut index = Index::create()
            .name(self.tables.index(name))
            .table(self.tables.name(Table::Request))
            .col(Request::EndpointId)
            .col(Request::TimeRequested)
            .if_not_exists()
            .to_owned();
        if covering {
            index
                .col(Request::VersionRequested)
                .col(Request::GroupBy)
                .col(Request::Ip)
                .col(Request::DurationMs);
        }
        index
    }

    async fn drop(&self, manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
        crate::drop_index(
            manager,
            self.tables.index(name),
            self.tables.name(Table::Request),
        )
        .await
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_covering_request_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(self.index("request_endpoint_time_covering", true))
            .await?;
        self.drop(manager, "request_endpoint_time").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(self.index("request_endpoint_time", false))
            .await?;
        self.drop(manager, "request_endpoint_time_covering").await
    }
}
