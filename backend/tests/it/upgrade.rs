//! A database of the schema before `m0006_compact_requests` (the time, version, user and
//! address of every request stored as text) is upgraded in place when a new dashboard starts:
//! every request reads back the same, to the microsecond.

use axum_monitoring_dashboard::Key;
use chrono::{DateTime, TimeZone, Utc};
use dashboard_migration::Migrator;
use dashboard_migration::schema::{Endpoint, Request, Table, Tables};
use dashboard_migration::sea_orm_migration::MigratorTraitSelf;
use dashboard_shared::api;
use dashboard_shared::dto::ExportedRequest;
use dashboard_shared::query::ExportQuery;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::Query;

use crate::common::{builder, export_route};

const TOKEN: &str = "upgrade-token-0123456789";

/// The migrations before `m0006_compact_requests`.
const BEFORE_COMPACT: u32 = 5;

/// A request as the export shows it: duration, time, version, user, address, status.
type Row<'a> = (
    f64,
    DateTime<Utc>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    u16,
);

/// The requests stored before the upgrade.
fn old_requests() -> Vec<Row<'static>> {
    let time = |micros| {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 15, 7).unwrap()
            + chrono::TimeDelta::microseconds(micros)
    };
    vec![
        (
            12.345678,
            time(123_456),
            "1.0",
            Some("alice"),
            Some("10.0.0.1"),
            200,
        ),
        (0.5, time(0), "1.0", None, None, 500),
        (
            2_500.0,
            time(999_999),
            "2.0",
            Some("bob"),
            Some("2001:db8::7"),
            404,
        ),
    ]
}

/// A connection sea-orm accepts for the test's database URL.
async fn connect(database: &str) -> sea_orm::DatabaseConnection {
    let url = match database.strip_prefix("sqlite:///") {
        Some(path) => format!("sqlite://{path}?mode=rwc"),
        None => database.to_owned(),
    };
    sea_orm::Database::connect(url).await.unwrap()
}

async fn old_requests_read_back_the_same_after_the_upgrade(database: &str) {
    let db = connect(database).await;
    Migrator::new("dashboard_")
        .up(&db, Some(BEFORE_COMPACT))
        .await
        .unwrap();
    let tables = Tables::new("dashboard_");
    let added = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let endpoint = Query::insert()
        .into_table(tables.name(Table::Endpoint))
        .columns([
            Endpoint::Name,
            Endpoint::Method,
            Endpoint::Route,
            Endpoint::MonitorLevel,
            Endpoint::TimeAdded,
            Endpoint::VersionAdded,
        ])
        .values_panic([
            "GET /users/{id}".into(),
            "GET".into(),
            "/users/{id}".into(),
            1i16.into(),
            added.into(),
            "1.0".into(),
        ])
        .to_owned();
    db.execute(&endpoint).await.unwrap();
    let mut requests = Query::insert();
    requests.into_table(tables.name(Table::Request)).columns([
        Request::EndpointId,
        Request::DurationMs,
        Request::TimeRequested,
        Request::VersionRequested,
        Request::GroupBy,
        Request::Ip,
        Request::StatusCode,
    ]);
    for (duration, time, version, user, ip, status) in old_requests() {
        requests.values_panic([
            1i32.into(),
            duration.into(),
            time.into(),
            version.into(),
            user.into(),
            ip.into(),
            i16::try_from(status).unwrap().into(),
        ]);
    }
    db.execute(&requests).await.unwrap();
    db.close().await.unwrap();

    let monitor = builder(database)
        .set(Key::SecurityToken, TOKEN)
        .start()
        .await
        .unwrap();
    let app = monitor.bind(crate::common::app());
    let page = export_route::<api::ExportRequests>(&app, TOKEN, &ExportQuery::default()).await;
    let read: Vec<Row<'_>> = page
        .requests
        .iter()
        .map(|row: &ExportedRequest| {
            (
                row.duration_ms,
                row.time_requested,
                row.version_requested.as_str(),
                row.group_by.as_deref(),
                row.ip.as_deref(),
                row.status_code,
            )
        })
        .collect();
    let expected: Vec<_> = old_requests()
        .into_iter()
        .map(|(duration, time, version, user, ip, status)| {
            // Durations are kept to the microsecond.
            (
                (duration * 1000.0).round() / 1000.0,
                time,
                version,
                user,
                ip,
                status,
            )
        })
        .collect();
    assert_eq!(read, expected);
    assert!(
        page.requests
            .iter()
            .all(|row| row.endpoint == "GET /users/{id}"),
        "{:?}",
        page.requests
    );
    monitor.shutdown().await;
}

crate::on_sqlite_and_postgres!(old_requests_read_back_the_same_after_the_upgrade);
