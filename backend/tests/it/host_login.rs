//! The host service's own login: a toy header-based auth of the host decides who is an admin,
//! a guest or neither, with the dashboard's accounts turned off.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum_monitoring_dashboard::{Dashboard, HostUser, Key, Role};
use dashboard_shared::{EndpointLevel, SessionInfo, UserInfo};

/// The host's toy login: `x-toy-user: alice` is an admin, `bob` a guest, anyone else nobody.
fn toy_auth(parts: &axum::http::request::Parts) -> Option<HostUser> {
    match parts.headers.get("x-toy-user")?.to_str().ok()? {
        "alice" => Some(HostUser::admin("alice")),
        "bob" => Some(HostUser::guest("bob")),
        _ => None,
    }
}

fn as_toy(user: &str, method: &str, uri: &str, csrf: Option<&str>, body: Body) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-toy-user", user)
        .header("content-type", "application/json");
    if let Some(csrf) = csrf {
        request = request.header(dashboard_shared::api::CSRF_HEADER, csrf);
    }
    request.body(body).unwrap()
}

#[tokio::test]
async fn the_hosts_login_decides_and_csrf_still_guards_changes() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = Dashboard::builder()
        .database(sqlite_in(&dir))
        .set(Key::Accounts, "false")
        .authorize(toy_auth)
        .start()
        .await
        .unwrap();
    assert_eq!(
        monitor.generated_admin_password(),
        None,
        "no account is made"
    );
    let app = monitor.bind(app());
    send(&app, get_request("/users/1")).await;
    monitor.shutdown().await;

    let me = |user: &str| as_toy(user, "GET", "/dashboard/api/me", None, Body::empty());
    let (status, _, alice) = send(&app, me("alice")).await;
    assert_eq!(status, StatusCode::OK);
    let alice: SessionInfo = serde_json::from_value(alice).unwrap();
    assert_eq!(
        (alice.username.as_str(), alice.role),
        ("alice", Role::Admin)
    );
    let (_, _, bob) = send(&app, me("bob")).await;
    let bob: SessionInfo = serde_json::from_value(bob).unwrap();
    assert_eq!(bob.role, Role::Guest);
    assert_eq!(send(&app, me("mallory")).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&app, get_request("/dashboard/api/overview")).await.0,
        StatusCode::UNAUTHORIZED
    );

    let id = {
        let (_, _, rows) = send(
            &app,
            as_toy("bob", "GET", "/dashboard/api/overview", None, Body::empty()),
        )
        .await;
        rows[0]["id"].as_i64().unwrap()
    };
    let level = || Body::from(serde_json::to_vec(&EndpointLevel { level: 2 }).unwrap());
    let uri = format!("/dashboard/api/endpoints/{id}/level");
    let change = |user: &str, csrf: Option<&str>| as_toy(user, "PUT", &uri, csrf, level());
    assert_eq!(
        send(&app, change("alice", None)).await.0,
        StatusCode::FORBIDDEN,
        "no CSRF token"
    );
    assert_eq!(
        send(&app, change("alice", Some(&bob.csrf_token))).await.0,
        StatusCode::FORBIDDEN,
        "another user's token"
    );
    assert_eq!(
        send(&app, change("bob", Some(&bob.csrf_token))).await.0,
        StatusCode::FORBIDDEN,
        "a guest changes nothing"
    );
    assert_eq!(
        send(&app, change("alice", Some(&alice.csrf_token))).await.0,
        StatusCode::OK
    );

    // The dashboard's own login is off, and no account exists.
    assert_eq!(
        send(&app, login_request("/dashboard", "admin", "any-password"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, _, users) = send(
        &app,
        as_toy("alice", "GET", "/dashboard/api/users", None, Body::empty()),
    )
    .await;
    let users: Vec<UserInfo> = serde_json::from_value(users).unwrap();
    assert!(users.is_empty(), "{users:?}");
}

#[tokio::test]
async fn accounts_off_without_an_authorize_function_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = start_error(
        Dashboard::builder()
            .database(sqlite_in(&dir))
            .set(Key::Accounts, "false"),
    )
    .await;
    assert!(
        error.contains("`ACCOUNTS` is false but no `authorize`"),
        "{error}"
    );
}
