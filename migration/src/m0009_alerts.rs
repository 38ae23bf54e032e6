//! Alerting: a per-minute rollup for the threshold rules, the rules, channels, their state and
//! the delivery log, and the quiet gap of an exception group that came back.

use sea_orm_migration::prelude::*;

use crate::schema::{
    AlertChannel, AlertDelivery, AlertRule, AlertState, ExceptionGroup, MinuteRollup, Table, Tables,
};

/// Creates `{prefix}minute_rollup`, `{prefix}alert_channel`, `{prefix}alert_rule`,
/// `{prefix}alert_state` and `{prefix}alert_delivery`, and adds `returned_at` and
/// `quiet_since` to `{prefix}exception_group`.
pub(crate) struct Migration {
    tables: Tables,
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn create(&self, table: Table) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(table))
            .if_not_exists()
            .to_owned()
    }

    fn minute_rollup(&self) -> TableCreateStatement {
        self.create(Table::MinuteRollup)
            .col(
                ColumnDef::new(MinuteRollup::Minute)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(MinuteRollup::EndpointId)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(MinuteRollup::Bucket).integer().not_null())
            .col(
                ColumnDef::new(MinuteRollup::InstanceId)
                    .integer()
                    .not_null(),
            )
            .col(ColumnDef::new(MinuteRollup::Hits).big_integer().not_null())
            .col(
                ColumnDef::new(MinuteRollup::Errors)
                    .big_integer()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(MinuteRollup::Minute)
                    .col(MinuteRollup::EndpointId)
                    .col(MinuteRollup::Bucket)
                    .col(MinuteRollup::InstanceId),
            )
            .to_owned()
    }

    fn channel(&self) -> TableCreateStatement {
        self.create(Table::AlertChannel)
            .col(
                ColumnDef::new(AlertChannel::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(AlertChannel::Name)
                    .string_len(200)
                    .not_null(),
            )
            .col(ColumnDef::new(AlertChannel::Settings).text().not_null())
            .col(ColumnDef::new(AlertChannel::Secret).text().not_null())
            .to_owned()
    }

    fn rule(&self) -> TableCreateStatement {
        self.create(Table::AlertRule)
            .col(
                ColumnDef::new(AlertRule::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(AlertRule::Name).string_len(200).not_null())
            .col(ColumnDef::new(AlertRule::Condition).text().not_null())
            .col(ColumnDef::new(AlertRule::Channels).text().not_null())
            .col(ColumnDef::new(AlertRule::QuietMinutes).integer().not_null())
            .col(ColumnDef::new(AlertRule::Muted).boolean().not_null())
            .col(
                ColumnDef::new(AlertRule::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(AlertRule::LastSent)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .to_owned()
    }

    fn state(&self) -> TableCreateStatement {
        self.create(Table::AlertState)
            .col(ColumnDef::new(AlertState::RuleId).integer().not_null())
            .col(
                ColumnDef::new(AlertState::Subject)
                    .string_len(200)
                    .not_null(),
            )
            .col(ColumnDef::new(AlertState::Firing).boolean().not_null())
            .col(
                ColumnDef::new(AlertState::ChangedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(AlertState::RuleId)
                    .col(AlertState::Subject),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(self.tables.name(Table::AlertState), AlertState::RuleId)
                    .to(self.tables.name(Table::AlertRule), AlertRule::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned()
    }

    fn delivery(&self) -> TableCreateStatement {
        self.create(Table::AlertDelivery)
            .col(
                ColumnDef::new(AlertDelivery::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(AlertDelivery::Time)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(AlertDelivery::RuleName)
                    .string_len(200)
                    .null(),
            )
            .col(
                ColumnDef::new(AlertDelivery::ChannelId)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(AlertDelivery::ChannelName)
                    .string_len(200)
                    .not_null(),
            )
            .col(ColumnDef::new(AlertDelivery::Message).text().not_null())
            .col(
                ColumnDef::new(AlertDelivery::Outcome)
                    .string_len(16)
                    .not_null(),
            )
            .col(ColumnDef::new(AlertDelivery::Attempts).integer().not_null())
            .col(ColumnDef::new(AlertDelivery::Error).text().null())
            .to_owned()
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_alerts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(self.minute_rollup()).await?;
        manager.create_table(self.channel()).await?;
        manager.create_table(self.rule()).await?;
        manager.create_table(self.state()).await?;
        manager.create_table(self.delivery()).await?;
        manager
            .create_index(
                Index::create()
                    .name(self.tables.index("alert_delivery_time"))
                    .table(self.tables.name(Table::AlertDelivery))
                    .col(AlertDelivery::Time)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        for column in [ExceptionGroup::ReturnedAt, ExceptionGroup::QuietSince] {
            manager
                .alter_table(
                    sea_orm_migration::prelude::Table::alter()
                        .table(self.tables.name(Table::ExceptionGroup))
                        .add_column(ColumnDef::new(column).timestamp_with_time_zone().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0009_alerts cannot be undone: restore the backup taken before upgrading".to_owned(),
        ))
    }
}
