//! Dashboard accounts.

use chrono::Utc;
use dashboard_migration::schema::{Table, User};
use dashboard_shared::Role;
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

/// An account as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct UserRow {
    pub(crate) id: i32,
    pub(crate) username: String,
    pub(crate) password_hash: String,
    pub(crate) role: String,
    pub(crate) session_generation: i64,
}

impl UserRow {
    /// The role; an unknown stored role grants nothing.
    pub(crate) fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

impl Store {
    async fn find_user(
        &self,
        condition: sea_orm::sea_query::SimpleExpr,
    ) -> Result<Option<UserRow>, DbErr> {
        let select = Query::select()
            .columns([
                User::Id,
                User::Username,
                User::PasswordHash,
                User::Role,
                User::SessionGeneration,
            ])
            .from(self.table(Table::User))
            .and_where(condition)
            .to_owned();
        match self.db().query_one(&select).await? {
            Some(row) => Ok(Some(UserRow::from_query_result(&row, "")?)),
            None => Ok(None),
        }
    }

    /// The account with this name.
    pub(crate) async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, DbErr> {
        self.find_user(Expr::col(User::Username).eq(username)).await
    }

    /// The account with this id.
    pub(crate) async fn user_by_id(&self, id: i32) -> Result<Option<UserRow>, DbErr> {
        self.find_user(Expr::col(User::Id).eq(id)).await
    }

    /// Creates an account; a name that exists already is left as it is (returns false).
    pub(crate) async fn insert_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<bool, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::User))
            .columns([
                User::Username,
                User::PasswordHash,
                User::Role,
                User::SessionGeneration,
                User::CreatedAt,
            ])
            .values_panic([
                username.into(),
                password_hash.into(),
                role.as_str().into(),
                0i64.into(),
                Utc::now().into(),
            ])
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(User::Username)
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        Ok(self.db().execute(&insert).await?.rows_affected() == 1)
    }

    /// Replaces an account's password hash and role, ending its sessions.
    pub(crate) async fn update_user_credentials(
        &self,
        id: i32,
        password_hash: &str,
        role: Role,
    ) -> Result<(), DbErr> {
        let mut update = Query::update();
        update
            .value(User::PasswordHash, password_hash)
            .value(User::Role, role.as_str());
        self.update_ending_sessions(id, update).await
    }

    /// Ends every session of an account (logout, password change).
    pub(crate) async fn end_sessions(&self, id: i32) -> Result<(), DbErr> {
        self.update_ending_sessions(id, Query::update()).await
    }

    /// Applies `update` to one account and bumps its session generation.
    async fn update_ending_sessions(
        &self,
        id: i32,
        mut update: UpdateStatement,
    ) -> Result<(), DbErr> {
        update
            .table(self.table(Table::User))
            .value(
                User::SessionGeneration,
                Expr::col(User::SessionGeneration).add(1),
            )
            .and_where(Expr::col(User::Id).eq(id));
        self.db().execute(&update).await?;
        Ok(())
    }
}
