//! Every database: the views, the starts and what a guest sees, on SQLite and on the
//! PostgreSQL and MariaDB servers that `cargo xtask test` starts on 127.0.0.1.

/// Every readable answer, to a guest, of a dashboard whose database URL has a password.
async fn a_guest_never_sees_the_database_password(url: &str) {
    // The test servers trust local connections, so the password in the URL is never checked,
    // only carried: exactly what must not leak. (SQLite URLs have none: the file name stands in.)
    let url = url
        .replacen("postgres@", "postgres:pg-url-secret@", 1)
        .replacen("root@", "root:pg-url-secret@", 1)
        .replacen("/d.db", "/pg-url-secret.db", 1);
    let monitor = axum_monitoring_dashboard::Dashboard::builder()
        .database(&url)
        .password(crate::common::PASSWORD)
        .set(
            axum_monitoring_dashboard::Key::GuestPassword,
            "guest-password",
        )
        .graph(
            "Users",
            axum_monitoring_dashboard::Schedule::cron("0 0 3 * * *"),
            || async { 1 },
        )
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    crate::common::send(&app, crate::common::get_request("/users/1")).await;
    // An exception group (stored with RETURNING and an upsert) for the exception routes.
    crate::common::send(&app, crate::common::get_request("/fail")).await;
    monitor.shutdown().await;
    let (guest, _) = crate::common::login(&app, "/dashboard", "guest", "guest-password").await;
    for (path, body) in crate::common::every_readable_response(&app, &guest).await {
        assert!(
            !body.contains("pg-url-secret"),
            "GET {path} shows the database password"
        );
    }
}

crate::on_every_database!(a_guest_never_sees_the_database_password);

async fn two_processes_migrating_at_once_both_succeed(url: &str) {
    // Two pools, as two processes would have: both start, one migrating after the other.
    tokio::join!(crate::common::start(url), crate::common::start(url));
}

crate::on_every_database!(two_processes_migrating_at_once_both_succeed);

async fn every_endpoint_view_shows_the_seeded_numbers(url: &str) {
    let seeded = crate::common::views::seeded(url).await;
    crate::common::views::the_details_card_and_hourly_load_of_one_endpoint(&seeded).await;
    crate::common::views::box_plots_per_version_and_per_user(&seeded).await;
    crate::common::views::median_matrices_of_versions_by_user_and_by_address(&seeded).await;
    crate::common::views::status_codes_and_the_failed_requests_page_by_page(&seeded).await;
    crate::common::views::the_multi_version_heatmap_shares_each_versions_requests(&seeded).await;
    crate::common::views::the_export_api_hands_out_every_request(&seeded).await;
}

crate::on_every_database!(every_endpoint_view_shows_the_seeded_numbers);
