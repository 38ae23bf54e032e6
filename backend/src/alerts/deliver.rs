//! Sending a logged message to its channel: email over SMTP with `lettre`, webhooks with
//! `reqwest`; one attempt per call, recorded in the delivery log. No error that is logged or
//! stored holds a channel's secret: webhook errors drop their URL.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::Utc;
use dashboard_shared::alerts::{Alert, ChannelSettings, Outcome, SmtpSecurity};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::DbErr;

use super::message::{email_subject, link, parse_channel, plain_text, webhook_body};
use crate::config::Config;
use crate::exception::error_chain;
use crate::store::Store;
use crate::store::alerts::{ChannelRow, DeliveryRow};
use dashboard_shared::pages::Page;

/// How long one attempt may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What one attempt at a delivery came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// The receiver took the message.
    Sent,
    /// It failed; the next attempt is due after the wait.
    Retry(Duration),
    /// It failed and the retries ran out (or the channel is gone): logged as failed.
    Failed,
    /// Not this worker's: the delivery is not pending at that attempt (another process took
    /// it, or it is done).
    Taken,
}

/// Makes attempt number `attempt` (from 1) at the delivery `id`: sends it, records the
/// outcome, and says whether to try again and when.
pub(crate) async fn attempt(
    store: &Store,
    config: &Config,
    id: i64,
    attempt: u32,
) -> Result<Attempt, DbErr> {
    let number = i32::try_from(attempt).unwrap_or(i32::MAX);
    if !store.start_attempt(id, number).await? {
        return Ok(Attempt::Taken);
    }
    let Some(delivery) = store.delivery(id).await? else {
        return Ok(Attempt::Taken);
    };
    let Some(channel) = store.alert_channel(delivery.channel_id).await? else {
        // Nothing to try again with.
        let error = "the channel was removed";
        store
            .finish_attempt(id, Outcome::Failed, Some(error))
            .await?;
        return Ok(Attempt::Failed);
    };
    let error = match send_logged(&channel, &delivery).await {
        Ok(()) => {
            store.finish_attempt(id, Outcome::Sent, None).await?;
            return Ok(Attempt::Sent);
        }
        Err(error) => error,
    };
    let retries_left = attempt <= config.alert_retries;
    let outcome = if retries_left {
        Outcome::Pending
    } else {
        Outcome::Failed
    };
    store.finish_attempt(id, outcome, Some(&error)).await?;
    tracing::warn!(
        delivery = id,
        attempt,
        channel = %delivery.channel_name,
        %error,
        "an alert was not delivered{}",
        if retries_left { "; it will be tried again" } else { "; giving up" }
    );
    Ok(if retries_left {
        let doubling = 2_u64.saturating_pow(attempt.saturating_sub(1));
        Attempt::Retry(Duration::from_secs(
            config.alert_retry_seconds.saturating_mul(doubling),
        ))
    } else {
        Attempt::Failed
    })
}

/// Sends a sample message to the channel `id` now, once, and logs it: the delivery as logged;
/// `None` when there is no such channel.
pub(crate) async fn test_channel(
    store: &Store,
    config: &Config,
    id: i32,
) -> Result<Option<DeliveryRow>, DbErr> {
    let Some(channel) = store.alert_channel(id).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let alert = Alert {
        rule: None,
        title: format!("Test message to the channel `{}`", channel.name),
        lines: vec!["If you read this, the dashboard's alerts reach you here.".to_owned()],
        link: link(config, &Page::Alerts.path()),
        firing: true,
        time: now,
    };
    let message = serde_json::to_string(&alert).unwrap_or_default();
    let delivery = store.insert_delivery(now, None, &channel, &message).await?;
    store.start_attempt(delivery, 1).await?;
    match send(&channel, &alert).await {
        Ok(()) => store.finish_attempt(delivery, Outcome::Sent, None).await?,
        Err(error) => {
            store
                .finish_attempt(delivery, Outcome::Failed, Some(&error))
                .await?;
        }
    }
    store.delivery(delivery).await
}

async fn send_logged(channel: &ChannelRow, delivery: &DeliveryRow) -> Result<(), String> {
    let alert: Alert = serde_json::from_str(&delivery.message)
        .map_err(|error| format!("the logged message cannot be read: {error}"))?;
    send(channel, &alert).await
}

/// Sends `alert` to `channel`; the error says why, without the secret.
async fn send(channel: &ChannelRow, alert: &Alert) -> Result<(), String> {
    match parse_channel(channel)? {
        ChannelSettings::Webhook { format } => {
            let response = client()
                .post(channel.secret.as_str())
                .json(&webhook_body(format, alert))
                .send()
                .await
                .map_err(|error| error_chain(&error.without_url()))?;
            let status = response.status();
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("the webhook answered {status}"))
            }
        }
        ChannelSettings::Email {
            host,
            port,
            security,
            username,
            from,
            to,
        } => {
            let mut message = lettre::Message::builder()
                .from(
                    from.parse()
                        .map_err(|error| format!("the sender `{from}`: {error}"))?,
                )
                .subject(email_subject(alert))
                .header(ContentType::TEXT_PLAIN);
            for address in &to {
                message = message.to(address
                    .parse()
                    .map_err(|error| format!("the recipient `{address}`: {error}"))?);
            }
            let message = message
                .body(plain_text(alert))
                .map_err(|error| format!("cannot make the email: {error}"))?;
            let transport = match security {
                SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&host),
                SmtpSecurity::Starttls => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
                }
                SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                    &host,
                )),
            }
            .map_err(|error| error_chain(&error))?;
            let mut transport = transport.port(port).timeout(Some(SEND_TIMEOUT));
            if !username.is_empty() {
                transport =
                    transport.credentials(Credentials::new(username, channel.secret.clone()));
            }
            transport
                .build()
                .send(message)
                .await
                .map(drop)
                .map_err(|error| error_chain(&error))
        }
    }
}

/// The HTTP client of the webhooks: a timeout, no redirects (a receiver moved elsewhere is an
/// error to see, not to follow).
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}
