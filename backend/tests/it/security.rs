//! The attacks of a hostile client of the monitored service, each performed against the
//! dashboard: every one must fail (see `docs/security.md`).

use crate::common::*;
use axum::http::StatusCode;

/// Finding 1: no URL reaches a file the build did not embed. The SQLite file is open in this
/// process, so `/proc/self/fd/N` names it for some small N.
#[tokio::test]
async fn no_url_reads_a_file_outside_the_built_frontend() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    let mut attacks = Vec::new();
    for fd in 0..40 {
        for (up, slash) in [
            ("..", "%2f"),
            ("%2e%2e", "%2f"),
            ("%252e%252e", "%252f"),
            ("..", "%5c"),
            ("..", "\\"),
        ] {
            let climb = format!("{up}{slash}").repeat(6);
            attacks.push(format!(
                "/dashboard/{climb}proc{slash}self{slash}fd{slash}{fd}"
            ));
        }
        attacks.push(format!("/dashboard/%2fproc%2fself%2ffd%2f{fd}"));
        attacks.push(format!("/dashboard//proc/self/fd/{fd}"));
    }
    attacks.push("/dashboard/..%2f..%2f..%2f..%2fetc%2fpasswd".to_owned());
    for attack in attacks {
        let Ok(uri) = attack.parse::<axum::http::Uri>() else {
            continue; // not even a URL a client could send
        };
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        let status = response.status();
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(status, StatusCode::NOT_FOUND, "{attack}");
        assert!(
            !body.windows(15).any(|w| w == b"SQLite format 3") && !body.starts_with(b"root:"),
            "{attack} answered a file"
        );
    }
    monitor.shutdown().await;
}

/// `GET uri` as `cookie`, read as the shared DTO `T`.
async fn get_as<T: serde::de::DeserializeOwned>(app: &axum::Router, cookie: &str, uri: &str) -> T {
    serde_json::from_value(get_json(app, cookie, uri).await).unwrap()
}

/// The overview's rows.
async fn overview(app: &axum::Router, cookie: &str) -> Vec<dashboard_shared::OverviewRow> {
    get_as(app, cookie, "/dashboard/api/overview").await
}

fn with_method(method: &[u8], uri: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(axum::http::Method::from_bytes(method).unwrap())
        .uri(uri)
        .body(axum::body::Body::empty())
        .unwrap()
}

/// Finding 2: made-up methods make no endpoint of their own, and endpoints are capped.
#[tokio::test]
async fn invented_methods_share_one_endpoint_and_endpoints_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = builder(&sqlite_in(&dir))
        .set(axum_monitoring_dashboard::Key::MaxEndpoints, "3")
        .start()
        .await
        .unwrap();
    let routes = app()
        .route("/a", axum::routing::any(|| async { "a" }))
        .route("/b", axum::routing::any(|| async { "b" }));
    let app = monitor.bind(routes);
    let long = "X".repeat(3000);
    for method in [b"FOO1".as_slice(), b"BREW", long.as_bytes(), b"GET"] {
        send(&app, with_method(method, "/a")).await;
    }
    // A third and fourth endpoint: the third fits under the cap, the fourth does not.
    send(&app, get_request("/b")).await;
    for _ in 0..4 {
        send(&app, get_request("/users/1")).await;
    }
    monitor.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let mut names: Vec<(String, u64)> = overview(&app, &cookie)
        .await
        .into_iter()
        .map(|row| (row.name, row.hits_overall))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("GET /a".to_owned(), 1),
            ("GET /b".to_owned(), 1),
            ("_OTHER /a".to_owned(), 3)
        ]
    );
    assert_eq!(
        monitor.dropped_measurements(),
        4,
        "the requests past the cap"
    );
}

/// An app whose requests are grouped by their `x-user` header, with a handler that panics with
/// its path parameter in the message.
fn grouped_app(
    monitor_builder: axum_monitoring_dashboard::DashboardBuilder,
) -> (axum_monitoring_dashboard::DashboardBuilder, axum::Router) {
    let builder = monitor_builder.group_by(|request| {
        request
            .headers()
            .get("x-user")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    });
    let routes = app().route(
        "/echo/{text}",
        axum::routing::get(
            |axum::extract::Path(text): axum::extract::Path<String>| async move {
                if text.len() > 1 {
                    panic!("cannot echo {text}");
                }
                text
            },
        ),
    );
    (builder, routes)
}

fn as_user(uri: &str, user: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::get(uri)
        .header("x-user", user)
        .body(axum::body::Body::empty())
        .unwrap()
}

/// The requests the overview counts, once they reach `expected` (within 20 s).
async fn wait_for_hits(app: &axum::Router, cookie: &str, expected: u64) -> u64 {
    let rows = get_json_once(app, cookie, "/dashboard/api/overview", |rows| {
        let rows: Vec<dashboard_shared::OverviewRow> =
            serde_json::from_value(rows.clone()).unwrap_or_default();
        rows.iter().map(|row| row.hits_overall).sum::<u64>() >= expected
    })
    .await;
    let rows: Vec<dashboard_shared::OverviewRow> = serde_json::from_value(rows).unwrap();
    rows.iter().map(|row| row.hits_overall).sum()
}

/// A trigger that makes the database refuse request rows whose group is `poison`.
async fn poison_requests(database: &str) {
    use sea_orm::ConnectionTrait;
    let url = database.replacen("sqlite:///", "sqlite://", 1);
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let statements: &[&str] = if database.starts_with("mysql") {
        &[
            "CREATE TRIGGER poison BEFORE INSERT ON dashboard_request FOR EACH ROW BEGIN \
           IF NEW.user_id IN (SELECT id FROM dashboard_label WHERE value = 'poison') THEN \
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END",
        ]
    } else if database.starts_with("sqlite") {
        &["CREATE TRIGGER poison BEFORE INSERT ON dashboard_request \
           WHEN NEW.user_id IN (SELECT id FROM dashboard_label WHERE value = 'poison') \
           BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"]
    } else {
        &[
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
             IF NEW.user_id IN (SELECT id FROM dashboard_label WHERE value = 'poison') THEN \
             RAISE EXCEPTION 'poisoned row'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER poison BEFORE INSERT ON dashboard_request \
             FOR EACH ROW EXECUTE FUNCTION poison()",
        ]
    };
    for statement in statements {
        db.execute_unprepared(statement).await.unwrap();
    }
}

/// Finding 3: a NUL in a panic message (from the URL) is stored escaped and collection goes on.
async fn a_nul_from_the_url_stops_nothing(database: &str) {
    let (builder, routes) = grouped_app(crate::common::builder(database));
    let monitor = builder.start().await.unwrap();
    let app = monitor.bind(routes);
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let (status, _, _) = send(&app, as_user("/echo/a%00b", "ann")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    for id in 0..100 {
        send(&app, get_request(&format!("/users/{id}"))).await;
    }
    assert_eq!(wait_for_hits(&app, &cookie, 101).await, 101);
    let groups: dashboard_shared::ExceptionGroups =
        get_as(&app, &cookie, "/dashboard/api/exceptions").await;
    assert_eq!(groups.groups[0].message, "cannot echo a\\0b");
    monitor.shutdown().await;
    assert_eq!(monitor.dropped_measurements(), 0);
}

crate::on_every_database!(a_nul_from_the_url_stops_nothing);

/// Finding 3: a row the database refuses costs that row only.
async fn a_refused_row_is_dropped_alone(database: &str) {
    let (builder, routes) = grouped_app(crate::common::builder(database));
    let monitor = builder.start().await.unwrap();
    poison_requests(database).await;
    let app = monitor.bind(routes);
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    send(&app, as_user("/users/0", "poison")).await;
    for id in 1..=100 {
        send(&app, as_user(&format!("/users/{id}"), "ann")).await;
    }
    assert_eq!(wait_for_hits(&app, &cookie, 100).await, 100);
    monitor.shutdown().await;
    assert_eq!(monitor.dropped_measurements(), 1, "only the poisoned row");
    assert_eq!(monitor.stored_measurements(), 100);
}

crate::on_every_database!(a_refused_row_is_dropped_alone);

/// Finding 3: a stop with a queue the database refuses ends within the documented bound and
/// counts every measurement it could not store.
async fn a_stop_with_refused_rows_ends_in_time(database: &str) {
    let (builder, routes) = grouped_app(crate::common::builder(database));
    let monitor = builder.start().await.unwrap();
    poison_requests(database).await;
    let app = monitor.bind(routes);
    for id in 0..300 {
        send(&app, as_user(&format!("/users/{id}"), "poison")).await;
    }
    let started = std::time::Instant::now();
    monitor.shutdown().await;
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(8),
        "the stop took {took:?}"
    );
    assert_eq!(
        monitor.stored_measurements() + monitor.dropped_measurements(),
        300,
        "every measurement stored or counted"
    );
    assert_eq!(monitor.stored_measurements(), 0);
}

crate::on_every_database!(a_stop_with_refused_rows_ends_in_time);

fn login_from(
    peer: &str,
    forwarded_for: Option<&str>,
    forwarded_proto: Option<&str>,
    username: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut request = login_request("/dashboard", username, password);
    let address: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(address));
    if let Some(client) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
    }
    if let Some(proto) = forwarded_proto {
        request
            .headers_mut()
            .insert("x-forwarded-proto", proto.parse().unwrap());
    }
    request
}

/// Finding 4: behind a reverse proxy, one client's failures lock out neither the others nor
/// the real admin; a client that keeps failing is refused.
#[tokio::test]
async fn failed_logins_behind_a_proxy_lock_out_only_the_client_that_failed() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = builder(&sqlite_in(&dir))
        .set(axum_monitoring_dashboard::Key::TrustedProxies, "127.0.0.1")
        .start()
        .await
        .unwrap();
    let app = monitor.bind(app());
    let attacker = Some("203.0.113.9");
    for _ in 0..5 {
        let (status, _, _) = send(
            &app,
            login_from("127.0.0.1", attacker, None, "admin", "wrong-one"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = send(
        &app,
        login_from("127.0.0.1", attacker, None, "admin", "wrong-one"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
    let (status, _, _) = send(
        &app,
        login_from("127.0.0.1", attacker, None, "admin", PASSWORD),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even with the right password"
    );
    let (status, _, body) = send(
        &app,
        login_from("127.0.0.1", Some("198.51.100.2"), None, "admin", PASSWORD),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the real admin, elsewhere, gets in: {body}"
    );
    monitor.shutdown().await;
}

/// Finding 7: the cookie's `Secure` follows `X-Forwarded-Proto` only from a trusted proxy, or
/// `COOKIE_SECURE`.
#[tokio::test]
async fn only_a_trusted_proxy_makes_the_cookie_secure() {
    let secure_cookie = async |cookie_secure: Option<&str>, peer: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut dashboard = builder(&sqlite_in(&dir))
            .set(axum_monitoring_dashboard::Key::TrustedProxies, "10.0.0.1");
        if let Some(value) = cookie_secure {
            dashboard = dashboard.set(axum_monitoring_dashboard::Key::CookieSecure, value);
        }
        let monitor = dashboard.start().await.unwrap();
        let app = monitor.bind(app());
        let (status, headers, _) = send(
            &app,
            login_from(peer, None, Some("https"), "admin", PASSWORD),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        monitor.shutdown().await;
        headers["set-cookie"].to_str().unwrap().contains("; Secure")
    };
    assert!(
        !secure_cookie(None, "192.0.2.1").await,
        "anyone's header is not believed"
    );
    assert!(secure_cookie(None, "10.0.0.1").await, "the proxy's is");
    assert!(secure_cookie(Some("true"), "192.0.2.1").await);
    assert!(!secure_cookie(Some("false"), "10.0.0.1").await);
}

/// Finding 7: short configured passwords and tokens stop the start with a clear error.
#[tokio::test]
async fn short_passwords_and_tokens_are_refused_at_start() {
    use axum_monitoring_dashboard::{Dashboard, Key};
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    for (key, value, expected) in [
        (
            Key::Password,
            "pw-1",
            "`PASSWORD` must be a password of at least 8 characters",
        ),
        (
            Key::GuestPassword,
            "short",
            "`GUEST_PASSWORD` must be a password of at least 8",
        ),
        (
            Key::SecurityToken,
            "tk-1",
            "`SECURITY_TOKEN` must be a token of at least 16 characters",
        ),
        (
            Key::MetricsToken,
            "fifteen-chars!!",
            "`METRICS_TOKEN` must be a token of at least 16",
        ),
    ] {
        let error = start_error(Dashboard::builder().database(&database).set(key, value)).await;
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains(value), "the secret is not shown: {error}");
    }
}

/// Finding 7: a report covers at most 366 days.
#[tokio::test]
async fn a_report_of_more_than_366_days_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    let (cookie, csrf) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let range = |from: &str, to: &str| dashboard_shared::TimeRange {
        from: from.parse().unwrap(),
        to: to.parse().unwrap(),
    };
    let request = dashboard_shared::ReportRequest::Intervals {
        comparison: range("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        baseline: range("2019-01-01T00:00:00Z", "2019-02-01T00:00:00Z"),
    };
    let (status, _, body) = send(
        &app,
        json_request(
            "POST",
            "/dashboard/api/reports",
            &cookie,
            &csrf,
            serde_json::to_value(&request).unwrap(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("at most 366 days"), "{body}");
    monitor.shutdown().await;
}

/// Finding 7: a `group_by` value is stored capped at 1 KiB.
#[tokio::test]
async fn a_huge_group_is_stored_capped() {
    let dir = tempfile::tempdir().unwrap();
    let token = "a-security-token-of-some-length";
    let (builder, routes) = grouped_app(
        builder(&sqlite_in(&dir)).set(axum_monitoring_dashboard::Key::SecurityToken, token),
    );
    let monitor = builder.start().await.unwrap();
    let app = monitor.bind(routes);
    send(&app, as_user("/users/1", &"u".repeat(8000))).await;
    monitor.shutdown().await;
    let (status, _, page) = send(&app, with_token("/dashboard/api/export/requests", token)).await;
    assert_eq!(status, StatusCode::OK);
    let page: dashboard_shared::RequestPage = serde_json::from_value(page).unwrap();
    let group = page.requests[0].group_by.as_deref().unwrap();
    assert!(
        group.len() <= 1024 + '…'.len_utf8(),
        "{} bytes",
        group.len()
    );
    assert!(group.ends_with('…'));
}

/// The fuzzer's finding: an offset past `i64::MAX` is a bad request, not a panic.
#[tokio::test]
async fn an_offset_past_what_sql_can_skip_is_a_bad_request() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    send(&app, get_request("/users/1")).await;
    monitor.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let id = endpoint_id(&app, &cookie, "GET /users/{id}").await;
    for uri in [
        "/dashboard/api/exceptions?offset=9223372036854775808".to_owned(),
        format!("/dashboard/api/endpoints/{id}/profiles?offset=9223372036854775808"),
        format!("/dashboard/api/endpoints/{id}/outliers?offset=18446744073709551615"),
    ] {
        let (status, _, body) = send(&app, with_cookie("GET", &uri, &cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
}

/// Finding 6: every dashboard response forbids framing and sniffing, runs only its own
/// scripts, and API answers are never stored by caches.
#[tokio::test]
async fn every_dashboard_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let app = monitor.bind(app());
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    for (uri, api) in [
        ("/dashboard", false),
        ("/dashboard/", false),
        ("/dashboard/endpoint/1", false),
        ("/dashboard/missing.js", false),
        ("/dashboard/api/overview", true),
        ("/dashboard/api/me", true),
        ("/dashboard/api/no-such-route", true),
        ("/dashboard/api/openapi.json", true),
    ] {
        for cookie in ["", cookie.as_str()] {
            let (_, headers, _) = send_for_text(&app, with_cookie("GET", uri, cookie)).await;
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_else(|| panic!("{uri}: no {name}"))
                    .to_owned()
            };
            let policy = header("content-security-policy");
            for directive in [
                "frame-ancestors 'none'",
                "script-src 'self' 'wasm-unsafe-eval'",
                "object-src 'none'",
            ] {
                assert!(policy.contains(directive), "{uri}: {policy}");
            }
            let scripts = policy
                .split(';')
                .find(|d| d.trim().starts_with("script-src"))
                .unwrap();
            assert!(!scripts.contains("unsafe-inline"), "{uri}: {policy}");
            assert_eq!(header("x-frame-options"), "DENY", "{uri}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
            assert_eq!(header("referrer-policy"), "no-referrer", "{uri}");
            if api {
                assert_eq!(header("cache-control"), "no-store", "{uri}");
            }
        }
    }
    monitor.shutdown().await;
}

/// Serves `app` on a loopback port until the returned sender is dropped or sent to.
async fn serve(app: axum::Router) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (address, stop)
}

/// Finding 9: a request whose client gives up is recorded with status 499 and its duration up
/// to then.
#[tokio::test]
async fn a_request_the_client_abandons_is_recorded_as_499() {
    let dir = tempfile::tempdir().unwrap();
    let monitor = start(&sqlite_in(&dir)).await;
    let routes = app().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            "finally"
        }),
    );
    let app = monitor.bind(routes);
    let (address, stop) = serve(app.clone()).await;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap();
    let abandoned: Vec<_> = (0..5)
        .map(|_| tokio::spawn(client.get(format!("http://{address}/slow")).send()))
        .collect();
    for request in abandoned {
        assert!(
            request
                .await
                .unwrap()
                .is_err_and(|error| error.is_timeout())
        );
    }
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    assert_eq!(wait_for_hits(&app, &cookie, 5).await, 5);
    let id = endpoint_id(&app, &cookie, "GET /slow").await;
    let page: dashboard_shared::RequestPage = get_as(
        &app,
        &cookie,
        &format!("/dashboard/api/endpoints/{id}/errors"),
    )
    .await;
    assert_eq!(page.requests.len(), 5);
    for request in &page.requests {
        assert_eq!(request.status_code, 499);
        assert!(
            (900.0..3000.0).contains(&request.duration_ms),
            "measured until the client left: {} ms",
            request.duration_ms
        );
    }
    let rows = overview(&app, &cookie).await;
    assert_eq!(rows[0].errors_overall, 5, "counted as errors");
    drop(stop);
    monitor.shutdown().await;
}

/// Finding 8: an outlier taken before the first CPU and memory refresh says "not measured"
/// (null) instead of 0, and the box plots leave it out.
#[tokio::test]
async fn figures_not_measured_yet_are_null_not_zero() {
    use axum_monitoring_dashboard::Key;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_in(&dir);
    let level_two = || {
        builder(&database)
            .monitor_level(2)
            .set(Key::OutlierMinSamples, "3")
            .set(Key::OutlierDetectionConstant, "5")
    };
    let routes = || {
        app().route(
            "/wait/{ms}",
            axum::routing::get(
                |axum::extract::Path(ms): axum::extract::Path<u64>| async move {
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    "waited"
                },
            ),
        )
    };
    // A history of fast requests, stored by a first process.
    let first = level_two().start().await.unwrap();
    let app = first.bind(routes());
    for _ in 0..3 {
        send(&app, get_request("/wait/1")).await;
    }
    first.shutdown().await;
    // The second process's first request is an outlier within milliseconds, long before the
    // first refresh of the figures (which starts with the first watched request).
    let second = level_two().start().await.unwrap();
    let app = second.bind(routes());
    send(&app, get_request("/wait/150")).await;
    second.shutdown().await;
    let (cookie, _) = login(&app, "/dashboard", "admin", PASSWORD).await;
    let id = endpoint_id(&app, &cookie, "GET /wait/{ms}").await;
    let page: dashboard_shared::OutlierPage = get_as(
        &app,
        &cookie,
        &format!("/dashboard/api/endpoints/{id}/outliers"),
    )
    .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.outliers[0].cpu, None);
    assert_eq!(page.outliers[0].memory, None);
    assert!(
        page.cpu.boxes.is_empty() && page.memory.boxes.is_empty(),
        "nothing measured, nothing drawn: {:?} {:?}",
        page.cpu,
        page.memory
    );
}

/// A connection of the test's own that holds the request table locked until it is dropped.
async fn lock_requests(database: &str) -> Box<dyn std::any::Any> {
    use sea_orm::sqlx::{Connection, Executor};
    if database.starts_with("sqlite") {
        let url = database.replacen("sqlite:///", "sqlite://", 1);
        let mut connection = sea_orm::sqlx::SqliteConnection::connect(&url)
            .await
            .unwrap();
        connection.execute("BEGIN EXCLUSIVE").await.unwrap();
        Box::new(connection)
    } else if database.starts_with("mysql") {
        let mut connection = sea_orm::sqlx::MySqlConnection::connect(database)
            .await
            .unwrap();
        connection
            .execute("LOCK TABLES dashboard_request WRITE")
            .await
            .unwrap();
        Box::new(connection)
    } else {
        let mut connection = sea_orm::sqlx::PgConnection::connect(database)
            .await
            .unwrap();
        connection.execute("BEGIN").await.unwrap();
        connection
            .execute("LOCK TABLE dashboard_request IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        Box::new(connection)
    }
}

/// Finding 3: a stop while the database does not answer (a lock held elsewhere) ends within
/// the documented bound, counting what it could not store; the service can always stop.
async fn a_stop_while_the_database_hangs_ends_in_time(database: &str) {
    let monitor = start(database).await;
    let app = monitor.bind(app());
    let lock = lock_requests(database).await;
    for id in 0..50 {
        send(&app, get_request(&format!("/users/{id}"))).await;
    }
    let started = std::time::Instant::now();
    monitor.shutdown().await;
    let took = started.elapsed();
    drop(lock);
    assert!(
        took < std::time::Duration::from_secs(8),
        "the stop took {took:?}"
    );
    assert_eq!(
        monitor.stored_measurements() + monitor.dropped_measurements(),
        50
    );
}

crate::on_every_database!(a_stop_while_the_database_hangs_ends_in_time);
