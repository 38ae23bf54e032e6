//! The access matrix: every operation of the OpenAPI document, called by an anonymous client, a
//! guest, an admin and the export token. An operation's tag says who may call it, so a route
//! added without the right guard fails here.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum_monitoring_dashboard::{Dashboard, Key};
use serde_json::{Value, json};

const TOKEN: &str = "access-matrix-token-42";
const GUEST_PASSWORD: &str = "guest-password";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Guest,
    Admin,
    Token,
}

/// Whether the tag lets the caller in.
fn allowed(tag: &str, caller: Caller) -> bool {
    match tag {
        "public" => true,
        "read" => matches!(caller, Caller::Guest | Caller::Admin),
        "admin" => caller == Caller::Admin,
        "export" => caller == Caller::Token,
        other => panic!("unknown tag {other}"),
    }
}

/// A body that the operation accepts from an allowed caller.
fn body_for(method: &str, path: &str, n: usize) -> Value {
    match (method, path) {
        ("post", "/login") => json!({ "username": "admin", "password": PASSWORD }),
        ("post", "/users") => {
            json!({ "username": format!("user-{n}"), "password": "password-123", "password_repeat": "password-123", "role": "guest" })
        }
        ("patch", "/users/{id}") => json!({ "role": "guest" }),
        ("put", "/endpoints/{id}/level") => json!({ "level": 1 }),
        ("post", "/reports") => json!({ "kind": "preset", "period": "week" }),
        ("post", "/alerts/channels") | ("put", "/alerts/channels/{id}") => alert_channel(n),
        ("post", "/alerts/rules") | ("put", "/alerts/rules/{id}") => alert_rule(n),
        _ => json!({}),
    }
}

/// A webhook channel to a closed port (its test fails at once, answered as a failed delivery).
fn alert_channel(n: usize) -> Value {
    json!({ "name": format!("chat-{n}"), "settings": { "kind": "webhook", "format": "generic" }, "secret": "http://127.0.0.1:9/hook" })
}

fn alert_rule(n: usize) -> Value {
    json!({ "name": format!("rule-{n}"), "condition": { "kind": "new_exception" }, "channels": [], "quiet_minutes": 15, "muted": false })
}

async fn request(app: &Router, caller: Caller, method: &str, uri: &str, body: Value) -> StatusCode {
    let mut builder = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    match caller {
        Caller::Anonymous => {}
        Caller::Token => builder = builder.header(header::AUTHORIZATION, format!("Bearer {TOKEN}")),
        Caller::Guest | Caller::Admin => {
            let (username, password) = if caller == Caller::Admin {
                ("admin", PASSWORD)
            } else {
                ("guest", GUEST_PASSWORD)
            };
            let (cookie, csrf) = login(app, "/dashboard", username, password).await;
            builder = builder
                .header(header::COOKIE, cookie)
                .header(dashboard_shared::api::CSRF_HEADER, csrf);
        }
    }
    let body = if method == "get" {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    send(app, builder.body(body).unwrap()).await.0
}

#[tokio::test]
async fn every_route_lets_in_exactly_the_callers_its_tag_names() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .password(PASSWORD)
        .set(Key::GuestPassword, GUEST_PASSWORD)
        .set(Key::SecurityToken, TOKEN)
        .graph(
            "Users",
            axum_monitoring_dashboard::Schedule::cron("0 0 3 * * *"),
            || async { 1 },
        )
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    send(&app, get_request("/users/1")).await;
    // Two exception groups: one to read, one to delete.
    send(&app, get_request("/fail")).await;
    send(&app, get_request("/panic")).await;
    monitor.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (_, _, overview) = send(&app, with_cookie("GET", "/dashboard/api/overview", &cookie)).await;
    let endpoint_id = overview[0]["id"].to_string();
    let (_, _, exceptions) = send(
        &app,
        with_cookie("GET", "/dashboard/api/exceptions", &cookie),
    )
    .await;
    let group_id = |type_name: &str| {
        exceptions["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["type_name"] == type_name)
            .unwrap_or_else(|| panic!("{type_name} in {exceptions}"))["id"]
            .to_string()
    };
    let (read_group, deleted_group) = (group_id("HTTP 500"), group_id("panic"));
    let (_, _, document) = send(
        &app,
        with_cookie("GET", "/dashboard/api/openapi.json", &cookie),
    )
    .await;

    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let tag = operation["tags"][0]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no tag"));
            for caller in [
                Caller::Anonymous,
                Caller::Guest,
                Caller::Admin,
                Caller::Token,
            ] {
                checked += 1;
                // A fresh account for routes on one account, so deleting it is harmless (and a
                // fresh admin session: a logout before ended the earlier ones).
                let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
                let victim = json!({ "username": format!("victim-{checked}"), "password": "password-123", "password_repeat": "password-123", "role": "guest" });
                let (_, _, created) = send(
                    &app,
                    json_request("POST", "/dashboard/api/users", &cookie, &csrf, victim),
                )
                .await;
                // And a fresh alert channel and rule, for the same reason.
                let (_, _, channel) = send(
                    &app,
                    json_request(
                        "POST",
                        "/dashboard/api/alerts/channels",
                        &cookie,
                        &csrf,
                        alert_channel(checked),
                    ),
                )
                .await;
                let (_, _, rule) = send(
                    &app,
                    json_request(
                        "POST",
                        "/dashboard/api/alerts/rules",
                        &cookie,
                        &csrf,
                        alert_rule(checked),
                    ),
                )
                .await;
                let id = if path.starts_with("/alerts/channels/") {
                    channel["id"].to_string()
                } else if path.starts_with("/alerts/rules/") {
                    rule["id"].to_string()
                } else if path.starts_with("/endpoints/") {
                    endpoint_id.clone()
                } else if path.starts_with("/exceptions/") {
                    if method == "delete" {
                        deleted_group.clone()
                    } else {
                        read_group.clone()
                    }
                } else if path.starts_with("/custom-graphs/") {
                    // The only graph.
                    "1".to_owned()
                } else {
                    created["id"].to_string()
                };
                let uri = format!("/dashboard/api{}", path.replace("{id}", &id));
                let status =
                    request(&app, caller, method, &uri, body_for(method, path, checked)).await;
                if allowed(tag, caller) {
                    assert!(
                        status.is_success(),
                        "{caller:?} {method} {path} ({tag}) should pass, got {status}"
                    );
                } else {
                    let expected = if caller == Caller::Guest && tag == "admin" {
                        StatusCode::FORBIDDEN
                    } else {
                        StatusCode::UNAUTHORIZED
                    };
                    assert_eq!(status, expected, "{caller:?} {method} {path} ({tag})");
                }
            }
        }
    }
    assert!(
        checked >= 4 * 13,
        "only {checked} checks: is the document complete?"
    );
}
