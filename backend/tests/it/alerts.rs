//! Alerts with real receivers that the tests start: an SMTP server (aiosmtpd) and a webhook
//! receiver. A new exception is told once by each channel however often it recurs, a receiver
//! that is down gets its retries and then a logged failure while the app goes on, secrets never
//! come back out, and processes sharing a database tell each alert once between them.

use std::io::{BufRead, Write};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use axum_monitoring_dashboard::{DashboardBuilder, Key};
use dashboard_shared::alerts::{
    Alert, Alerts, Channel, ChannelInput, ChannelSettings, Condition, Outcome, Rule, RuleInput,
    SmtpSecurity, WebhookFormat,
};
use dashboard_shared::{ExceptionQuery, NoQuery, api};
use dashboard_test_servers::receivers::{SmtpServer, WebhookReceiver};

use crate::common::{self, PASSWORD, call_route, get_request, get_route, send};

/// How long a test waits for a message: checks run every second here.
const WITHIN: Duration = Duration::from_secs(60);

/// The webhook's URL path: its secret part.
const HOOK_TOKEN: &str = "T0KEN-never-shown";

/// A dashboard that checks its rules every second, with `PUBLIC_URL` set.
fn alerting(database: &str) -> DashboardBuilder {
    common::builder(database)
        .set(Key::AlertCheckSeconds, "1")
        .set(Key::PublicUrl, "https://shop.example.com/")
}

/// The test app with a second route that panics elsewhere (another exception group).
fn app_with_two_panics() -> Router {
    common::app().route("/other-panic", get(other_panic))
}

async fn other_panic() -> &'static str {
    panic!("a second place broke")
}

/// An admin's cookie and CSRF token.
pub(crate) async fn admin(app: &Router) -> (String, String) {
    common::login(app, "/dashboard", "admin", PASSWORD).await
}

pub(crate) async fn create_channel(
    app: &Router,
    admin: &(String, String),
    input: ChannelInput,
) -> Channel {
    let (status, body) =
        call_route::<api::CreateAlertChannel>(app, (&admin.0, &admin.1), None, &input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

pub(crate) async fn create_rule(
    app: &Router,
    admin: &(String, String),
    name: &str,
    condition: Condition,
    channels: Vec<i64>,
    quiet_minutes: u32,
) -> Rule {
    let input = RuleInput {
        name: name.to_owned(),
        condition,
        channels,
        quiet_minutes,
        muted: false,
    };
    let (status, body) =
        call_route::<api::CreateAlertRule>(app, (&admin.0, &admin.1), None, &input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

pub(crate) fn webhook(name: &str, url: String) -> ChannelInput {
    ChannelInput {
        name: name.to_owned(),
        settings: ChannelSettings::Webhook {
            format: WebhookFormat::Generic,
        },
        secret: Some(url),
    }
}

fn email(smtp: &SmtpServer) -> ChannelInput {
    ChannelInput {
        name: "Team mail".to_owned(),
        settings: ChannelSettings::Email {
            host: "127.0.0.1".to_owned(),
            port: smtp.port(),
            security: SmtpSecurity::None,
            username: String::new(),
            from: "dashboard@example.com".to_owned(),
            to: vec!["team@example.com".to_owned()],
        },
        secret: None,
    }
}

/// The Alerts page's data as `cookie` reads it.
async fn alerts(app: &Router, cookie: &str) -> Alerts {
    get_route::<api::Alerts>(app, cookie, None, &NoQuery {}).await
}

/// The Alerts page's data once `done` holds for it.
async fn alerts_once(app: &Router, cookie: &str, done: impl Fn(&Alerts) -> bool) -> Alerts {
    let uri = common::route_uri::<api::Alerts>(None, &NoQuery {});
    let body = common::get_json_once(app, cookie, &uri, |body| {
        serde_json::from_value::<Alerts>(body.clone()).is_ok_and(|alerts| done(&alerts))
    })
    .await;
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
#[ignore = "needs aiosmtpd: run `cargo xtask test`"]
async fn a_new_exception_is_told_once_by_email_and_by_webhook() {
    let smtp = SmtpServer::start().unwrap();
    let hook = WebhookReceiver::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let monitor = alerting(&common::sqlite_in(&dir)).start().await.unwrap();
    let app = monitor.bind(app_with_two_panics());
    let admin = admin(&app).await;
    let mail = create_channel(&app, &admin, email(&smtp)).await;
    let chat = create_channel(
        &app,
        &admin,
        webhook("Chat", hook.url(&format!("/hooks/{HOOK_TOKEN}"))),
    )
    .await;
    assert_eq!(chat.secret_hint, format!("{}/…", hook.url("")));
    let channels = vec![mail.id, chat.id];
    create_rule(
        &app,
        &admin,
        "New exceptions",
        Condition::NewException,
        channels.clone(),
        15,
    )
    .await;

    let (status, _, _) = send(&app, get_request("/panic")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let bodies = hook.wait_for(1, WITHIN).await.unwrap();
    let told: Alert = serde_json::from_value(bodies[0].clone()).unwrap();
    assert_eq!(told.rule.as_deref(), Some("New exceptions"));
    assert!(told.title.starts_with("New exception: "), "{}", told.title);
    assert!(
        told.link
            .starts_with("https://shop.example.com/dashboard/exceptions?exception="),
        "{}",
        told.link
    );
    assert!(
        told.lines.iter().any(|line| line == "Endpoint: GET /panic"),
        "{:?}",
        told.lines
    );
    let mails = smtp.wait_for(1, WITHIN).await.unwrap();
    assert!(
        mails[0].contains("Subject: [dashboard] New exception: "),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains(&told.link), "{}", mails[0]);
    assert!(mails[0].contains("To: team@example.com"), "{}", mails[0]);

    // Fifty more of the same group within the quiet period: the group is told already.
    for _ in 0..50 {
        send(&app, get_request("/panic")).await;
    }
    common::get_json_once(
        &app,
        &admin.0,
        &common::route_uri::<api::Exceptions>(None, &ExceptionQuery::default()),
        |body| body["groups"][0]["count"] == 51,
    )
    .await;
    // A marker: a rule without a quiet period, made now, tells the next new group. When its
    // message arrives, the checks have seen the fifty panics too.
    create_rule(&app, &admin, "Marker", Condition::NewException, channels, 0).await;
    send(&app, get_request("/other-panic")).await;
    let bodies = hook.wait_for(2, WITHIN).await.unwrap();
    let marker: Alert = serde_json::from_value(bodies[1].clone()).unwrap();
    assert_eq!(marker.rule.as_deref(), Some("Marker"));
    let mails = smtp.wait_for(2, WITHIN).await.unwrap();
    assert_eq!((bodies.len(), mails.len()), (2, 2), "{bodies:?}");

    let log = alerts_once(&app, &admin.0, |alerts| {
        alerts.deliveries.len() == 4 && alerts.deliveries.iter().all(|d| d.outcome == Outcome::Sent)
    })
    .await;
    assert!(log.deliveries.iter().all(|delivery| delivery.attempts == 1));
    monitor.shutdown().await;
}

/// Answers 500 for `/flaky/0`, 200 otherwise.
async fn flaky(axum::extract::Path(ok): axum::extract::Path<u32>) -> StatusCode {
    if ok == 0 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

#[tokio::test]
async fn a_threshold_is_told_once_when_it_crosses_and_once_when_it_recovers() {
    let hook = WebhookReceiver::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let monitor = alerting(&common::sqlite_in(&dir)).start().await.unwrap();
    let app = monitor.bind(Router::new().route("/flaky/{ok}", get(flaky)));
    let admin = admin(&app).await;
    let chat = create_channel(&app, &admin, webhook("Chat", hook.url("/hook"))).await;
    let errors = Condition::Threshold {
        endpoint: None,
        metric: dashboard_shared::alerts::Metric::ErrorPercent,
        above: true,
        bound: 50.0,
        window_minutes: 5,
    };
    create_rule(&app, &admin, "Errors", errors, vec![chat.id], 0).await;

    // Ten failures: 100 % of the window's requests.
    for _ in 0..10 {
        send(&app, get_request("/flaky/0")).await;
    }
    let bodies = hook.wait_for(1, WITHIN).await.unwrap();
    let crossed: Alert = serde_json::from_value(bodies[0].clone()).unwrap();
    assert!(
        crossed.firing && crossed.title.starts_with("Crossed"),
        "{crossed:?}"
    );
    assert_eq!(
        crossed.lines,
        ["error ratio (%) over the last 5 min: 100.0"],
        "{crossed:?}"
    );
    // Thirty good requests: 25 %, under the bound again.
    for _ in 0..30 {
        send(&app, get_request("/flaky/1")).await;
    }
    let bodies = hook.wait_for(2, WITHIN).await.unwrap();
    let resolved: Alert = serde_json::from_value(bodies[1].clone()).unwrap();
    assert!(
        !resolved.firing && resolved.title.starts_with("Resolved"),
        "{resolved:?}"
    );
    // 25 % once all are stored; the check may have run when part of them were.
    let share: f64 = resolved.lines[0]
        .strip_prefix("error ratio (%) over the last 5 min: ")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{:?}", resolved.lines));
    assert!((25.0..=50.0).contains(&share), "{share}");
    // Every check in between saw the bound crossed, and told nothing more.
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    let rule = &alerts(&app, &admin.0).await.rules[0];
    assert!(!rule.firing);
    monitor.shutdown().await;
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_its_retries_then_a_logged_failure() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let monitor = alerting(&common::sqlite_in(&dir))
        .set(Key::AlertRetries, "2")
        .set(Key::AlertRetrySeconds, "1")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(common::app());
    let admin = admin(&app).await;
    let url = format!("http://{closed}/hooks/{HOOK_TOKEN}");
    let chat = create_channel(&app, &admin, webhook("Down", url)).await;
    create_rule(
        &app,
        &admin,
        "Errors",
        Condition::NewException,
        vec![chat.id],
        0,
    )
    .await;
    send(&app, get_request("/panic")).await;

    // The app answers and its requests are stored while the alert is retried.
    let mut served = 0;
    let log = loop {
        let (status, _, _) = send(&app, get_request("/users/7")).await;
        assert_eq!(status, StatusCode::OK);
        served += 1;
        let alerts = alerts(&app, &admin.0).await;
        if alerts
            .deliveries
            .first()
            .is_some_and(|d| d.outcome == Outcome::Failed)
        {
            break alerts;
        }
        assert!(served < 600, "no failure logged: {alerts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let delivery = &log.deliveries[0];
    assert_eq!(delivery.attempts, 3, "{delivery:?}");
    assert_eq!(delivery.channel, "Down");
    let error = delivery.error.as_deref().unwrap();
    assert!(!error.contains(HOOK_TOKEN), "{error}");
    assert!(!error.is_empty());
    common::get_json_once(&app, &admin.0, "/dashboard/api/overview", |body| {
        body.as_array().is_some_and(|rows| {
            rows.iter()
                .any(|row| row["name"] == "GET /users/{id}" && row["hits_overall"] == served)
        })
    })
    .await;
    monitor.shutdown().await;
}

#[tokio::test]
async fn secrets_never_come_back_and_guests_change_nothing() {
    let hook = WebhookReceiver::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let monitor = alerting(&common::sqlite_in(&dir))
        .set(Key::GuestPassword, "guest-password-1")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(common::app());
    let admin = admin(&app).await;
    let password = "smtp-Passw0rd-never-shown";
    let mut mail = ChannelInput {
        secret: Some(password.to_owned()),
        ..ChannelInput {
            name: "Mail".to_owned(),
            settings: ChannelSettings::Email {
                host: "smtp.example.com".to_owned(),
                port: 587,
                security: SmtpSecurity::Starttls,
                username: "alerts".to_owned(),
                from: "dashboard@example.com".to_owned(),
                to: vec!["team@example.com".to_owned()],
            },
            secret: None,
        }
    };
    let saved = create_channel(&app, &admin, mail.clone()).await;
    assert_eq!(saved.secret_hint, "password set");
    let chat = create_channel(
        &app,
        &admin,
        webhook("Chat", hook.url(&format!("/hooks/{HOOK_TOKEN}"))),
    )
    .await;
    // A change without a secret keeps the saved one.
    mail.name = "Team mail".to_owned();
    mail.secret = None;
    let (status, body) =
        call_route::<api::UpdateAlertChannel>(&app, (&admin.0, &admin.1), Some(saved.id), &mail)
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["secret_hint"], "password set");
    // The test button sends the sample, and the log shows it.
    let (status, body) = call_route::<api::TestAlertChannel>(
        &app,
        (&admin.0, &admin.1),
        Some(chat.id),
        &api::NoBody {},
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["delivery"]["outcome"], "sent");
    let received = hook.wait_for(1, WITHIN).await.unwrap();
    assert_eq!(received[0]["rule"], serde_json::Value::Null);

    let (guest_cookie, guest_csrf) =
        common::login(&app, "/dashboard", "guest", "guest-password-1").await;
    for cookie in [&admin.0, &guest_cookie] {
        let text = common::get_json(&app, cookie, "/dashboard/api/alerts")
            .await
            .to_string();
        assert!(
            !text.contains(password) && !text.contains(HOOK_TOKEN),
            "{text}"
        );
    }
    let guest = (guest_cookie.as_str(), guest_csrf.as_str());
    let (status, _) = call_route::<api::CreateAlertChannel>(&app, guest, None, &mail).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        call_route::<api::TestAlertChannel>(&app, guest, Some(chat.id), &api::NoBody {}).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        call_route::<api::DeleteAlertChannel>(&app, guest, Some(chat.id), &api::NoBody {}).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(hook.received().len(), 1);
    monitor.shutdown().await;
}

#[tokio::test]
async fn bad_rules_and_channels_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = alerting(&common::sqlite_in(&dir)).start().await.unwrap();
    let app = monitor.bind(common::app());
    let admin = admin(&app).await;
    let pair = (admin.0.as_str(), admin.1.as_str());
    let not_a_url = webhook("Chat", "ftp://example.com/hook".to_owned());
    let (status, body) = call_route::<api::CreateAlertChannel>(&app, pair, None, &not_a_url).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("http:// or https://"), "{body}");
    let rule = RuleInput {
        name: "Slow".to_owned(),
        condition: Condition::Threshold {
            endpoint: None,
            metric: dashboard_shared::alerts::Metric::P95Ms,
            above: true,
            bound: 200.0,
            window_minutes: 500,
        },
        channels: vec![],
        quiet_minutes: 15,
        muted: false,
    };
    let (status, body) = call_route::<api::CreateAlertRule>(&app, pair, None, &rule).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.to_string().contains("window_minutes from 1 to 60"),
        "{body}"
    );
    let unknown = RuleInput {
        channels: vec![99],
        condition: Condition::NewException,
        ..rule
    };
    let (status, body) = call_route::<api::CreateAlertRule>(&app, pair, None, &unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.to_string().contains("there is no alert channel 99"),
        "{body}"
    );
    monitor.shutdown().await;
}

/// The environment variable that makes this binary one of the two processes.
const CHILD_DATABASE: &str = "ALERT_PROCESS_DATABASE";

/// One of the two processes (does nothing in a normal run): checks the rules every second and
/// panics in a handler for each line read from its standard input, until it closes.
#[tokio::test]
async fn one_alerting_process() {
    let Ok(database) = std::env::var(CHILD_DATABASE) else {
        return;
    };
    let monitor = alerting(&database).start().await.unwrap();
    let app = monitor.bind(common::app());
    println!("ready");
    std::io::stdout().flush().unwrap();
    let (lines, mut panics) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() || lines.send(()).is_err() {
                break;
            }
        }
    });
    while panics.recv().await.is_some() {
        send(&app, get_request("/panic")).await;
    }
    monitor.shutdown().await;
}

async fn two_processes_tell_each_alert_once(database: &str) {
    let hook = WebhookReceiver::start().await.unwrap();
    // The rule and channel, made through the API of a dashboard that is then stopped.
    {
        let monitor = common::builder(database).start().await.unwrap();
        let app = monitor.bind(common::app());
        let admin = admin(&app).await;
        let chat = create_channel(&app, &admin, webhook("Chat", hook.url("/hook"))).await;
        create_rule(
            &app,
            &admin,
            "New exceptions",
            Condition::NewException,
            vec![chat.id],
            0,
        )
        .await;
        monitor.shutdown().await;
    }
    let spawn =
        || common::spawn_test_process("alerts::one_alerting_process", CHILD_DATABASE, database);
    let mut processes = [spawn(), spawn()];
    // The same exception in both processes, several times each.
    for _ in 0..5 {
        for process in &mut processes {
            writeln!(process.stdin.as_mut().unwrap(), "panic").unwrap();
        }
    }
    let bodies = hook.wait_for(1, WITHIN).await.unwrap();
    let told: Alert = serde_json::from_value(bodies[0].clone()).unwrap();
    assert!(told.title.starts_with("New exception: "), "{}", told.title);
    for process in &mut processes {
        drop(process.stdin.take());
    }
    for process in &mut processes {
        assert!(process.wait().unwrap().success());
    }
    assert_eq!(hook.received().len(), 1, "{:?}", hook.received());
    let monitor = common::builder(database).start().await.unwrap();
    let app = monitor.bind(common::app());
    let admin = admin(&app).await;
    let log = alerts(&app, &admin.0).await;
    assert_eq!(log.deliveries.len(), 1, "{:?}", log.deliveries);
    assert_eq!(log.deliveries[0].outcome, Outcome::Sent);
    monitor.shutdown().await;
}

crate::on_databases!(two_processes_tell_each_alert_once: sqlite, postgres);
