//! Hourly latency buckets and rollups of a database from before `m0003_daily_latency` are
//! carried over into the daily and all-time tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashboard_migration::Migrator;
use dashboard_migration::sea_orm_migration::MigratorTraitSelf;
use dashboard_migration::sea_orm_migration::sea_orm::{
    ConnectionTrait, Database, DbBackend, Statement,
};

async fn numbers(db: &impl ConnectionTrait, sql: &str) -> Vec<Vec<i64>> {
    db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (0..)
                .map_while(|column| row.try_get_by_index::<i64>(column).ok())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn hourly_buckets_become_daily_and_all_time_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let db = Database::connect(url).await.unwrap();
    let migrator = Migrator::new("p_");
    migrator.up(&db, Some(2)).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO p_endpoint (id, name, method, route, monitor_level, time_added, version_added) \
         VALUES (1, 'GET /a', 'GET', '/a', 1, '2026-11-20 10:00:00+00:00', '1.0');
         INSERT INTO p_rollup_bucket (endpoint_id, hour, version, status_code, bucket, count) VALUES
           (1, '2026-11-20 10:00:00+00:00', '1.0', 200, 7, 3),
           (1, '2026-11-20 23:00:00+00:00', '1.0', 500, 7, 2),
           (1, '2026-11-21 01:00:00+00:00', '1.0', 200, 9, 4);
         INSERT INTO p_rollup (endpoint_id, hour, version, status_code, hits, duration_sum_ms) VALUES
           (1, '2026-11-20 10:00:00+00:00', '1.0', 200, 3, 30.0),
           (1, '2026-11-20 23:00:00+00:00', '1.0', 500, 2, 20.0),
           (1, '2026-11-21 01:00:00+00:00', '1.0', 200, 4, 50.0);",
    )
    .await
    .unwrap();
    migrator.up(&db, Some(1)).await.unwrap(); // m0003_daily_latency
    let daily = numbers(
        &db,
        "SELECT endpoint_id, CAST(replace(day, '-', '') AS INTEGER), bucket, count \
         FROM p_latency_day ORDER BY day, bucket",
    )
    .await;
    assert_eq!(
        daily,
        [vec![1, 20261120, 7, 5], vec![1, 20261121, 9, 4]],
        "hours summed per UTC day and bucket, status codes together"
    );
    let total = numbers(
        &db,
        "SELECT endpoint_id, bucket, count FROM p_latency_total ORDER BY bucket",
    )
    .await;
    assert_eq!(total, [vec![1, 7, 5], vec![1, 9, 4]]);
    let statuses = numbers(
        &db,
        "SELECT endpoint_id, status_code, hits FROM p_status_total ORDER BY status_code",
    )
    .await;
    assert_eq!(statuses, [vec![1, 200, 7], vec![1, 500, 2]]);
    let old = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE name = 'p_rollup_bucket'",
        ))
        .await
        .unwrap();
    assert!(old.is_empty(), "the hourly buckets are gone");

    migrator.down(&db, Some(1)).await.unwrap();
    let back = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE name IN ('p_rollup_bucket', 'p_latency_day')",
        ))
        .await
        .unwrap();
    assert_eq!(
        back.len(),
        1,
        "down brings the hourly table back and drops the new ones"
    );
}
