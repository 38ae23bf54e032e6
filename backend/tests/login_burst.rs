//! Finding 4 of `docs/security.md`: one burst of parallel wrong logins from one address gets at
//! most 5 passwords verified and leaves the process's memory where it was. Its own test binary,
//! so that no other test's memory counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use axum::http::StatusCode;
use common::*;

/// This process's resident size, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_logins_verifies_at_most_five_and_keeps_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    // One right login first, so that everything a login touches is warm.
    login(&app, "/dashboard", "admin", PASSWORD).await;
    let before = resident_bytes();
    let burst: Vec<_> = (0..100)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let request = login_request("/dashboard", "admin", &format!("wrong-{n}"));
                send(&app, request).await.0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for answer in burst {
        statuses.push(answer.await.unwrap());
    }
    let after = resident_bytes();
    let verified = statuses
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    assert!(verified <= 5, "{verified} wrong passwords were verified");
    assert!(
        statuses.iter().all(|status| [
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::SERVICE_UNAVAILABLE
        ]
        .contains(status)),
        "{statuses:?}"
    );
    let grown = after.saturating_sub(before);
    assert!(
        grown < 64 << 20,
        "the burst grew the process by {} MiB",
        grown >> 20
    );
    monitor.shutdown().await;
}

#[tokio::test]
async fn wrong_old_passwords_are_throttled_like_logins() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let change = |old: &str| {
        json_request(
            "PATCH",
            "/dashboard/api/users/1",
            &cookie,
            &csrf,
            serde_json::json!({
                "password": "a-new-password",
                "password_repeat": "a-new-password",
                "old_password": old,
            }),
        )
    };
    for _ in 0..5 {
        assert_eq!(
            send(&app, change("not-it")).await.0,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        send(&app, change("not-it")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    monitor.shutdown().await;
}
