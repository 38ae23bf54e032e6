//! Request rows of integers only: the time and duration in microseconds, and the version, user
//! and address as ids of a label table holding each text once. With the `(endpoint, time)` index
//! as the only full index (it covers the per-user views and the reports), a stored request
//! takes about a third of the space it did, and the writer maintains one index less.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::schema::{Label, LabelKind, Request, Table, Tables};

/// Creates `{prefix}label`, converts `{prefix}request`'s rows and rebuilds its indexes.
pub(crate) struct Migration {
    tables: Tables,
}

/// The text columns a label replaces, with their kind and the id column that replaces them.
const LABELLED: [(LabelKind, &str, &str); 3] = [
    (LabelKind::Version, "version_requested", "version_id"),
    (LabelKind::User, "group_by", "user_id"),
    (LabelKind::Address, "ip", "address_id"),
];

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn quoted(&self, table: Table) -> String {
        format!("\"{}{}\"", self.tables.prefix(), table.base_name())
    }

    fn label_table(&self) -> TableCreateStatement {
        sea_orm_migration::prelude::Table::create()
            .table(self.tables.name(Table::Label))
            .if_not_exists()
            .col(
                ColumnDef::new(Label::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Label::Kind).small_integer().not_null())
            .col(ColumnDef::new(Label::Value).string().not_null())
            .to_owned()
    }

    /// The columns added to the request table (every one has a default, as SQLite requires of
    /// a NOT NULL column added to a table with rows).
    fn new_columns() -> [ColumnDef; 5] {
        [
            ColumnDef::new(Request::TimeUs)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(Request::DurationUs)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(Request::VersionId)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(Request::UserId).integer().null().to_owned(),
            ColumnDef::new(Request::AddressId)
                .integer()
                .null()
                .to_owned(),
        ]
    }

    /// The SQL of a stored time in microseconds since 1970, exact, for each backend.
    ///
    /// SQLite holds the time as text (`2026-11-20 10:15:07.123456+00:00`, with 0 to 9 digits
    /// of fraction): whole seconds from `unixepoch`, whose `subsec` keeps only milliseconds,
    /// and the microseconds from the digits after the point.
    fn micros_of(backend: DatabaseBackend, column: &str) -> Result<String, DbErr> {
        match backend {
            DatabaseBackend::Sqlite => {
                let fraction = format!("substr({column}, 21)");
                let end = format!(
                    "CASE WHEN instr({fraction}, '+') > 0 THEN instr({fraction}, '+') \
                     WHEN instr({fraction}, 'Z') > 0 THEN instr({fraction}, 'Z') \
                     WHEN instr({fraction}, '-') > 0 THEN instr({fraction}, '-') \
                     ELSE length({fraction}) + 1 END"
                );
                Ok(format!(
                    "unixepoch({column}) * 1000000 + CASE WHEN substr({column}, 20, 1) = '.' \
                     THEN CAST(substr(substr({fraction}, 1, {end} - 1) || '000000', 1, 6) AS INTEGER) \
                     ELSE 0 END"
                ))
            }
            DatabaseBackend::Postgres => Ok(format!(
                "CAST(ROUND(EXTRACT(EPOCH FROM {column}) * 1000000) AS BIGINT)"
            )),
            other => Err(DbErr::Migration(format!(
                "m0006_compact_requests: the database {other:?} is not supported"
            ))),
        }
    }

    /// Fills the labels and the new columns from the text columns, then drops those.
    async fn convert_rows(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (request, label) = (self.quoted(Table::Request), self.quoted(Table::Label));
        if manager.get_database_backend() == DatabaseBackend::MySql {
            // MySQL databases start at this release's schema: no row to convert.
            return self.drop_text_columns(manager).await;
        }
        for (kind, text, _) in LABELLED {
            db.execute_unprepared(&format!(
                "INSERT INTO {label} (kind, value) SELECT DISTINCT {kind}, {text} FROM {request} \
                 WHERE {text} IS NOT NULL ON CONFLICT (kind, value) DO NOTHING",
                kind = kind.number()
            ))
            .await?;
        }
        let mut sets = vec![
            format!(
                "time_us = {}",
                Self::micros_of(manager.get_database_backend(), "time_requested")?
            ),
            "duration_us = CAST(ROUND(duration_ms * 1000) AS BIGINT)".to_owned(),
        ];
        for (kind, text, id) in LABELLED {
            sets.push(format!(
                "{id} = (SELECT l.id FROM {label} l WHERE l.kind = {kind} AND l.value = {request}.{text})",
                kind = kind.number()
            ));
        }
        db.execute_unprepared(&format!("UPDATE {request} SET {}", sets.join(", ")))
            .await?;
        self.drop_text_columns(manager).await
    }

    /// Drops the request's columns that the ids and integers replace.
    async fn drop_text_columns(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let (db, request) = (manager.get_connection(), self.quoted(Table::Request));
        for column in [
            "duration_ms",
            "time_requested",
            "version_requested",
            "group_by",
            "ip",
        ] {
            db.execute_unprepared(&format!("ALTER TABLE {request} DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_compact_requests"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(self.label_table()).await?;
        manager
            .create_index(
                Index::create()
                    .name(self.tables.index("label_kind_value"))
                    .table(self.tables.name(Table::Label))
                    .col(Label::Kind)
                    .col(Label::Value)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::MySql {
            // MySQL keeps an index for the endpoint's foreign key and refuses to drop the last
            // one: this one stays while the others are made again.
            manager
                .create_index(
                    Index::create()
                        .name(self.tables.index("request_endpoint"))
                        .table(self.tables.name(Table::Request))
                        .col(Request::EndpointId)
                        .to_owned(),
                )
                .await?;
        }
        for index in [
            "request_time",
            "request_endpoint_time_covering",
            "request_endpoint_errors",
        ] {
            crate::drop_index(
                manager,
                self.tables.index(index),
                self.tables.name(Table::Request),
            )
            .await?;
        }
        for column in Self::new_columns() {
            manager
                .alter_table(
                    sea_orm_migration::prelude::Table::alter()
                        .table(self.tables.name(Table::Request))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        self.convert_rows(manager).await?;
        manager
            .create_index(
                Index::create()
                    .name(self.tables.index("request_endpoint_time_compact"))
                    .table(self.tables.name(Table::Request))
                    .col(Request::EndpointId)
                    .col(Request::TimeUs)
                    .col(Request::VersionId)
                    .col(Request::UserId)
                    .col(Request::AddressId)
                    .col(Request::DurationUs)
                    .col(Request::StatusCode)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        let mut index = Index::create();
        index
            .name(self.tables.index("request_endpoint_errors"))
            .table(self.tables.name(Table::Request))
            .col(Request::EndpointId)
            .col(Request::TimeUs)
            .col(Request::Id)
            .if_not_exists();
        crate::only_errors(&mut index, manager, Request::StatusCode);
        manager.create_index(index).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0006_compact_requests cannot be undone: restore the backup taken before upgrading"
                .to_owned(),
        ))
    }
}
