//! Alerts: the rules that raise them, the channels they go to and the delivery log, as the
//! Alerts page and its API exchange them. A channel's secret (an SMTP password, a webhook's
//! URL) goes in and never comes back out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A rule's quiet period unless set: after a message, further ones wait this long and go as one.
pub const DEFAULT_QUIET_MINUTES: u32 = 15;

/// The longest window a threshold rule reads, in minutes (the per-minute rollup keeps two hours).
pub const MAX_WINDOW_MINUTES: u32 = 60;

/// What a threshold rule measures over its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Requests answered with a status of 500 or more, in percent of all requests.
    ErrorPercent,
    /// The 95th percentile of the latency, in milliseconds.
    P95Ms,
    /// Requests per minute.
    RequestsPerMinute,
}

impl Metric {
    /// Every metric, in the order the form offers them.
    pub const ALL: [Metric; 3] = [
        Metric::ErrorPercent,
        Metric::P95Ms,
        Metric::RequestsPerMinute,
    ];

    /// Its name in messages and on the page.
    pub fn label(self) -> &'static str {
        match self {
            Metric::ErrorPercent => "error ratio (%)",
            Metric::P95Ms => "p95 latency (ms)",
            Metric::RequestsPerMinute => "requests per minute",
        }
    }
}

/// What raises an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// An exception group's first occurrence.
    NewException,
    /// An exception group that occurs again after `quiet_days` days or more without.
    ExceptionBack {
        /// Days without an occurrence (at least 1).
        quiet_days: u32,
    },
    /// The automatic comparison of a new version finds endpoints significantly slower (Mood's
    /// test).
    Regression,
    /// A metric of one endpoint (or of the whole application) crosses a bound over the last
    /// `window_minutes`; told once when it crosses and once when it recovers.
    Threshold {
        /// The endpoint's id; `None` for every endpoint together.
        endpoint: Option<i64>,
        /// What is measured.
        metric: Metric,
        /// `true`: fires above `bound`; `false`: fires below it.
        above: bool,
        /// The bound.
        bound: f64,
        /// The window, 1 to [`MAX_WINDOW_MINUTES`] minutes.
        window_minutes: u32,
    },
    /// A process drops measurements, or its writer stores none while some wait, over the last
    /// `minutes`; told once when it starts and once when it ends.
    Pipeline {
        /// The window, 1 to [`MAX_WINDOW_MINUTES`] minutes.
        minutes: u32,
    },
}

impl Condition {
    /// A sentence that says what the condition watches.
    pub fn describe(&self) -> String {
        match self {
            Condition::NewException => "a new exception group".to_owned(),
            Condition::ExceptionBack { quiet_days } => {
                format!("an exception group back after {quiet_days} days or more without")
            }
            Condition::Regression => "a new version significantly slower".to_owned(),
            Condition::Threshold {
                endpoint,
                metric,
                above,
                bound,
                window_minutes,
            } => format!(
                "{} of {} {} {bound} over {window_minutes} min",
                metric.label(),
                endpoint.map_or_else(
                    || "the application".to_owned(),
                    |id| format!("endpoint {id}")
                ),
                if *above { "above" } else { "below" },
            ),
            Condition::Pipeline { minutes } => {
                format!("measurements dropped or the writer stalled for {minutes} min")
            }
        }
    }
}

/// A rule as created or changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInput {
    /// Its name, 1 to 200 characters.
    pub name: String,
    /// What raises it.
    pub condition: Condition,
    /// The ids of the channels it goes to.
    pub channels: Vec<i64>,
    /// After a message, how long further ones wait and are grouped, in minutes (0 to 1440).
    pub quiet_minutes: u32,
    /// Muted: evaluated, never sent.
    pub muted: bool,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// Its id.
    pub id: i64,
    /// Its settings.
    #[serde(flatten)]
    pub rule: RuleInput,
    /// Whether a threshold or pipeline rule's condition holds, as last told.
    pub firing: bool,
    /// When it last sent a message.
    pub last_sent: Option<DateTime<Utc>>,
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// TLS from the start (port 465).
    Tls,
    /// Plain, then `STARTTLS` before anything else (port 587); refused when the server cannot.
    Starttls,
    /// Plain text: only for a relay on the same host or network.
    None,
}

impl SmtpSecurity {
    /// Every choice, in the order the form offers them.
    pub const ALL: [SmtpSecurity; 3] = [
        SmtpSecurity::Starttls,
        SmtpSecurity::Tls,
        SmtpSecurity::None,
    ];

    /// Its name on the page.
    pub fn label(self) -> &'static str {
        match self {
            SmtpSecurity::Tls => "TLS (port 465)",
            SmtpSecurity::Starttls => "STARTTLS (port 587)",
            SmtpSecurity::None => "none (a local relay)",
        }
    }
}

/// The payload a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// The [`Alert`] as JSON.
    Generic,
    /// A Slack (or Rocket.Chat, Mattermost) incoming webhook's `{"text": …}`.
    Slack,
    /// A Microsoft Teams incoming webhook's message card.
    Teams,
}

impl WebhookFormat {
    /// Every format, in the order the form offers them.
    pub const ALL: [WebhookFormat; 3] = [
        WebhookFormat::Generic,
        WebhookFormat::Slack,
        WebhookFormat::Teams,
    ];

    /// Its name on the page.
    pub fn label(self) -> &'static str {
        match self {
            WebhookFormat::Generic => "generic JSON",
            WebhookFormat::Slack => "Slack, Rocket.Chat, Mattermost",
            WebhookFormat::Teams => "Microsoft Teams",
        }
    }
}

/// Where a channel sends, except its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelSettings {
    /// Email over SMTP; the secret is the password (empty: no login).
    Email {
        /// The SMTP server's host name.
        host: String,
        /// Its port (465 for TLS, 587 for STARTTLS, 25 plain).
        port: u16,
        /// How the connection is secured.
        security: SmtpSecurity,
        /// The login's user name; empty for none.
        username: String,
        /// The sender's address.
        from: String,
        /// The recipients' addresses.
        to: Vec<String>,
    },
    /// An HTTP POST of JSON; the secret is the URL (which often holds a token).
    Webhook {
        /// The payload's shape.
        format: WebhookFormat,
    },
}

/// A channel as created or changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelInput {
    /// Its name, 1 to 200 characters.
    pub name: String,
    /// Where it sends.
    pub settings: ChannelSettings,
    /// The SMTP password or the webhook's URL; `None` (on a change) keeps the saved one.
    pub secret: Option<String>,
}

/// A stored channel: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Where it sends.
    pub settings: ChannelSettings,
    /// What may be shown of the secret: a webhook URL's scheme and host, or whether a password
    /// is set.
    pub secret_hint: String,
}

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver took it.
    Sent,
    /// Every attempt failed.
    Failed,
}

impl Outcome {
    /// Its name in the database and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Sent => "sent",
            Outcome::Failed => "failed",
        }
    }

    /// The outcome named `name`.
    pub fn named(name: &str) -> Option<Outcome> {
        [Outcome::Pending, Outcome::Sent, Outcome::Failed]
            .into_iter()
            .find(|outcome| outcome.as_str() == name)
    }
}

/// One message as every channel gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    /// The rule's name; `None` for a test message.
    pub rule: Option<String>,
    /// One line: what happened.
    pub title: String,
    /// The details, one per line.
    pub lines: Vec<String>,
    /// The dashboard page that shows it (absolute with `PUBLIC_URL`, else a path).
    pub link: String,
    /// `false` when the message says a condition ended ("resolved").
    pub firing: bool,
    /// When it was made.
    pub time: DateTime<Utc>,
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// When the message was made.
    pub time: DateTime<Utc>,
    /// The rule's name; `None` for a test message.
    pub rule: Option<String>,
    /// The channel's name.
    pub channel: String,
    /// The message's title.
    pub title: String,
    /// What happened.
    pub outcome: Outcome,
    /// Attempts so far.
    pub attempts: u32,
    /// The latest attempt's error.
    pub error: Option<String>,
}

/// The Alerts page: rules, channels (without secrets) and the latest 100 deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alerts {
    /// Every rule, by name.
    pub rules: Vec<Rule>,
    /// Every channel, by name.
    pub channels: Vec<Channel>,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<Delivery>,
}

/// The answer of a channel's test: the delivery of its sample message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestDelivery {
    /// What happened.
    pub delivery: Delivery,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_reads_back_from_its_json() {
        let rule = Rule {
            id: 3,
            rule: RuleInput {
                name: "Slow checkout".into(),
                condition: Condition::Threshold {
                    endpoint: Some(4),
                    metric: Metric::P95Ms,
                    above: true,
                    bound: 250.0,
                    window_minutes: 5,
                },
                channels: vec![1, 2],
                quiet_minutes: DEFAULT_QUIET_MINUTES,
                muted: false,
            },
            firing: false,
            last_sent: None,
        };
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["condition"]["kind"], "threshold");
        assert_eq!(json["condition"]["metric"], "p95_ms");
        assert_eq!(json["name"], "Slow checkout");
        assert_eq!(serde_json::from_value::<Rule>(json).unwrap(), rule);
        assert_eq!(
            rule.rule.condition.describe(),
            "p95 latency (ms) of endpoint 4 above 250 over 5 min"
        );
    }

    #[test]
    fn outcomes_read_back_from_their_names() {
        for outcome in [Outcome::Pending, Outcome::Sent, Outcome::Failed] {
            assert_eq!(Outcome::named(outcome.as_str()), Some(outcome));
        }
        assert_eq!(Outcome::named("lost"), None);
    }
}
