//! One endpoint's views and the multi-version heatmap from seeded requests with versions, users
//! and addresses, checked the same way on SQLite (`endpoint_views.rs`) and PostgreSQL.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum_monitoring_dashboard::{Dashboard, Key, PastRequest};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::*;

/// A dashboard with the seeded requests, bound to the test app, and an admin session.
pub(crate) struct Seeded {
    pub app: Router,
    pub cookie: String,
    /// The id of `GET /users/{id}`.
    pub id: i64,
}

pub(crate) const RANGE: &str = "from=2026-11-16&to=2026-11-17";

/// The seeded dashboard's `SECURITY_TOKEN`.
pub(crate) const EXPORT_TOKEN: &str = "views-export-token-0123";

fn at(day: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 10, minute, 0).unwrap()
}

/// `GET /users/{id}`: version 1.0 on the 16th (alice 10, 20, 30 ms; bob 40 ms), version 1.1
/// on the 17th (alice 50 ms; bob 60 ms answered 500; carol 70 ms answered 404); and one
/// `GET /other` request in 1.1.
pub(crate) async fn seeded(database: &str) -> Seeded {
    let monitor = Dashboard::builder()
        .database(database)
        .set(Key::SecurityToken, EXPORT_TOKEN)
        .password(PASSWORD)
        .start()
        .await
        .unwrap();
    let requests = [
        ("1.0", "alice", 1, 16, 0, 10, 200),
        ("1.0", "alice", 1, 16, 1, 20, 200),
        ("1.0", "alice", 1, 16, 2, 30, 200),
        ("1.0", "bob", 2, 16, 3, 40, 200),
        ("1.1", "alice", 1, 17, 0, 50, 200),
        ("1.1", "bob", 2, 17, 1, 60, 500),
        ("1.1", "carol", 3, 17, 2, 70, 404),
    ];
    for (version, user, host, day, minute, ms, status) in requests {
        let request = PastRequest::new(
            "GET",
            "/users/{id}",
            at(day, minute),
            Duration::from_millis(ms),
            status,
        )
        .version(version)
        .group_by(user)
        .ip([192, 0, 2, host].into());
        assert!(monitor.record_historical(request));
    }
    let other =
        PastRequest::new("GET", "/other", at(17, 5), Duration::from_millis(5), 200).version("1.1");
    assert!(monitor.record_historical(other));
    monitor.shutdown().await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (_, _, overview) = send(&app, with_cookie("GET", "/dashboard/api/overview", &cookie)).await;
    let users = overview
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["name"] == "GET /users/{id}")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    Seeded {
        app,
        cookie,
        id: users,
    }
}

async fn get(app: &Router, cookie: &str, path: &str) -> Value {
    let (status, _, body) = send(
        app,
        with_cookie("GET", &format!("/dashboard/api{path}"), cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn labels(values: &Value) -> Vec<&str> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_str().unwrap())
        .collect()
}

pub(crate) async fn the_details_card_and_hourly_load_of_one_endpoint(seeded: &Seeded) {
    let (app, cookie, id) = (&seeded.app, seeded.cookie.as_str(), seeded.id);
    let details = get(app, cookie, &format!("/endpoints/{id}")).await;
    assert_eq!(details["name"], "GET /users/{id}");
    assert_eq!(details["route"], "/users/{id}");
    assert_eq!(labels(&details["methods"]), ["GET"]);
    assert_eq!(details["total_hits"], 7);
    assert_eq!(
        details["version_added"], "1.0",
        "the version of its first request"
    );

    let load = get(app, cookie, &format!("/endpoints/{id}/hourly-load?{RANGE}")).await;
    assert_eq!(load["counts"][0][10], 4);
    assert_eq!(load["counts"][1][10], 3);
    let total: u64 = load["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|day| day.as_array().unwrap())
        .map(|count| count.as_u64().unwrap())
        .sum();
    assert_eq!(total, 7, "GET /other is not counted");

    for missing in ["/endpoints/999", "/endpoints/999/versions"] {
        let (status, _, _) = send(
            app,
            with_cookie("GET", &format!("/dashboard/api{missing}"), cookie),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    let (status, _, body) = send(
        app,
        with_cookie("GET", "/dashboard/api/endpoints/abc", cookie),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_request");
}

pub(crate) async fn box_plots_per_version_and_per_user(seeded: &Seeded) {
    let (app, cookie, id) = (&seeded.app, seeded.cookie.as_str(), seeded.id);
    let versions = get(app, cookie, &format!("/endpoints/{id}/versions?{RANGE}")).await;
    let boxes = versions["boxes"].as_array().unwrap();
    assert_eq!(
        boxes
            .iter()
            .map(|b| (b["label"].as_str().unwrap(), b["count"].as_u64().unwrap()))
            .collect::<Vec<_>>(),
        [("1.0", 4), ("1.1", 3)],
        "oldest version first"
    );
    // 10, 20, 30, 40 ms: the median is 25 ms, within the histograms' 2 %.
    let median = boxes[0]["median_ms"].as_f64().unwrap();
    assert!((median - 25.0).abs() / 25.0 <= 0.02, "{median}");
    let only_new = get(
        app,
        cookie,
        &format!("/endpoints/{id}/versions?{RANGE}&versions=1.1"),
    )
    .await;
    assert_eq!(only_new["boxes"].as_array().unwrap().len(), 1);
    assert_eq!(labels(&only_new["choices"]), ["1.0", "1.1"]);

    let users = get(app, cookie, &format!("/endpoints/{id}/users?{RANGE}")).await;
    let boxes = users["boxes"].as_array().unwrap();
    assert_eq!(
        boxes
            .iter()
            .map(|b| b["label"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["alice", "bob", "carol"],
        "busiest first"
    );
    // Alice: 10, 20, 30, 50 ms, exact from the requests.
    assert_eq!(boxes[0]["median_ms"], 25.0);
    assert_eq!(boxes[0]["q1_ms"], 17.5);
    assert_eq!(boxes[2]["count"], 1);
}

pub(crate) async fn median_matrices_of_versions_by_user_and_by_address(seeded: &Seeded) {
    let (app, cookie, id) = (&seeded.app, seeded.cookie.as_str(), seeded.id);
    let matrix = get(
        app,
        cookie,
        &format!("/endpoints/{id}/version-user?{RANGE}"),
    )
    .await;
    assert_eq!(labels(&matrix["versions"]), ["1.0", "1.1"]);
    assert_eq!(labels(&matrix["rows"]), ["alice", "bob", "carol"]);
    assert_eq!(matrix["cells"][0][0]["median_ms"], 20.0);
    assert_eq!(matrix["cells"][0][0]["count"], 3);
    assert_eq!(matrix["cells"][0][1]["median_ms"], 50.0);
    assert_eq!(matrix["cells"][2][0], Value::Null, "carol never used 1.0");

    let chosen = get(
        app,
        cookie,
        &format!("/endpoints/{id}/version-user?{RANGE}&versions=1.1&callers=carol,bob"),
    )
    .await;
    assert_eq!(
        labels(&chosen["rows"]),
        ["bob", "carol"],
        "in order of requests"
    );
    assert_eq!(chosen["cells"][0][0]["median_ms"], 60.0);
    assert_eq!(labels(&chosen["row_choices"]), ["alice", "bob", "carol"]);

    let by_ip = get(app, cookie, &format!("/endpoints/{id}/version-ip?{RANGE}")).await;
    assert_eq!(
        labels(&by_ip["rows"]),
        ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    );
    assert_eq!(by_ip["cells"][1][0]["median_ms"], 40.0);
}

pub(crate) async fn status_codes_and_the_failed_requests_page_by_page(seeded: &Seeded) {
    let (app, cookie, id) = (&seeded.app, seeded.cookie.as_str(), seeded.id);
    let codes = get(
        app,
        cookie,
        &format!("/endpoints/{id}/status-codes?{RANGE}"),
    )
    .await;
    let codes: Vec<(u64, u64)> = codes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status_code"].as_u64().unwrap(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [(200, 5), (404, 1), (500, 1)]);

    let first = get(app, cookie, &format!("/endpoints/{id}/errors?limit=1")).await;
    assert_eq!(first["requests"][0]["status_code"], 404, "newest first");
    assert_eq!(first["requests"][0]["group_by"], "carol");
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = get(
        app,
        cookie,
        &format!("/endpoints/{id}/errors?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["requests"][0]["status_code"], 500);
    let cursor = second["next_cursor"].as_str().unwrap();
    let third = get(
        app,
        cookie,
        &format!("/endpoints/{id}/errors?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(third["requests"].as_array().unwrap().len(), 0);
    assert_eq!(third["next_cursor"], Value::Null);
    for bad in ["limit=0", "limit=101", "cursor=nope"] {
        let (status, _, _) = send(
            app,
            with_cookie(
                "GET",
                &format!("/dashboard/api/endpoints/{id}/errors?{bad}"),
                cookie,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

pub(crate) async fn the_multi_version_heatmap_shares_each_versions_requests(seeded: &Seeded) {
    let (app, cookie) = (&seeded.app, seeded.cookie.as_str());
    let heatmap = get(app, cookie, &format!("/charts/multi-version?{RANGE}")).await;
    assert_eq!(labels(&heatmap["versions"]), ["1.0", "1.1"]);
    assert_eq!(
        labels(&heatmap["endpoints"]),
        ["GET /other", "GET /users/{id}"]
    );
    assert_eq!(heatmap["hits"], serde_json::json!([[0, 1], [4, 3]]));
    let chosen = get(
        app,
        cookie,
        &format!("/charts/multi-version?{RANGE}&endpoints=GET%20%2Fother"),
    )
    .await;
    assert_eq!(labels(&chosen["endpoints"]), ["GET /other"]);
    assert_eq!(chosen["hits"], serde_json::json!([[0, 1]]));
    assert_eq!(
        chosen["totals"],
        serde_json::json!([4, 4]),
        "shares stay shares of all the version's requests"
    );
    assert_eq!(
        labels(&chosen["endpoint_choices"]),
        ["GET /other", "GET /users/{id}"]
    );
    let (status, headers, svg) = send_for_text(
        app,
        with_cookie(
            "GET",
            &format!("/dashboard/api/charts/multi-version?{RANGE}&format=svg"),
            cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(
        svg.contains("100.0 %") && svg.contains("75.0 %") && svg.contains("25.0 %"),
        "{svg}"
    );
    let (status, _, _) = send(
        app,
        with_cookie(
            "GET",
            &format!("/dashboard/api/charts/multi-version?{RANGE}&format=gif"),
            cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The export API hands out every seeded request with its level-1 fields.
pub(crate) async fn the_export_api_hands_out_every_request(seeded: &Seeded) {
    let (status, _, page) = send(
        &seeded.app,
        with_token("/dashboard/api/export/requests", EXPORT_TOKEN),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let requests = page["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 8);
    let carol = requests.iter().find(|r| r["group_by"] == "carol").unwrap();
    assert_eq!(
        (
            &carol["status_code"],
            &carol["ip"],
            &carol["version_requested"]
        ),
        (
            &serde_json::json!(404),
            &serde_json::json!("192.0.2.3"),
            &serde_json::json!("1.1")
        )
    );
}
