//! What a message says and how each channel's receiver wants it: the [`Alert`] itself (generic
//! webhooks), Slack's `{"text"}`, a Teams message card, an email's subject and body; the links
//! to the dashboard's pages; and what may be shown of a channel's secret.

use dashboard_shared::alerts::{Alert, ChannelSettings, Condition, WebhookFormat};
use dashboard_shared::pages::Page;
use serde_json::{Value, json};

use crate::config::Config;
use crate::store::alerts::{ChannelRow, RuleRow};

/// A stored rule's condition and channels; an error names what cannot be read.
pub(crate) fn parse_rule(row: &RuleRow) -> Result<(Condition, Vec<i64>), String> {
    let condition = serde_json::from_str(&row.values.condition).map_err(|error| {
        format!(
            "the alert rule `{}` has an unreadable condition: {error}",
            row.values.name
        )
    })?;
    let channels = serde_json::from_str(&row.values.channels).map_err(|error| {
        format!(
            "the alert rule `{}` has unreadable channels: {error}",
            row.values.name
        )
    })?;
    Ok((condition, channels))
}

/// A stored channel's settings; an error names the channel.
pub(crate) fn parse_channel(row: &ChannelRow) -> Result<ChannelSettings, String> {
    serde_json::from_str(&row.settings).map_err(|error| {
        format!(
            "the alert channel `{}` has unreadable settings: {error}",
            row.name
        )
    })
}

/// What may be shown of a channel's secret: a webhook URL's scheme, host and port (its path and
/// query often hold the token), or whether an SMTP password is set.
pub(crate) fn secret_hint(settings: &ChannelSettings, secret: &str) -> String {
    match settings {
        ChannelSettings::Webhook { .. } => match reqwest::Url::parse(secret) {
            Ok(url) => format!(
                "{}://{}{}/…",
                url.scheme(),
                url.host_str().unwrap_or("?"),
                url.port()
                    .map(|port| format!(":{port}"))
                    .unwrap_or_default()
            ),
            Err(_) => "no valid URL".to_owned(),
        },
        ChannelSettings::Email { .. } if secret.is_empty() => "no password".to_owned(),
        ChannelSettings::Email { .. } => "password set".to_owned(),
    }
}

/// The address of a dashboard page (`path` from [`Page::path`], with its query): absolute under
/// `PUBLIC_URL`, else a path under the dashboard's link.
pub(crate) fn link(config: &Config, path: &str) -> String {
    format!(
        "{}/{}{path}",
        config.public_url.as_deref().unwrap_or_default(),
        config.custom_link
    )
}

/// The path of an exception group's detail.
pub(crate) fn exception_path(group: i32) -> String {
    format!(
        "{}?{}={group}",
        Page::Exceptions.path(),
        dashboard_shared::page_query::EXCEPTION
    )
}

/// A webhook's body in its receiver's `format`.
pub(crate) fn webhook_body(format: WebhookFormat, alert: &Alert) -> Value {
    match format {
        WebhookFormat::Generic => serde_json::to_value(alert).unwrap_or(Value::Null),
        WebhookFormat::Slack => json!({ "text": plain_text(alert) }),
        WebhookFormat::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": alert.title,
            "themeColor": if alert.firing { "D7263D" } else { "2E7D32" },
            "title": alert.title,
            "text": alert.lines.join("<br>"),
            "potentialAction": [{
                "@type": "OpenUri",
                "name": "Open in the dashboard",
                "targets": [{ "os": "default", "uri": alert.link }],
            }],
        }),
    }
}

/// An email's subject.
pub(crate) fn email_subject(alert: &Alert) -> String {
    format!("[dashboard] {}", alert.title)
}

/// The message as text: the title, the details and the link, one per line.
pub(crate) fn plain_text(alert: &Alert) -> String {
    let mut text = alert.title.clone();
    for line in &alert.lines {
        text.push('\n');
        text.push_str(line);
    }
    text.push('\n');
    text.push_str(&alert.link);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use dashboard_shared::alerts::SmtpSecurity;

    fn alert() -> Alert {
        Alert {
            rule: Some("Errors".into()),
            title: "New exception: Timeout".into(),
            lines: vec!["GET /checkout".into(), "3 occurrences".into()],
            link: "https://shop.example.com/dashboard/exceptions?exception=4".into(),
            firing: true,
            time: chrono::Utc::now(),
        }
    }

    #[test]
    fn each_receiver_gets_its_shape() {
        let alert = alert();
        let generic = webhook_body(WebhookFormat::Generic, &alert);
        assert_eq!(serde_json::from_value::<Alert>(generic).unwrap(), alert);
        let slack = webhook_body(WebhookFormat::Slack, &alert);
        assert_eq!(
            slack["text"],
            "New exception: Timeout\nGET /checkout\n3 occurrences\nhttps://shop.example.com/dashboard/exceptions?exception=4"
        );
        let teams = webhook_body(WebhookFormat::Teams, &alert);
        assert_eq!(teams["@type"], "MessageCard");
        assert_eq!(teams["potentialAction"][0]["targets"][0]["uri"], alert.link);
        assert_eq!(email_subject(&alert), "[dashboard] New exception: Timeout");
    }

    #[test]
    fn a_hint_never_shows_a_token() {
        let webhook = ChannelSettings::Webhook {
            format: WebhookFormat::Slack,
        };
        let hint = secret_hint(
            &webhook,
            "https://hooks.slack.com/services/T0/B0/secret-token",
        );
        assert_eq!(hint, "https://hooks.slack.com/…");
        let email = ChannelSettings::Email {
            host: "smtp.example.com".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: "alerts".into(),
            from: "alerts@example.com".into(),
            to: vec!["team@example.com".into()],
        };
        assert_eq!(secret_hint(&email, "hunter22"), "password set");
        assert_eq!(secret_hint(&email, ""), "no password");
    }

    #[test]
    fn links_start_with_the_public_address() {
        let mut config = Config::default();
        assert_eq!(
            link(&config, &exception_path(4)),
            "/dashboard/exceptions?exception=4"
        );
        config.public_url = Some("https://shop.example.com".into());
        assert_eq!(
            link(&config, &Page::Endpoint(2).path()),
            "https://shop.example.com/dashboard/endpoint/2"
        );
    }
}
