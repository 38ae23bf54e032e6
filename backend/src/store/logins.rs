//! Login attempts shared by every process: a row per key (`user:…`, `ip:…`) and attempt, so that
//! the throttle counts the failures of every replica, not only its own.

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{LoginFailure, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

/// The failures of one key since a moment: how many, and the oldest.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub(crate) struct KeyFailures {
    pub(crate) key: String,
    pub(crate) failures: i64,
    pub(crate) oldest: Option<DateTime<Utc>>,
}

impl Store {
    /// The failures recorded since `since` against each of `keys`.
    pub(crate) async fn login_failures(
        &self,
        keys: [&str; 2],
        since: DateTime<Utc>,
    ) -> Result<Vec<KeyFailures>, DbErr> {
        let select = Query::select()
            .column(LoginFailure::Key)
            .expr_as(Expr::col(LoginFailure::Id).count(), Alias::new("failures"))
            .expr_as(Expr::col(LoginFailure::Time).min(), Alias::new("oldest"))
            .from(self.table(Table::LoginFailure))
            .and_where(Expr::col(LoginFailure::Key).is_in(keys))
            .and_where(Expr::col(LoginFailure::Time).gte(since))
            .group_by_col(LoginFailure::Key)
            .to_owned();
        self.fetch(&select).await
    }

    /// Records an attempt at `at` against `keys` (a failure until it is forgiven), and forgets
    /// every failure from before `forget_before`.
    pub(crate) async fn record_login_attempt(
        &self,
        keys: [&str; 2],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert
            .into_table(self.table(Table::LoginFailure))
            .columns([LoginFailure::Key, LoginFailure::Time]);
        for key in keys {
            insert.values_panic([key.into(), at.into()]);
        }
        self.db().execute(&insert).await?;
        let old = Query::delete()
            .from_table(self.table(Table::LoginFailure))
            .and_where(Expr::col(LoginFailure::Time).lt(forget_before))
            .to_owned();
        self.db().execute(&old).await?;
        Ok(())
    }

    /// A successful attempt made at `at`: every failure of `user` is forgiven, and the
    /// attempt's own row of `address`.
    pub(crate) async fn forgive_login(
        &self,
        user: &str,
        address: &str,
        at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(self.table(Table::LoginFailure))
            .cond_where(
                Expr::col(LoginFailure::Key)
                    .eq(user)
                    .or(Expr::col(LoginFailure::Key)
                        .eq(address)
                        .and(Expr::col(LoginFailure::Time).eq(at))),
            )
            .to_owned();
        self.db().execute(&delete).await?;
        Ok(())
    }
}
