//! User management: the reference's rules, enforced for admins, refused to guests.

use crate::common::*;
use axum::Router;
use axum::http::StatusCode;
use serde_json::json;

async fn admin_app() -> (tempfile::TempDir, Router, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(Router::new());
    let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
    (dir, app, cookie, csrf)
}

fn new_user(username: &str, password: &str, repeat: &str, role: &str) -> serde_json::Value {
    json!({ "username": username, "password": password, "password_repeat": repeat, "role": role })
}

#[tokio::test]
async fn admins_create_users_under_the_rules() {
    let (_dir, app, cookie, csrf) = admin_app().await;
    let post = |body| json_request("POST", "/dashboard/api/users", &cookie, &csrf, body);
    let (status, _, body) = send(
        &app,
        post(new_user("alice", "long-enough", "long-enougx", "guest")),
    )
    .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("the passwords do not match"))
    );
    let (status, _, body) = send(&app, post(new_user("alice", "short", "short", "guest"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = send(
        &app,
        post(new_user("alice", "long-enough", "long-enough", "guest")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["username"].as_str(), body["role"].as_str()),
        (Some("alice"), Some("guest"))
    );
    let (status, _, body) = send(
        &app,
        post(new_user("alice", "long-enough", "long-enough", "admin")),
    )
    .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (StatusCode::CONFLICT, Some("the username `alice` is taken"))
    );

    let (status, _, users) = send(&app, with_cookie("GET", "/dashboard/api/users", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "alice", "guest"]);
    assert!(
        !users.to_string().contains("argon2"),
        "no hash leaves the server"
    );

    let (alice_cookie, alice_csrf) = login(&app, "/dashboard", "alice", "long-enough").await;
    let (status, _, _) = send(
        &app,
        with_cookie("GET", "/dashboard/api/users", &alice_cookie),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "guests do not see users");
    let (status, _, _) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/users",
            &alice_cookie,
            &alice_csrf,
            new_user("eve", "long-enough", "long-enough", "admin"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_cannot_delete_or_demote_themselves_and_need_the_old_password() {
    let (_dir, app, cookie, csrf) = admin_app().await;
    let (_, _, me) = send(&app, with_cookie("GET", "/dashboard/api/users", &cookie)).await;
    let admin_id = me[0]["id"].as_i64().unwrap();
    let uri = format!("/dashboard/api/users/{admin_id}");
    let (status, _, body) = send(
        &app,
        json_request("DELETE", &uri, &cookie, &csrf, json!({})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("you cannot delete your own account")
        )
    );
    let (status, _, _) = send(
        &app,
        json_request("PATCH", &uri, &cookie, &csrf, json!({ "role": "guest" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let change = json!({ "password": "a-new-password", "password_repeat": "a-new-password" });
    let (status, _, _) = send(&app, json_request("PATCH", &uri, &cookie, &csrf, change)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the old password is needed"
    );
    let change = json!({ "password": "a-new-password", "password_repeat": "a-new-password", "old_password": PASSWORD });
    let (status, _, _) = send(&app, json_request("PATCH", &uri, &cookie, &csrf, change)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&app, with_cookie("GET", "/dashboard/api/me", &cookie)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a password change ends the sessions"
    );
    login(&app, "/dashboard", "admin", "a-new-password").await;
}

#[tokio::test]
async fn demoted_and_deleted_users_lose_access_at_once() {
    let (_dir, app, cookie, csrf) = admin_app().await;
    let (_, _, bob) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/users",
            &cookie,
            &csrf,
            new_user("bob", "bob-password", "bob-password", "admin"),
        ),
    )
    .await;
    let bob_uri = format!("/dashboard/api/users/{}", bob["id"]);
    let (bob_cookie, _) = login(&app, "/dashboard", "bob", "bob-password").await;
    assert_eq!(
        send(
            &app,
            with_cookie("GET", "/dashboard/api/users", &bob_cookie)
        )
        .await
        .0,
        StatusCode::OK
    );

    let (status, _, body) = send(
        &app,
        json_request(
            "PATCH",
            &bob_uri,
            &cookie,
            &csrf,
            json!({ "role": "guest" }),
        ),
    )
    .await;
    assert_eq!(
        (status, body["role"].as_str()),
        (StatusCode::OK, Some("guest"))
    );
    assert_eq!(
        send(
            &app,
            with_cookie("GET", "/dashboard/api/users", &bob_cookie)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(
            &app,
            with_cookie("GET", "/dashboard/api/overview", &bob_cookie)
        )
        .await
        .0,
        StatusCode::OK
    );

    let (status, _, _) = send(
        &app,
        json_request("DELETE", &bob_uri, &cookie, &csrf, json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(
            &app,
            with_cookie("GET", "/dashboard/api/overview", &bob_cookie)
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, _) = send(
        &app,
        json_request("DELETE", &bob_uri, &cookie, &csrf, json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_ids_and_bodies_are_answered_with_the_api_error() {
    let (_dir, app, cookie, csrf) = admin_app().await;
    let cases = [
        (
            "PATCH",
            "/dashboard/api/users/abc",
            json!({ "role": "guest" }),
        ),
        ("DELETE", "/dashboard/api/users/1.5", json!({})),
        ("POST", "/dashboard/api/users", json!({ "username": 5 })),
        (
            "PUT",
            "/dashboard/api/endpoints/x/level",
            json!({ "level": 1 }),
        ),
    ];
    for (method, uri, body) in cases {
        let (status, _, answer) = send(&app, json_request(method, uri, &cookie, &csrf, body)).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{method} {uri}: {answer}"
        );
    }
}
