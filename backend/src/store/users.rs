//! Dashboard accounts.

use chrono::Utc;
use dashboard_migration::schema::{Table, User};
use dashboard_shared::Role;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr, UpdateStatement};
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
    pub(crate) created_at: chrono::DateTime<Utc>,
}

impl UserRow {
    /// The role; an unknown stored role grants nothing.
    pub(crate) fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

impl Store {
    /// Accounts matching `condition`, ordered by name.
    async fn find_users(&self, condition: Option<SimpleExpr>) -> Result<Vec<UserRow>, DbErr> {
        let mut select = Query::select();
        select
            .columns([
                User::Id,
                User::Username,
                User::PasswordHash,
                User::Role,
                User::SessionGeneration,
                User::CreatedAt,
            ])
            .from(self.table(Table::User))
            .order_by(User::Username, sea_orm::Order::Asc);
        if let Some(condition) = condition {
            select.and_where(condition);
        }
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| UserRow::from_query_result(row, ""))
            .collect()
    }

    async fn find_user(&self, condition: SimpleExpr) -> Result<Option<UserRow>, DbErr> {
        Ok(self.find_users(Some(condition)).await?.into_iter().next())
    }

    /// Every account, ordered by name.
    pub(crate) async fn users(&self) -> Result<Vec<UserRow>, DbErr> {
        self.find_users(None).await
    }

    /// Deletes an account; false when there was none.
    pub(crate) async fn delete_user(&self, id: i32) -> Result<bool, DbErr> {
        let delete = Query::delete()
            .from_table(self.table(Table::User))
            .and_where(Expr::col(User::Id).eq(id))
            .to_owned();
        Ok(self.db().execute(&delete).await?.rows_affected() == 1)
    }

    /// Changes an account's role; a session of the account sees it on its next request.
    pub(crate) async fn set_user_role(&self, id: i32, role: Role) -> Result<(), DbErr> {
        let update = Query::update()
            .table(self.table(Table::User))
            .value(User::Role, role.as_str())
            .and_where(Expr::col(User::Id).eq(id))
            .to_owned();
        self.db().execute(&update).await?;
        Ok(())
    }

    /// Replaces an account's password hash, ending its sessions.
    pub(crate) async fn set_user_password(
        &self,
        id: i32,
        password_hash: &str,
    ) -> Result<(), DbErr> {
        let mut update = Query::update();
        update.value(User::PasswordHash, password_hash);
        self.update_ending_sessions(id, update).await
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
                    .do_nothing_on([User::Username])
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
