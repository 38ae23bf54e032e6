//! Deployment-wide settings kept in the database, such as the session signing secret.

use dashboard_migration::schema::{Setting, Table};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr};

use super::Store;

impl Store {
    /// The stored value of `key`, storing `candidate` first when there is none. When several
    /// processes race, all of them get the value of the one that stored first.
    pub(crate) async fn setting_or_insert(
        &self,
        key: &str,
        candidate: String,
    ) -> Result<String, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::Setting))
            .columns([Setting::Key, Setting::Value])
            .values_panic([key.into(), candidate.into()])
            .on_conflict(
                OnConflict::column(Setting::Key)
                    .do_nothing_on([Setting::Key])
                    .to_owned(),
            )
            .to_owned();
        self.insert_or_read(
            &insert,
            &self.setting_value(key),
            "value",
            &format!("setting {key}"),
        )
        .await
    }

    /// The stored value of `key`, if any.
    pub(crate) async fn setting(&self, key: &str) -> Result<Option<String>, DbErr> {
        match self.db().query_one(&self.setting_value(key)).await? {
            Some(row) => row.try_get("", "value").map(Some),
            None => Ok(None),
        }
    }

    /// The select of `key`'s value.
    fn setting_value(&self, key: &str) -> SelectStatement {
        Query::select()
            .column(Setting::Value)
            .from(self.table(Table::Setting))
            .and_where(Expr::col(Setting::Key).eq(key))
            .to_owned()
    }

    /// Stores `value` under `key`, replacing what was there.
    pub(crate) async fn set_setting(&self, key: &str, value: String) -> Result<(), DbErr> {
        let upsert = Query::insert()
            .into_table(self.table(Table::Setting))
            .columns([Setting::Key, Setting::Value])
            .values_panic([key.into(), value.into()])
            .on_conflict(
                OnConflict::column(Setting::Key)
                    .update_column(Setting::Value)
                    .to_owned(),
            )
            .to_owned();
        self.db().execute(&upsert).await.map(drop)
    }
}

impl Store {
    /// Takes the job tick `key` for this process: true when no process took it before (the
    /// key is unique). Forgets the ticks taken before `forget_before`.
    pub(crate) async fn claim_job(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        forget_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, DbErr> {
        use dashboard_migration::schema::JobClaim;
        let old = Query::delete()
            .from_table(self.table(Table::JobClaim))
            .and_where(Expr::col(JobClaim::ClaimedAt).lt(forget_before))
            .to_owned();
        self.db().execute(&old).await?;
        let insert = Query::insert()
            .into_table(self.table(Table::JobClaim))
            .columns([JobClaim::JobKey, JobClaim::ClaimedAt])
            .values_panic([key.into(), at.into()])
            .to_owned();
        self.insert_unless_taken(&insert).await
    }
}
