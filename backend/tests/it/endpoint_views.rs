//! One endpoint's views and the multi-version heatmap on SQLite (the checks are in
//! `common/views.rs`, shared with the PostgreSQL tests), and the image downloads.

use crate::common::views::{self, RANGE, Seeded};
use crate::common::{send_for_text, with_cookie};
use axum::http::{StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn seeded() -> (tempfile::TempDir, Seeded) {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::common::sqlite_in(&dir);
    let seeded = views::seeded(&database).await;
    (dir, seeded)
}

#[tokio::test]
async fn the_details_card_and_hourly_load_of_one_endpoint() {
    let (_dir, seeded) = seeded().await;
    views::the_details_card_and_hourly_load_of_one_endpoint(&seeded).await;
}

#[tokio::test]
async fn box_plots_per_version_and_per_user() {
    let (_dir, seeded) = seeded().await;
    views::box_plots_per_version_and_per_user(&seeded).await;
}

#[tokio::test]
async fn median_matrices_of_versions_by_user_and_by_address() {
    let (_dir, seeded) = seeded().await;
    views::median_matrices_of_versions_by_user_and_by_address(&seeded).await;
}

#[tokio::test]
async fn status_codes_and_the_failed_requests_page_by_page() {
    let (_dir, seeded) = seeded().await;
    views::status_codes_and_the_failed_requests_page_by_page(&seeded).await;
}

#[tokio::test]
async fn the_multi_version_heatmap_shares_each_versions_requests() {
    let (_dir, seeded) = seeded().await;
    views::the_multi_version_heatmap_shares_each_versions_requests(&seeded).await;
}

#[tokio::test]
async fn the_export_api_hands_out_every_request() {
    let (_dir, seeded) = seeded().await;
    views::the_export_api_hands_out_every_request(&seeded).await;
}

#[tokio::test]
async fn every_chart_downloads_as_png() {
    let (_dir, Seeded { app, cookie, id }) = seeded().await;
    let charts = [
        "/charts/hourly-load".to_owned(),
        "/charts/api-performance".to_owned(),
        "/charts/daily-utilization".to_owned(),
        "/charts/multi-version".to_owned(),
        format!("/endpoints/{id}/hourly-load"),
        format!("/endpoints/{id}/versions"),
        format!("/endpoints/{id}/users"),
        format!("/endpoints/{id}/version-user"),
        format!("/endpoints/{id}/version-ip"),
        format!("/endpoints/{id}/status-codes"),
    ];
    for chart in charts {
        let uri = format!("/dashboard/api{chart}?{RANGE}&format=png");
        let response = app
            .clone()
            .oneshot(with_cookie("GET", &uri, &cookie))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{chart}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/png");
        assert!(
            response.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .ends_with(".png\""),
        );
        let image = response.into_body().collect().await.unwrap().to_bytes();
        let (width, height, drawn) = pixels(&image);
        // The same drawing as the SVG download: its size, and ink on it.
        let svg_uri = format!("/dashboard/api{chart}?{RANGE}&format=svg");
        let (_, _, svg) = send_for_text(&app, with_cookie("GET", &svg_uri, &cookie)).await;
        assert!(
            svg.starts_with(&format!("<svg width=\"{width}\" height=\"{height}\"")),
            "{chart}: a {width}×{height} PNG for {}",
            &svg[..60]
        );
        assert!(drawn > 500, "{chart}: only {drawn} pixels drawn");
    }
}

/// The width and height of a PNG image and how many of its pixels are not white.
fn pixels(image: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(image));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    let drawn = buffer[..frame.buffer_size()]
        .chunks(3)
        .filter(|pixel| pixel.iter().any(|channel| *channel < 240))
        .count();
    (frame.width, frame.height, drawn)
}
