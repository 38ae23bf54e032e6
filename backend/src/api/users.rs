//! User management (admin only), with the reference's rules: passwords must match, usernames are
//! unique, an admin cannot delete itself or take away its own admin role, and changing one's own
//! password needs the old one.

use crate::api::{Answer, BodyOf};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dashboard_shared::api::{self as routes, Route};
use dashboard_shared::{ErrorBody, NewUser, Role, UserInfo, UserUpdate};

use super::extract::{ApiJson, ApiPath};
use super::session::{AdminSession, Caller, verify};
use super::throttle::Keys;
use super::{ApiError, ApiState};
use crate::accounts;
use crate::config::MIN_PASSWORD_CHARS;
use crate::store::users::UserRow;

impl From<UserRow> for UserInfo {
    fn from(user: UserRow) -> Self {
        UserInfo {
            id: i64::from(user.id),
            role: user.role().unwrap_or(Role::Guest),
            username: user.username,
            created_at: user.created_at,
        }
    }
}

/// Every account, ordered by name.
#[utoipa::path(
    get,
    path = routes::Users::PATH,
    tag = "admin",
    security(("session" = [])),
    responses((status = 200, body = Vec<UserInfo>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub(super) async fn list(
    State(state): State<ApiState>,
    _admin: AdminSession,
) -> Answer<routes::Users> {
    Ok(Json(
        state
            .store
            .users()
            .await?
            .into_iter()
            .map(UserInfo::from)
            .collect(),
    ))
}

/// Creates an account.
#[utoipa::path(
    post,
    path = routes::CreateUser::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = NewUser,
    responses(
        (status = 201, body = UserInfo),
        (status = 400, body = ErrorBody, description = "Empty username, short or unequal passwords"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The username is taken"),
    )
)]
pub(super) async fn create(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiJson(new): BodyOf<routes::CreateUser>,
) -> Result<(StatusCode, Json<UserInfo>), ApiError> {
    let username = new.username.trim();
    if username.is_empty() || username.len() > accounts::MAX_USERNAME_BYTES {
        return Err(ApiError::BadRequest(
            "the username must have 1 to 100 characters".to_owned(),
        ));
    }
    check_new_password(&new.password, &new.password_repeat)?;
    let hash = hash(new.password).await?;
    if !state.store.insert_user(username, &hash, new.role).await? {
        return Err(ApiError::Conflict(format!(
            "the username `{username}` is taken"
        )));
    }
    let user = state
        .store
        .user_by_name(username)
        .await?
        .ok_or(ApiError::NotFound("no such account"))?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Changes an account's role or password.
#[utoipa::path(
    patch,
    path = routes::UpdateUser::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The account's id")),
    request_body = UserUpdate,
    responses(
        (status = 200, body = UserInfo),
        (status = 400, body = ErrorBody, description = "A rule is broken; the message says which"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many wrong old passwords; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Busy verifying other passwords; see Retry-After"),
    )
)]
pub(super) async fn update(
    State(state): State<ApiState>,
    headers: axum::http::HeaderMap,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    AdminSession(admin): AdminSession,
    ApiPath(id): ApiPath<i32>,
    ApiJson(update): BodyOf<routes::UpdateUser>,
) -> Answer<routes::UpdateUser> {
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(ApiError::NotFound("no such account"))?;
    let own_account = user.id == admin.user_id;
    if own_account && update.role == Some(Role::Guest) {
        return Err(ApiError::BadRequest(
            "you cannot take away your own admin role".to_owned(),
        ));
    }
    if let Some(password) = update.password {
        check_new_password(
            &password,
            update.password_repeat.as_deref().unwrap_or_default(),
        )?;
        if own_account {
            // Throttled like logins: a stolen session must not guess the password.
            let caller = Caller::new(&state, &headers, client);
            let attempt = state
                .throttle
                .begin_shared(&state.store, &Keys::new(&user.username, caller.ip))
                .await?;
            let old = update.old_password.unwrap_or_default();
            if !verify(old, user.password_hash.clone()).await {
                return Err(ApiError::BadRequest(
                    "to change your own password, give the current one as old_password".to_owned(),
                ));
            }
            attempt.succeeded(&state.store).await;
        }
        state
            .store
            .set_user_password(id, &hash(password).await?)
            .await?;
    }
    if let Some(role) = update.role {
        state.store.set_user_role(id, role).await?;
    }
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(ApiError::NotFound("no such account"))?;
    Ok(Json(user.into()))
}

/// Deletes an account; its sessions end at once.
#[utoipa::path(
    delete,
    path = routes::DeleteUser::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ErrorBody, description = "You cannot delete yourself"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub(super) async fn delete(
    State(state): State<ApiState>,
    AdminSession(admin): AdminSession,
    ApiPath(id): ApiPath<i32>,
) -> Result<StatusCode, ApiError> {
    if id == admin.user_id {
        return Err(ApiError::BadRequest(
            "you cannot delete your own account".to_owned(),
        ));
    }
    if state.store.delete_user(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no such account"))
    }
}

fn check_new_password(password: &str, repeat: &str) -> Result<(), ApiError> {
    if password != repeat {
        return Err(ApiError::BadRequest(
            "the passwords do not match".to_owned(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::BadRequest(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Hashes off the async threads: argon2 takes tens of milliseconds on purpose.
async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || accounts::hash_password(&password))
        .await
        .map_err(|err| ApiError::Internal(err.to_string()))?
        .map_err(|err| ApiError::Internal(err.to_string()))
}
