//! The `dashboard` command line against a real SQLite file.

use axum_monitoring_dashboard::cli::{Cli, run};
use clap::Parser;

/// Runs one command line and returns what it printed.
async fn dashboard(database: &str, args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["dashboard", "--database", database];
    argv.extend(args);
    let mut out = Vec::new();
    run(
        Cli::try_parse_from(argv).map_err(|e| e.to_string())?,
        &mut out,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn manages_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::sqlite_in(&dir);
    assert!(
        dashboard(&db, &["migrate"])
            .await
            .unwrap()
            .contains("sqlite database is up to date")
    );
    let added = dashboard(&db, &["user", "add", "ops", "--role", "admin"])
        .await
        .unwrap();
    assert!(
        added.starts_with("added admin `ops`\npassword: "),
        "{added}"
    );
    let generated = added
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("password: ")
        .to_owned();
    assert_eq!(generated.len(), 20);
    assert_eq!(
        dashboard(&db, &["user", "add", "ops"]).await.unwrap_err(),
        "the username `ops` is taken"
    );
    assert_eq!(
        dashboard(&db, &["user", "add", "x", "--password", "short"])
            .await
            .unwrap_err(),
        "the password must have at least 8 characters"
    );
    dashboard(
        &db,
        &["user", "add", "viewer", "--password", "viewer-password"],
    )
    .await
    .unwrap();
    let list = dashboard(&db, &["user", "list"]).await.unwrap();
    let accounts: Vec<(&str, &str)> = list
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields[1], fields[2])
        })
        .collect();
    assert_eq!(accounts, [("ops", "admin"), ("viewer", "guest")]);

    dashboard(
        &db,
        &[
            "user",
            "set-password",
            "viewer",
            "--password",
            "another-password",
        ],
    )
    .await
    .unwrap();
    let monitor = axum_monitoring_dashboard::Dashboard::builder()
        .database(&db)
        .password(crate::common::PASSWORD)
        .start()
        .await
        .unwrap();
    let app = monitor.bind(axum::Router::new());
    crate::common::login(&app, "/dashboard", "viewer", "another-password").await;
    crate::common::login(&app, "/dashboard", "ops", &generated).await;

    assert_eq!(
        dashboard(&db, &["user", "delete", "viewer"]).await.unwrap(),
        "deleted `viewer`\n"
    );
    assert_eq!(
        dashboard(&db, &["user", "delete", "viewer"])
            .await
            .unwrap_err(),
        "there is no account `viewer`"
    );
}

#[tokio::test]
async fn exports_requests_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::sqlite_in(&dir);
    let monitor = crate::common::start(&db).await;
    let app = monitor.bind(crate::common::app());
    for id in 0..7 {
        crate::common::send(&app, crate::common::get_request(&format!("/users/{id}"))).await;
    }
    crate::common::send(&app, crate::common::get_request("/fail")).await;
    monitor.shutdown().await;

    let out = dir.path().join("requests.ndjson");
    let report = dashboard(&db, &["export", "requests", "--out", out.to_str().unwrap()])
        .await
        .unwrap();
    assert_eq!(report, format!("wrote 8 requests to {}\n", out.display()));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[7]["endpoint"], "GET /fail");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads the export");
    }
    // An existing file, or a link to one, is never written through.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    let link = dir.path().join("link.ndjson");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&victim, &link).unwrap();
    for existing in [&out, &link] {
        let refused = dashboard(
            &db,
            &["export", "requests", "--out", existing.to_str().unwrap()],
        )
        .await
        .unwrap_err();
        assert!(refused.contains("exists already"), "{refused}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let out = dir.path().join("fail.ndjson");

    let only = dashboard(
        &db,
        &[
            "export",
            "requests",
            "--endpoint",
            "GET /fail",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    assert!(only.starts_with("wrote 1 requests"), "{only}");
    let out = dir.path().join("none.ndjson");
    let none = dashboard(
        &db,
        &[
            "export",
            "requests",
            "--from",
            "2999-01-01T00:00:00Z",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    assert!(none.starts_with("wrote 0 requests"), "{none}");
    assert!(
        dashboard(
            &db,
            &["export", "requests", "--from", "yesterday", "--out", "x"]
        )
        .await
        .unwrap_err()
        .contains("invalid value")
    );
}

#[tokio::test]
async fn prune_deletes_what_the_retention_no_longer_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::common::sqlite_in(&dir);
    // On a database no dashboard has used yet: the migrations made every table it needs.
    assert!(
        dashboard(&db, &["prune"])
            .await
            .unwrap()
            .starts_with("deleted 0 requests, 0 outliers")
    );
    let monitor = crate::common::start(&db).await;
    let now = chrono::Utc::now();
    for days in [100, 100, 1] {
        assert!(
            monitor.record_historical(axum_monitoring_dashboard::PastRequest::new(
                "GET",
                "/users/{id}",
                now - chrono::TimeDelta::days(days),
                std::time::Duration::from_millis(5),
                200,
            ))
        );
    }
    monitor.shutdown().await;
    // The default RETENTION_REQUESTS is 7 days.
    let pruned = dashboard(&db, &["prune"]).await.unwrap();
    assert!(
        pruned.starts_with("deleted 2 requests, 0 outliers"),
        "{pruned}"
    );
    assert!(
        dashboard(&db, &["prune"])
            .await
            .unwrap()
            .starts_with("deleted 0 requests")
    );
}
