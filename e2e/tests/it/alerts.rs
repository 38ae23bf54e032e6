//! The Alerts page in the browser: an admin adds a Slack-style webhook channel and a rule,
//! presses "Send test" and the receiver (started here) gets the sample; a guest then sees the
//! rule, the channel's host and the delivery, but neither the webhook's token nor any control
//! that changes something.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use dashboard_e2e::{ADMIN_PASSWORD, Browser, Demo};
use dashboard_shared::alerts::Outcome;
use dashboard_shared::dom::*;
use dashboard_shared::pages::Page;
use dashboard_test_servers::receivers::WebhookReceiver;
use fantoccini::Locator;

const GUEST_PASSWORD: &str = "alerts-guest-password";

/// The secret part of the webhook's URL.
const TOKEN: &str = "T0KEN-of-the-team-chat";

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn an_admin_sets_up_a_webhook_and_a_guest_sees_no_secret() -> Result<()> {
    let hook = WebhookReceiver::start().await?;
    let demo = Demo::start_with(&[("DASHBOARD_GUEST_PASSWORD", GUEST_PASSWORD)])?;
    let browser = Browser::start().await?;
    let result = walk(&demo, &browser, &hook).await;
    if result.is_err() {
        let shot = browser.screenshot("alerts-failure").await?;
        eprintln!("screenshot of the failure: {}", shot.display());
    }
    result?;
    browser.close().await
}

/// The delivery log's row of a sent message.
fn sent_delivery() -> String {
    format!(
        "#{ALERT_DELIVERIES} tr[data-outcome='{}']",
        Outcome::Sent.as_str()
    )
}

async fn type_into(browser: &Browser, id: &str, text: &str) -> Result<()> {
    browser
        .wait_for(&format!("#{id}"))
        .await?
        .send_keys(text)
        .await?;
    Ok(())
}

async fn walk(demo: &Demo, browser: &Browser, hook: &WebhookReceiver) -> Result<()> {
    let client = &browser.client;
    let dashboard = demo.dashboard();
    browser.log_in(&dashboard, "admin", ADMIN_PASSWORD).await?;
    browser.visit(&dashboard, Page::Alerts, "").await?;

    type_into(browser, CHANNEL_NAME, "Team chat").await?;
    browser
        .wait_for(&format!("#{CHANNEL_FORMAT} option[value='1']"))
        .await?
        .click()
        .await?;
    type_into(
        browser,
        CHANNEL_SECRET,
        &hook.url(&format!("/hooks/{TOKEN}")),
    )
    .await?;
    client
        .find(Locator::Id(SAVE_CHANNEL))
        .await?
        .click()
        .await?;
    browser.wait_for("tr[data-channel='Team chat']").await?;

    type_into(browser, RULE_NAME, "New exceptions").await?;
    browser
        .wait_for("input[data-channel='Team chat']")
        .await?
        .click()
        .await?;
    client.find(Locator::Id(SAVE_RULE)).await?.click().await?;
    let rule = browser.wait_for("tr[data-rule='New exceptions']").await?;
    ensure!(
        rule.text().await?.contains("Team chat"),
        "the rule names its channel: {}",
        rule.text().await?
    );

    browser
        .wait_for("tr[data-channel='Team chat'] [data-action='test-channel']")
        .await?
        .click()
        .await?;
    let bodies = hook.wait_for(1, Duration::from_secs(20)).await?;
    let text = bodies[0]["text"]
        .as_str()
        .context("a Slack payload has text")?;
    ensure!(
        text.starts_with("Test message to the channel `Team chat`"),
        "{text}"
    );
    browser.wait_for(&sent_delivery()).await?;
    let message = client
        .find(Locator::Id(ALERT_MESSAGE))
        .await?
        .text()
        .await?;
    ensure!(
        message == "The test message went to `Team chat`.",
        "{message}"
    );
    browser.screenshot("alerts-admin").await?;

    client.find(Locator::Id(LOGOUT)).await?.click().await?;
    browser.wait_for(&format!("#{USERNAME}")).await?;
    browser.log_in(&dashboard, "guest", GUEST_PASSWORD).await?;
    browser.visit(&dashboard, Page::Alerts, "").await?;
    browser.wait_for("tr[data-rule='New exceptions']").await?;
    browser.wait_for(&sent_delivery()).await?;
    let hint = browser
        .wait_for("tr[data-channel='Team chat'] td.secret-hint")
        .await?
        .text()
        .await?;
    ensure!(hint == format!("{}/…", hook.url("")), "{hint}");
    let source = client.source().await?;
    ensure!(
        !source.contains(TOKEN),
        "the page shows the webhook's token"
    );
    ensure!(
        client
            .find_all(Locator::Css("[data-action]"))
            .await?
            .is_empty(),
        "no change control for a guest"
    );
    ensure!(
        client.find_all(Locator::Id(RULE_FORM)).await?.is_empty()
            && client.find_all(Locator::Id(CHANNEL_FORM)).await?.is_empty(),
        "no form for a guest"
    );
    browser.screenshot("alerts-guest").await?;
    Ok(())
}
