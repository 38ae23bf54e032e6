//! Serving the built frontend: compressed as the client accepts, hashed files cached for a
//! year, `index.html` never cached stale.

use crate::common::*;
use axum::http::{StatusCode, header};

#[tokio::test]
#[ignore = "needs the built frontend (`cargo xtask dist`): run `cargo xtask test`"]
async fn built_files_are_served_compressed_and_cached_for_a_year() {
    assert!(
        axum_monitoring_dashboard_ui::is_built(),
        "the ui crate holds no frontend: run `cargo xtask dist`"
    );
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    let (status, headers, index) = send_for_text(&app, get_request("/dashboard/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let wasm = axum_monitoring_dashboard_ui::files()
        .find(|name| name.ends_with("_bg.wasm"))
        .unwrap()
        .into_owned();
    assert!(index.contains(&wasm), "index.html loads {wasm}");
    for (accept, encoding) in [
        ("gzip, deflate, br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let request = axum::http::Request::get(format!("/dashboard/{wasm}"))
            .header(header::ACCEPT_ENCODING, accept)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|value| value.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers[header::VARY], "accept-encoding");
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        if encoding.is_none() {
            assert!(body.starts_with(b"\0asm"), "the wasm itself");
        }
    }
    monitor.shutdown().await;
}
