//! Roles in the browser: an admin creates a guest account, logs out, logs in as that guest, who
//! finds no control that changes anything.

use dashboard_e2e::{ADMIN_PASSWORD, Browser, Demo};
use dashboard_shared::dom::*;
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs the demo binary, a built frontend and Chromium: run `cargo xtask test`"]
async fn an_admin_creates_a_guest_who_can_change_nothing() -> anyhow::Result<()> {
    let demo = Demo::start()?;
    reqwest::get(format!("{}/users/1", demo.base)).await?;
    let browser = Browser::start().await?;
    let result = walk(&demo, &browser).await;
    if result.is_err() {
        let shot = browser.screenshot("access-failure").await?;
        eprintln!("screenshot of the failure: {}", shot.display());
    }
    result?;
    browser.close().await
}

async fn walk(demo: &Demo, browser: &Browser) -> anyhow::Result<()> {
    let client = &browser.client;

    browser
        .log_in(&demo.dashboard(), "admin", ADMIN_PASSWORD)
        .await?;
    browser.open("Configuration").await?;
    browser.wait_for(&format!("#{NEW_USER}")).await?;
    client
        .find(Locator::Id(NEW_USERNAME))
        .await?
        .send_keys("viewer")
        .await?;
    client
        .find(Locator::Id(NEW_PASSWORD))
        .await?
        .send_keys("viewer-password")
        .await?;
    client
        .find(Locator::Id(NEW_PASSWORD_REPEAT))
        .await?
        .send_keys("viewer-password")
        .await?;
    client.find(Locator::Id(CREATE_USER)).await?.click().await?;
    let row = browser.wait_for("tr[data-user='viewer']").await?;
    assert_eq!(
        row.find(Locator::Css("td.role")).await?.text().await?,
        "guest"
    );
    let admin_controls = client.find_all(Locator::Css("[data-action]")).await?.len();
    assert!(
        admin_controls >= 3,
        "an admin sees change controls ({admin_controls})"
    );
    browser.screenshot("configuration-admin").await?;

    client.find(Locator::Id(LOGOUT)).await?.click().await?;
    browser.wait_for(&format!("#{USERNAME}")).await?;
    browser
        .log_in(&demo.dashboard(), "viewer", "viewer-password")
        .await?;
    assert_eq!(
        client.find(Locator::Id(WHOAMI)).await?.text().await?,
        "viewer (guest)"
    );
    assert!(
        client
            .find_all(Locator::Css("[data-action]"))
            .await?
            .is_empty(),
        "no change control on the overview"
    );
    browser.open("Configuration").await?;
    browser.wait_for(&format!("#{DEPLOYMENT}")).await?;
    assert!(
        client
            .find_all(Locator::Css("[data-action]"))
            .await?
            .is_empty(),
        "no change control on the configuration page"
    );
    assert!(
        client.find_all(Locator::Id(USERS)).await?.is_empty(),
        "guests do not see the accounts"
    );
    assert_eq!(
        client
            .find(Locator::Id("total-requests"))
            .await?
            .text()
            .await?,
        "1"
    );
    browser.screenshot("configuration-guest").await?;
    Ok(())
}
