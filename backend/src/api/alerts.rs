//! The Alerts page's API: anyone with a session reads the rules, the channels (never their
//! secrets) and the delivery log; admins create, change, mute and remove rules and channels
//! and send a channel a test message.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dashboard_shared::ErrorBody;
use dashboard_shared::alerts::{
    Alerts, Channel, ChannelInput, ChannelSettings, Condition, MAX_WINDOW_MINUTES, Rule, RuleInput,
    TestDelivery,
};
use dashboard_shared::api::{self as routes, Route};

use super::extract::{ApiJson, ApiPath};
use super::session::{AdminSession, Session};
use super::{Answer, ApiError, ApiState, BodyOf, views};
use crate::store::alerts::RuleValues;

/// Deliveries the page shows.
const DELIVERIES_SHOWN: u64 = 100;

/// The longest quiet period, in minutes: a day.
const MAX_QUIET_MINUTES: u32 = 1440;

/// The rules, the channels without their secrets and the latest deliveries.
#[utoipa::path(
    get,
    path = routes::Alerts::PATH,
    tag = "read",
    security(("session" = [])),
    responses((status = 200, body = Alerts), (status = 401, body = ErrorBody))
)]
pub(super) async fn alerts(
    State(state): State<ApiState>,
    _session: Session,
) -> Answer<routes::Alerts> {
    let rules = state.store.alert_rules().await?;
    let firing = state.store.firing_rules().await?;
    let channels = state.store.alert_channels().await?;
    let deliveries = state.store.deliveries(DELIVERIES_SHOWN).await?;
    Ok(Json(Alerts {
        rules: rules
            .into_iter()
            .filter_map(|rule| views::alert_rule(rule, &firing))
            .collect(),
        channels: channels
            .into_iter()
            .filter_map(views::alert_channel)
            .collect(),
        deliveries: deliveries.into_iter().map(views::delivery).collect(),
    }))
}

/// Creates a rule.
#[utoipa::path(
    post,
    path = routes::CreateAlertRule::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = RuleInput,
    responses(
        (status = 201, body = Rule),
        (status = 400, body = ErrorBody, description = "A setting is out of range or names no channel"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub(super) async fn create_rule(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiJson(input): BodyOf<routes::CreateAlertRule>,
) -> Result<(StatusCode, Json<Rule>), ApiError> {
    let values = rule_values(&state, &input).await?;
    let id = state
        .store
        .insert_alert_rule(values, chrono::Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(stored_rule(&state, id).await?)))
}

/// Changes a rule; a changed condition forgets what the rule told.
#[utoipa::path(
    put,
    path = routes::UpdateAlertRule::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The rule's id")),
    request_body = RuleInput,
    responses(
        (status = 200, body = Rule),
        (status = 400, body = ErrorBody, description = "A setting is out of range or names no channel"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub(super) async fn update_rule(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
    ApiJson(input): BodyOf<routes::UpdateAlertRule>,
) -> Answer<routes::UpdateAlertRule> {
    let before = state
        .store
        .alert_rule(id)
        .await?
        .ok_or(ApiError::NotFound("no such alert rule"))?;
    let values = rule_values(&state, &input).await?;
    let condition_changed = values.condition != before.values.condition;
    if !state
        .store
        .update_alert_rule(id, values, condition_changed)
        .await?
    {
        return Err(ApiError::NotFound("no such alert rule"));
    }
    Ok(Json(stored_rule(&state, id).await?))
}

/// Removes a rule.
#[utoipa::path(
    delete,
    path = routes::DeleteAlertRule::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The rule's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn delete_rule(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_alert_rule(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no such alert rule"))
    }
}

/// Creates a channel.
#[utoipa::path(
    post,
    path = routes::CreateAlertChannel::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    request_body = ChannelInput,
    responses(
        (status = 201, body = Channel),
        (status = 400, body = ErrorBody, description = "A setting is missing or malformed"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub(super) async fn create_channel(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiJson(input): BodyOf<routes::CreateAlertChannel>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let secret = input
        .secret
        .clone()
        .or_else(|| matches!(input.settings, ChannelSettings::Email { .. }).then(String::new))
        .ok_or_else(|| {
            ApiError::BadRequest("a webhook channel needs its URL as secret".to_owned())
        })?;
    let (name, settings) = channel_values(&input, &secret)?;
    let id = state
        .store
        .insert_alert_channel(&name, &settings, &secret)
        .await?;
    Ok((StatusCode::CREATED, Json(stored_channel(&state, id).await?)))
}

/// Changes a channel; without a secret, the saved one stays.
#[utoipa::path(
    put,
    path = routes::UpdateAlertChannel::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The channel's id")),
    request_body = ChannelInput,
    responses(
        (status = 200, body = Channel),
        (status = 400, body = ErrorBody, description = "A setting is missing or malformed"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub(super) async fn update_channel(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
    ApiJson(input): BodyOf<routes::UpdateAlertChannel>,
) -> Answer<routes::UpdateAlertChannel> {
    let before = state
        .store
        .alert_channel(id)
        .await?
        .ok_or(ApiError::NotFound("no such alert channel"))?;
    let secret = input.secret.as_deref().unwrap_or(&before.secret);
    let (name, settings) = channel_values(&input, secret)?;
    if !state
        .store
        .update_alert_channel(id, &name, &settings, input.secret.as_deref())
        .await?
    {
        return Err(ApiError::NotFound("no such alert channel"));
    }
    Ok(Json(stored_channel(&state, id).await?))
}

/// Removes a channel.
#[utoipa::path(
    delete,
    path = routes::DeleteAlertChannel::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The channel's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn delete_channel(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_alert_channel(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no such alert channel"))
    }
}

/// Sends a sample message to a channel now (once, at most 10 s) and logs it.
#[utoipa::path(
    post,
    path = routes::TestAlertChannel::PATH,
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    params(("id" = i32, Path, description = "The channel's id")),
    responses(
        (status = 200, body = TestDelivery, description = "Sent, or failed with the reason in the delivery"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    )
)]
pub(super) async fn test_channel(
    State(state): State<ApiState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<i32>,
) -> Answer<routes::TestAlertChannel> {
    let delivery = crate::alerts::test_channel(&state.store, &state.config, id)
        .await?
        .ok_or(ApiError::NotFound("no such alert channel"))?;
    Ok(Json(TestDelivery {
        delivery: views::delivery(delivery),
    }))
}

async fn stored_rule(state: &ApiState, id: i32) -> Result<Rule, ApiError> {
    let row = state
        .store
        .alert_rule(id)
        .await?
        .ok_or(ApiError::NotFound("no such alert rule"))?;
    let firing = state.store.firing_rules().await?;
    views::alert_rule(row, &firing).ok_or_else(|| ApiError::Internal("unreadable rule".to_owned()))
}

async fn stored_channel(state: &ApiState, id: i32) -> Result<Channel, ApiError> {
    let row = state
        .store
        .alert_channel(id)
        .await?
        .ok_or(ApiError::NotFound("no such alert channel"))?;
    views::alert_channel(row).ok_or_else(|| ApiError::Internal("unreadable channel".to_owned()))
}

/// A name of 1 to 200 characters without control characters, trimmed.
fn checked_name(name: &str, what: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "the {what}'s name must have 1 to 200 characters and no control characters"
        )));
    }
    Ok(name.to_owned())
}

/// A rule's values once every setting is in range and every channel exists.
async fn rule_values(state: &ApiState, input: &RuleInput) -> Result<RuleValues, ApiError> {
    let name = checked_name(&input.name, "rule")?;
    let bad = |message: String| Err(ApiError::BadRequest(message));
    if input.quiet_minutes > MAX_QUIET_MINUTES {
        return bad(format!("quiet_minutes must be 0 to {MAX_QUIET_MINUTES}"));
    }
    match &input.condition {
        Condition::ExceptionBack { quiet_days } if !(1..=365).contains(quiet_days) => {
            return bad("quiet_days must be 1 to 365".to_owned());
        }
        Condition::Threshold {
            bound,
            window_minutes,
            ..
        } if !(1..=MAX_WINDOW_MINUTES).contains(window_minutes)
            || !bound.is_finite()
            || *bound < 0.0 =>
        {
            return bad(format!(
                "a threshold needs window_minutes from 1 to {MAX_WINDOW_MINUTES} and a bound of 0 or more"
            ));
        }
        Condition::Pipeline { minutes } if !(1..=MAX_WINDOW_MINUTES).contains(minutes) => {
            return bad(format!("minutes must be 1 to {MAX_WINDOW_MINUTES}"));
        }
        _ => {}
    }
    let channels: Vec<i64> = state
        .store
        .alert_channels()
        .await?
        .iter()
        .map(|channel| i64::from(channel.id))
        .collect();
    if let Some(missing) = input.channels.iter().find(|id| !channels.contains(id)) {
        return bad(format!("there is no alert channel {missing}"));
    }
    let mut wanted = input.channels.clone();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(RuleValues {
        name,
        condition: serde_json::to_string(&input.condition)
            .map_err(|error| ApiError::Internal(error.to_string()))?,
        channels: serde_json::to_string(&wanted)
            .map_err(|error| ApiError::Internal(error.to_string()))?,
        quiet_minutes: i32::try_from(input.quiet_minutes).unwrap_or(0),
        muted: input.muted,
    })
}

/// A channel's name and settings (JSON) once they, and `secret`, can be used.
fn channel_values(input: &ChannelInput, secret: &str) -> Result<(String, String), ApiError> {
    let name = checked_name(&input.name, "channel")?;
    let bad = |message: String| Err(ApiError::BadRequest(message));
    match &input.settings {
        ChannelSettings::Webhook { .. } => {
            let parsed = reqwest::Url::parse(secret);
            if !parsed.as_ref().is_ok_and(|url| {
                matches!(url.scheme(), "http" | "https") && url.host_str().is_some()
            }) {
                return bad("a webhook's secret must be its http:// or https:// URL".to_owned());
            }
        }
        ChannelSettings::Email {
            host,
            port,
            from,
            to,
            ..
        } => {
            if host.trim().is_empty() || host.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return bad("an email channel needs its SMTP server's host name".to_owned());
            }
            if *port == 0 {
                return bad("the SMTP port must be 1 to 65535".to_owned());
            }
            if to.is_empty() {
                return bad("an email channel needs at least one recipient".to_owned());
            }
            for address in to.iter().chain([from]) {
                if address.parse::<lettre::Address>().is_err() {
                    return bad(format!("`{address}` is not an email address"));
                }
            }
        }
    }
    let settings = serde_json::to_string(&input.settings)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok((name, settings))
}
