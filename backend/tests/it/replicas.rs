//! Several processes on one database: each is an instance with its own rows, the Servers view
//! lists them with counts that add up to the total, the overview and the charts filter by
//! instance, concurrent writers never fail or deadlock, and login failures count across them.

use axum::http::StatusCode;
use axum_monitoring_dashboard::{Dashboard, Key};
use dashboard_shared::api;
use dashboard_shared::{ChartQuery, HourlyLoad, InstanceQuery, Servers};

use crate::common::{PASSWORD, app, builder, get_request, get_route, login, login_request, send};
use crate::on_every_database;

/// A dashboard on `database` named `instance`.
async fn replica(database: &str, instance: &str) -> Dashboard {
    builder(database)
        .set(Key::Instance, instance)
        .start()
        .await
        .unwrap()
}

async fn two_instances_add_up(database: &str) {
    let (first, second) = (
        replica(database, "web-1").await,
        replica(database, "web-2").await,
    );
    let (app_1, app_2) = (first.bind(app()), second.bind(app()));
    for id in 0..5 {
        assert_eq!(
            send(&app_1, get_request(&format!("/users/{id}"))).await.0,
            StatusCode::OK
        );
    }
    for id in 0..3 {
        assert_eq!(
            send(&app_2, get_request(&format!("/users/{id}"))).await.0,
            StatusCode::OK
        );
    }
    first.shutdown().await;
    second.shutdown().await;

    let (cookie, _) = login(&app_1, "/dashboard", "admin", PASSWORD).await;
    let servers: Servers =
        get_route::<api::Servers>(&app_1, &cookie, None, &Default::default()).await;
    let mut counts: Vec<(String, u64, bool, u64)> = servers
        .servers
        .iter()
        .map(|server| {
            let stored = server.heartbeats.last().map_or(0, |beat| beat.stored);
            (
                server.name.clone(),
                server.requests_today,
                server.live,
                stored,
            )
        })
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("web-1".to_owned(), 5, true, 5),
            ("web-2".to_owned(), 3, true, 3)
        ],
        "each instance's requests, live, and its final heartbeat's stored count"
    );
    assert_eq!(
        servers.requests_today, 8,
        "the instances add up to the total"
    );

    let id_of = |name: &str| {
        servers
            .servers
            .iter()
            .find(|server| server.name == name)
            .unwrap()
            .id
    };
    let hits = |rows: Vec<dashboard_shared::OverviewRow>| -> u64 {
        rows.iter().map(|row| row.hits_today).sum()
    };
    for (instance, expected) in [
        (None, 8),
        (Some(id_of("web-1")), 5),
        (Some(id_of("web-2")), 3),
    ] {
        let rows =
            get_route::<api::Overview>(&app_2, &cookie, None, &InstanceQuery { instance }).await;
        assert_eq!(hits(rows), expected, "overview of {instance:?}");
        let endpoint = crate::common::endpoint_id(&app_2, &cookie, "GET /users/{id}").await;
        let load: HourlyLoad = get_route::<dashboard_shared::EndpointHourlyLoadChart>(
            &app_2,
            &cookie,
            Some(endpoint),
            &ChartQuery {
                instance,
                ..ChartQuery::default()
            },
        )
        .await;
        assert_eq!(
            load.counts.iter().flatten().sum::<u64>(),
            expected,
            "hourly load of {instance:?}"
        );
    }
}

on_every_database!(two_instances_add_up);

/// Four processes' writers at their full rate on one endpoint (the same rollup rows but for
/// the instance): no batch fails, nothing is dropped, every request is counted once.
async fn four_writers_never_fail(database: &str) {
    const PER_REPLICA: usize = 3_000;
    let mut replicas = Vec::new();
    for n in 0..4 {
        replicas.push(replica(database, &format!("writer-{n}")).await);
    }
    let mut sends = tokio::task::JoinSet::new();
    for replica in &replicas {
        let app = replica.bind(app());
        sends.spawn(async move {
            for id in 0..PER_REPLICA {
                send(&app, get_request(&format!("/users/{}", id % 7))).await;
            }
        });
    }
    while let Some(sent) = sends.join_next().await {
        sent.unwrap();
    }
    for replica in &replicas {
        replica.shutdown().await;
    }
    for replica in &replicas {
        assert_eq!(
            (replica.writer_failures(), replica.dropped_measurements()),
            (0, 0),
            "no failed batch (a deadlock would be one), nothing dropped"
        );
        assert_eq!(replica.stored_measurements(), PER_REPLICA as u64);
    }
    let app = replicas[0].bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let rows = get_route::<api::Overview>(&app, &cookie, None, &InstanceQuery::default()).await;
    assert_eq!(
        rows.iter().map(|row| row.hits_overall).sum::<u64>(),
        4 * PER_REPLICA as u64
    );
}

on_every_database!(four_writers_never_fail);

/// Failures on one process lock the address out on another: the throttle counts in the
/// database.
async fn login_failures_count_across_processes(database: &str) {
    let (first, second) = (replica(database, "a").await, replica(database, "b").await);
    let (app_1, app_2) = (first.bind(app()), second.bind(app()));
    for _ in 0..5 {
        let (status, _, _) = send(&app_1, login_request("/dashboard", "admin", "wrong")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = send(&app_2, login_request("/dashboard", "admin", PASSWORD)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the other process refuses the address"
    );
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 800 && retry <= 900, "{retry}");
    first.shutdown().await;
    second.shutdown().await;
}

on_every_database!(login_failures_count_across_processes);
