//! Many processes on one database: the instances and their heartbeats, the instance of each
//! request, per-instance rollup rows (each process adds to its own rows, so writers never wait
//! for each other's row locks), login failures shared by every process, and the job ticks
//! taken on MySQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DynIden, Statement};

use crate::schema::{
    DependencyDay, DependencyLatency, Heartbeat, Instance, JobClaim, LatencyDay, LatencyTotal,
    LoginFailure, Request, Rollup, StatusTotal, Table, Tables,
};

/// Creates `{prefix}instance`, `{prefix}heartbeat`, `{prefix}login_failure` and
/// `{prefix}job_claim`, adds
/// `instance_id` to `{prefix}request`, and adds `instance_id` (0 for the rows so far) to the key
/// of every rollup table.
pub(crate) struct Migration {
    tables: Tables,
}

/// The rollup tables and their keys before this migration; `instance_id` is appended to each.
fn rollup_keys() -> [(Table, Vec<DynIden>, DynIden); 6] {
    fn idens<const N: usize>(columns: [impl IntoIden; N]) -> Vec<DynIden> {
        columns.into_iter().map(IntoIden::into_iden).collect()
    }
    [
        (
            Table::Rollup,
            idens([
                Rollup::EndpointId,
                Rollup::Hour,
                Rollup::Version,
                Rollup::StatusCode,
            ]),
            Rollup::InstanceId.into_iden(),
        ),
        (
            Table::LatencyDay,
            idens([
                LatencyDay::EndpointId,
                LatencyDay::Day,
                LatencyDay::Version,
                LatencyDay::Bucket,
            ]),
            LatencyDay::InstanceId.into_iden(),
        ),
        (
            Table::LatencyTotal,
            idens([LatencyTotal::EndpointId, LatencyTotal::Bucket]),
            LatencyTotal::InstanceId.into_iden(),
        ),
        (
            Table::StatusTotal,
            idens([StatusTotal::EndpointId, StatusTotal::StatusCode]),
            StatusTotal::InstanceId.into_iden(),
        ),
        (
            Table::DependencyDay,
            idens([
                DependencyDay::EndpointId,
                DependencyDay::Day,
                DependencyDay::DependencyId,
            ]),
            DependencyDay::InstanceId.into_iden(),
        ),
        (
            Table::DependencyLatency,
            idens([
                DependencyLatency::EndpointId,
                DependencyLatency::Day,
                DependencyLatency::DependencyId,
                DependencyLatency::Bucket,
            ]),
            DependencyLatency::InstanceId.into_iden(),
        ),
    ]
}

impl Migration {
    pub(crate) fn new(tables: Tables) -> Self {
        Migration { tables }
    }

    fn instance(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::Instance))
            .if_not_exists()
            .col(
                ColumnDef::new(Instance::Id)
                    .integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(Instance::Name)
                    .string_len(200)
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(Instance::AppVersion).string().not_null())
            .col(
                ColumnDef::new(Instance::DashboardVersion)
                    .string()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Instance::Started)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Instance::LastSeen)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned()
    }

    fn heartbeat(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::Heartbeat))
            .if_not_exists()
            .col(ColumnDef::new(Heartbeat::InstanceId).integer().not_null())
            .col(
                ColumnDef::new(Heartbeat::Time)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(Heartbeat::CpuPercent).double().not_null())
            .col(
                ColumnDef::new(Heartbeat::MemoryBytes)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Heartbeat::InFlight).big_integer().not_null())
            .col(ColumnDef::new(Heartbeat::Queued).big_integer().not_null())
            .col(ColumnDef::new(Heartbeat::Dropped).big_integer().not_null())
            .col(ColumnDef::new(Heartbeat::Stored).big_integer().not_null())
            .col(ColumnDef::new(Heartbeat::WriterLagMs).double().not_null())
            .primary_key(
                Index::create()
                    .col(Heartbeat::InstanceId)
                    .col(Heartbeat::Time),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(self.tables.name(Table::Heartbeat), Heartbeat::InstanceId)
                    .to(self.tables.name(Table::Instance), Instance::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned()
    }

    fn login_failure(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::LoginFailure))
            .if_not_exists()
            .col(
                ColumnDef::new(LoginFailure::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(LoginFailure::Key).string_len(200).not_null())
            .col(
                ColumnDef::new(LoginFailure::Time)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned()
    }

    fn job_claim(&self) -> TableCreateStatement {
        sea_query::Table::create()
            .table(self.tables.name(Table::JobClaim))
            .if_not_exists()
            .col(
                ColumnDef::new(JobClaim::JobKey)
                    .string_len(64)
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(JobClaim::ClaimedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned()
    }

    /// Adds `instance` (0 for the rows so far) to `table` and to the end of its primary key.
    async fn add_to_key(
        &self,
        manager: &SchemaManager<'_>,
        table: Table,
        key: &[DynIden],
        instance: DynIden,
    ) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let name = self.tables.name(table).to_string();
        let mut columns: Vec<String> = key.iter().map(|column| column.to_string()).collect();
        columns.push(instance.to_string());
        let quoted = |names: &[String], quote: char| {
            names
                .iter()
                .map(|name| format!("{quote}{name}{quote}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                // SQLite cannot change a primary key: the table is made again with the new key.
                let sql = db
                    .query_one_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Sqlite,
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [name.clone().into()],
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Migration(format!("no table {name}")))?
                    .try_get::<String>("", "sql")?;
                let indexes = db
                    .query_all_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Sqlite,
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? \
                         AND sql IS NOT NULL",
                        [name.clone().into()],
                    ))
                    .await?
                    .iter()
                    .map(|row| row.try_get::<String>("", "sql"))
                    .collect::<Result<Vec<_>, _>>()?;
                let rebuilt = format!("{name}_m0008");
                let create = with_instance_key(&sql, &name, &rebuilt, &quoted(&columns, '"'))
                    .ok_or_else(|| {
                        DbErr::Migration(format!("cannot read the primary key of {name}: {sql}"))
                    })?;
                db.execute_unprepared(&create).await?;
                db.execute_unprepared(&format!(
                    "INSERT INTO \"{rebuilt}\" SELECT *, 0 FROM \"{name}\""
                ))
                .await?;
                db.execute_unprepared(&format!("DROP TABLE \"{name}\""))
                    .await?;
                db.execute_unprepared(&format!("ALTER TABLE \"{rebuilt}\" RENAME TO \"{name}\""))
                    .await?;
                for index in indexes {
                    db.execute_unprepared(&index).await?;
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "ALTER TABLE \"{name}\" ADD COLUMN \"{instance}\" integer NOT NULL DEFAULT 0"
                ))
                .await?;
                let constraint = db
                    .query_one_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        "SELECT conname FROM pg_constraint \
                         WHERE conrelid = to_regclass($1) AND contype = 'p'",
                        [format!("\"{name}\"").into()],
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Migration(format!("{name} has no primary key")))?
                    .try_get::<String>("", "conname")?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE \"{name}\" DROP CONSTRAINT \"{constraint}\", \
                     ADD PRIMARY KEY ({})",
                    quoted(&columns, '"')
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "ALTER TABLE `{name}` ADD COLUMN `{instance}` integer NOT NULL DEFAULT 0, \
                     DROP PRIMARY KEY, ADD PRIMARY KEY ({})",
                    quoted(&columns, '`')
                ))
                .await?;
            }
        }
        Ok(())
    }
}

/// SQLite's `CREATE TABLE` text `sql` of table `name`, renamed to `rebuilt`, with an
/// `instance_id` column after the others and the primary key `key`; `None` when the text has no
/// `PRIMARY KEY (…)` clause.
fn with_instance_key(sql: &str, name: &str, rebuilt: &str, key: &str) -> Option<String> {
    let start = sql.find("PRIMARY KEY (")?;
    let end = start + sql[start..].find(')')?;
    let renamed_head = sql[..start].replacen(&format!("\"{name}\""), &format!("\"{rebuilt}\""), 1);
    Some(format!(
        "{renamed_head}\"instance_id\" integer NOT NULL DEFAULT 0, PRIMARY KEY ({key}){}",
        &sql[end + 1..]
    ))
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_instances"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(self.instance()).await?;
        manager.create_table(self.heartbeat()).await?;
        manager.create_table(self.login_failure()).await?;
        manager.create_table(self.job_claim()).await?;
        manager
            .create_index(
                Index::create()
                    .name(self.tables.index("login_failure_key_time"))
                    .table(self.tables.name(Table::LoginFailure))
                    .col(LoginFailure::Key)
                    .col(LoginFailure::Time)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                sea_orm_migration::prelude::Table::alter()
                    .table(self.tables.name(Table::Request))
                    .add_column(
                        ColumnDef::new(Request::InstanceId)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        for (table, key, instance) in rollup_keys() {
            self.add_to_key(manager, table, &key, instance).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0008_instances cannot be undone: restore the backup taken before upgrading"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::with_instance_key;

    #[test]
    fn the_rebuilt_table_has_the_instance_last_and_in_its_key() {
        let sql = "CREATE TABLE \"d_status_total\" ( \"endpoint_id\" integer NOT NULL, \
                   \"status_code\" smallint NOT NULL, \"hits\" bigint NOT NULL, \
                   PRIMARY KEY (\"endpoint_id\", \"status_code\"), FOREIGN KEY (\"endpoint_id\") \
                   REFERENCES \"d_endpoint\" (\"id\") ON DELETE CASCADE )";
        assert_eq!(
            with_instance_key(
                sql,
                "d_status_total",
                "d_status_total_m0008",
                "\"endpoint_id\", \"status_code\", \"instance_id\""
            )
            .unwrap(),
            "CREATE TABLE \"d_status_total_m0008\" ( \"endpoint_id\" integer NOT NULL, \
             \"status_code\" smallint NOT NULL, \"hits\" bigint NOT NULL, \
             \"instance_id\" integer NOT NULL DEFAULT 0, \
             PRIMARY KEY (\"endpoint_id\", \"status_code\", \"instance_id\"), FOREIGN KEY \
             (\"endpoint_id\") REFERENCES \"d_endpoint\" (\"id\") ON DELETE CASCADE )"
        );
    }
}
