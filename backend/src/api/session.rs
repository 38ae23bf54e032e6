//! Sessions: login, logout, `me`, and the [`Session`] extractor that every other route uses.
//!
//! A session is a signed, expiring token (HS256) in an `HttpOnly; SameSite=Strict` cookie. It
//! names the account and the account's session generation; the account is read again on every
//! request, so a deleted account, a changed role, a logout or a password change take effect at
//! once. State-changing requests must also carry the session's CSRF token in `X-CSRF-Token`.

use crate::api::BodyOf;
use dashboard_shared::api::{self as routes, Route};
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::{Extension, Json};
use dashboard_shared::{ErrorBody, LoginRequest, Role, SessionInfo, api};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::extract::ApiJson;
use super::throttle::Keys;
use super::{ApiError, ApiState};
use crate::accounts::{self, random_token};
use crate::collect::client_ip;
use crate::config::CookieSecure;

/// The session cookie's name.
pub(super) const COOKIE_NAME: &str = "dashboard_session";
/// Verified when the username does not exist, so that both cases take as long.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$xBcS9k3b6ObXUhMA8Su2xY6s0k2b0BzHhJkN5ORCJ6s";

/// The keys that sign and check session tokens.
pub(crate) struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    cookie_path: String,
    lifetime: Duration,
}

impl SessionKeys {
    /// Keys from the deployment's secret; cookies are scoped to `/{custom_link}` and sessions
    /// last `lifetime`.
    pub(crate) fn new(secret: &str, custom_link: &str, lifetime: Duration) -> Self {
        SessionKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            cookie_path: format!("/{custom_link}"),
            lifetime,
        }
    }

    fn issue(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|err| ApiError::BadRequest(format!("cannot sign the session: {err}")))
    }

    /// The CSRF token of a host-authorised user: the username, signed.
    fn host_csrf(&self, username: &str) -> Result<String, ApiError> {
        #[derive(Serialize)]
        struct HostCsrf<'a> {
            csrf_for: &'a str,
        }
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &HostCsrf { csrf_for: username },
            &self.encoding,
        )
        .map(|token| token.rsplit('.').next().unwrap_or_default().to_owned())
        .map_err(|err| ApiError::BadRequest(format!("cannot sign the CSRF token: {err}")))
    }

    fn check(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }

    fn cookie(&self, value: &str, max_age: Duration, secure: bool) -> HeaderValue {
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{COOKIE_NAME}={value}; Path={}; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
            self.cookie_path,
            max_age.as_secs()
        );
        HeaderValue::from_str(&cookie)
            .unwrap_or_else(|_| HeaderValue::from_static("dashboard_session=; Max-Age=0"))
    }
}

/// What a session token says.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The account's id.
    sub: i32,
    /// The account's session generation when the session began.
    generation: i64,
    /// The CSRF token of this session.
    csrf: String,
    /// Expiry, seconds since the epoch.
    exp: u64,
}

/// A logged-in caller, re-checked against the database.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) user_id: i32,
    pub(crate) username: String,
    pub(crate) role: Role,
    csrf: String,
}

impl Session {
    fn info(&self, timezone: chrono_tz::Tz) -> SessionInfo {
        SessionInfo {
            username: self.username.clone(),
            role: self.role,
            csrf_token: self.csrf.clone(),
            timezone: timezone.name().to_owned(),
        }
    }
}

impl FromRequestParts<ApiState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(session) = host_session(parts, state)? {
            return Ok(session);
        }
        if !state.config.accounts {
            return Err(ApiError::Unauthorized("log in to the service first"));
        }
        let token = cookie_value(&parts.headers, COOKIE_NAME)
            .ok_or(ApiError::Unauthorized("log in first"))?;
        let claims = state.sessions.check(token).ok_or(ApiError::Unauthorized(
            "the session is invalid or has expired; log in again",
        ))?;
        let user = state
            .store
            .user_by_id(claims.sub)
            .await?
            .filter(|user| user.session_generation == claims.generation)
            .ok_or(ApiError::Unauthorized(
                "the session has ended; log in again",
            ))?;
        let role = user
            .role()
            .ok_or(ApiError::Forbidden("this account has no role"))?;
        check_csrf(parts, &claims.csrf)?;
        Ok(Session {
            user_id: user.id,
            username: user.username,
            role,
            csrf: claims.csrf,
        })
    }
}

/// A logged-in admin; guests get 403.
#[derive(Debug, Clone)]
pub(crate) struct AdminSession(pub(crate) Session);

impl FromRequestParts<ApiState> for AdminSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        match session.role {
            Role::Admin => Ok(AdminSession(session)),
            Role::Guest => Err(ApiError::Forbidden("only an admin may do this")),
        }
    }
}

/// The session the host service's [`crate::DashboardBuilder::authorize`] grants, if it is set
/// and grants one. Its CSRF token is the username signed with the session key, so it needs no
/// storage and every process agrees on it.
fn host_session(parts: &Parts, state: &ApiState) -> Result<Option<Session>, ApiError> {
    let Some(authorize) = &state.authorize else {
        return Ok(None);
    };
    let Some(user) = authorize(parts) else {
        return Ok(None);
    };
    let csrf = state.sessions.host_csrf(&user.username)?;
    check_csrf(parts, &csrf)?;
    Ok(Some(Session {
        user_id: HOST_USER_ID,
        username: user.username,
        role: user.role,
        csrf,
    }))
}

/// The account id of every host-authorised session: no stored account has it.
const HOST_USER_ID: i32 = -1;

/// Refuses a changing request whose `X-CSRF-Token` is not `csrf` (compared in constant time).
fn check_csrf(parts: &Parts, csrf: &str) -> Result<(), ApiError> {
    if is_safe(&parts.method) {
        return Ok(());
    }
    let sent = parts
        .headers
        .get(api::CSRF_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    if bool::from(sent.ct_eq(csrf.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("missing or wrong X-CSRF-Token header"))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The value of one cookie in the `Cookie` headers.
fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// Who is calling: the client's address as `TRUSTED_PROXIES` resolves it, and whether the
/// session cookie is `Secure` (`COOKIE_SECURE`; with `auto`, when a trusted proxy says the
/// client used HTTPS — `X-Forwarded-Proto` from anyone else is not believed).
pub(crate) struct Caller {
    pub(crate) ip: Option<std::net::IpAddr>,
    secure_cookie: bool,
}

impl Caller {
    pub(crate) fn new(
        state: &ApiState,
        headers: &HeaderMap,
        peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ) -> Self {
        let peer = peer.map(|Extension(ConnectInfo(address))| address.ip());
        let trusted = &state.config.trusted_proxies;
        let from_proxy = peer.is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer)));
        let secure_cookie = match state.config.cookie_secure {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            _ => {
                from_proxy
                    && headers
                        .get("x-forwarded-proto")
                        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
            }
        };
        Caller {
            ip: peer.and_then(|peer| client_ip(peer, headers, trusted)),
            secure_cookie,
        }
    }
}

/// Verifies a password against a stored hash on a blocking thread.
pub(crate) async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || accounts::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Logs in: 200 with the session and its cookie, 401 for wrong credentials.
#[utoipa::path(
    post,
    path = routes::Login::PATH,
    tag = "public",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionInfo, description = "Logged in; the session cookie is set"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody, description = "Wrong username or password"),
        (status = 404, body = ErrorBody, description = "The dashboard's accounts are turned off (`ACCOUNTS = false`)"),
        (status = 429, body = ErrorBody, description = "Too many failed logins; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Busy verifying other logins; see Retry-After"),
    )
)]
pub(super) async fn login(
    State(state): State<ApiState>,
    headers: HeaderMap,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    ApiJson(request): BodyOf<routes::Login>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.config.accounts {
        return Err(ApiError::NotFound(
            "the dashboard's accounts are turned off: log in to the service",
        ));
    }
    let caller = Caller::new(&state, &headers, client);
    let attempt = state
        .throttle
        .begin_shared(&state.store, &Keys::new(&request.username, caller.ip))
        .await?;
    let user = state.store.user_by_name(&request.username).await?;
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH, |user| user.password_hash.as_str())
        .to_owned();
    let (Some(user), true) = (user, verify(request.password, hash).await) else {
        return Err(ApiError::Unauthorized("wrong username or password"));
    };
    attempt.succeeded(&state.store).await;
    let role = user
        .role()
        .ok_or(ApiError::Forbidden("this account has no role"))?;
    let csrf = random_token(32).map_err(|err| ApiError::BadRequest(err.to_string()))?;
    let expires = jsonwebtoken::get_current_timestamp() + state.sessions.lifetime.as_secs();
    let token = state.sessions.issue(&Claims {
        sub: user.id,
        generation: user.session_generation,
        csrf: csrf.clone(),
        exp: expires,
    })?;
    let cookie = state
        .sessions
        .cookie(&token, state.sessions.lifetime, caller.secure_cookie);
    let info = SessionInfo {
        username: user.username,
        role,
        csrf_token: csrf,
        timezone: state.config.timezone.name().to_owned(),
    };
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(info)))
}

/// Logs out: ends every session of the account and clears the cookie.
#[utoipa::path(
    post,
    path = routes::Logout::PATH,
    tag = "read",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token"),
    )
)]
pub(super) async fn logout(
    State(state): State<ApiState>,
    headers: HeaderMap,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    session: Session,
) -> Result<impl IntoResponse, ApiError> {
    state.store.end_sessions(session.user_id).await?;
    let caller = Caller::new(&state, &headers, client);
    let cookie = state
        .sessions
        .cookie("", Duration::ZERO, caller.secure_cookie);
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cookie)]),
    ))
}

/// The current session, with its CSRF token.
#[utoipa::path(
    get,
    path = routes::Me::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody))
)]
pub(super) async fn me(State(state): State<ApiState>, session: Session) -> Json<SessionInfo> {
    Json(session.info(state.config.timezone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_valid_argon2_hash() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!accounts::verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; dashboard_session=tok.en; b=2"),
        );
        assert_eq!(cookie_value(&headers, COOKIE_NAME), Some("tok.en"));
        assert_eq!(cookie_value(&headers, "c"), None);
    }

    #[test]
    fn tokens_signed_with_another_secret_or_expired_are_rejected() {
        let keys = SessionKeys::new("secret-one", "dashboard", Duration::from_secs(60));
        let claims = Claims {
            sub: 1,
            generation: 0,
            csrf: "c".into(),
            exp: jsonwebtoken::get_current_timestamp() + 60,
        };
        let token = keys.issue(&claims).unwrap();
        assert_eq!(keys.check(&token).map(|c| c.sub), Some(1));
        assert!(
            SessionKeys::new("secret-two", "dashboard", Duration::from_secs(60))
                .check(&token)
                .is_none()
        );
        let expired = keys
            .issue(&Claims {
                exp: jsonwebtoken::get_current_timestamp() - 1,
                ..claims
            })
            .unwrap();
        assert!(keys.check(&expired).is_none());
    }
}
