//! [`Dashboard`]: configure, start, and bind the dashboard to an Axum router.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::routing::get;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;

use crate::accounts::{self, AccountError, GeneratedPasswords};
use crate::api::{self, ApiState, SessionKeys};
use crate::assets::{self, Frontend};
use crate::collect::heartbeat::{self, Registration};
use crate::collect::{self, Collector, GroupBy, MonitorLayer, PastRequest};
use crate::config::{Config, ConfigError, ConfigSources, Key, RawValue, Secret};
use crate::headers;
use crate::jobs::{GraphSpec, GraphValue};
use crate::metrics::Exporter;
use crate::metrics::PipelineHealth;
use crate::outlier::ContextRenderer;
use crate::record::{STOP_TIMEOUT, Writer};
use crate::schedule::Schedule;
use crate::store::{DatabaseError, Store};

/// Why [`DashboardBuilder::start`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The `GIT` repository cannot give a version.
    #[error(transparent)]
    Git(#[from] crate::version::GitError),
    /// The metrics listener of `METRICS_PORT` could not be opened.
    #[error("cannot listen for metrics on {address}: {source}")]
    MetricsListener {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The admin account or the session secret could not be set up.
    #[error("cannot set up accounts: {0}")]
    Accounts(#[from] AccountError),
    /// The custom graphs or the scheduled jobs could not be set up.
    #[error(transparent)]
    Jobs(#[from] crate::jobs::JobsError),
}

impl From<sea_orm::DbErr> for StartError {
    fn from(err: sea_orm::DbErr) -> Self {
        StartError::Database(DatabaseError::Db(err))
    }
}

/// Configures a [`Dashboard`]; made by [`Dashboard::builder`].
///
/// Settings made here win over `DASHBOARD_<KEY>` environment variables, which win over the
/// configuration file, which wins over the defaults.
#[derive(Default)]
#[must_use]
pub struct DashboardBuilder {
    sources: ConfigSources,
    group_by: Option<GroupBy>,
    graphs: Vec<GraphSpec>,
    authorize: Option<api::Authorize>,
}

impl std::fmt::Debug for DashboardBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardBuilder")
            .field("sources", &self.sources)
            .field("graphs", &self.graphs.len())
            .field("authorize", &self.authorize.is_some())
            .finish_non_exhaustive()
    }
}

impl DashboardBuilder {
    /// Reads a configuration file: TOML when it ends in `.toml`, otherwise the INI format of
    /// Flask-MonitoringDashboard's `config.cfg`. Default: none.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.sources.file = Some(path.into());
        self
    }

    /// Reads the configuration file named by an environment variable, if it is set, e.g.
    /// `DASHBOARD_CONFIG`. Default: none.
    pub fn config_env(mut self, variable: impl Into<String>) -> Self {
        self.sources.file_env = Some(variable.into());
        self
    }

    /// Sets any configuration key, checked like a file's value at start.
    pub fn set(mut self, key: Key, value: impl Into<String>) -> Self {
        self.sources
            .overrides
            .push((key, RawValue::Text(value.into())));
        self
    }

    /// `DATABASE`: where to store measurements. Default `sqlite:///dashboard.db`.
    pub fn database(self, url: impl Into<String>) -> Self {
        self.set(Key::Database, url)
    }

    /// `APP_VERSION`: the version recorded with each request. Default `1.0`.
    pub fn app_version(self, version: impl Into<String>) -> Self {
        self.set(Key::AppVersion, version)
    }

    /// `CUSTOM_LINK`: serve the dashboard under `/{link}`. Default `dashboard`.
    pub fn custom_link(self, link: impl Into<String>) -> Self {
        self.set(Key::CustomLink, link)
    }

    /// `MONITOR_LEVEL`: the level (0–3) of endpoints seen for the first time. Default 1.
    pub fn monitor_level(self, level: u8) -> Self {
        self.set(Key::MonitorLevel, level.to_string())
    }

    /// `USERNAME`: the admin account's name. Default `admin`.
    pub fn username(self, username: impl Into<String>) -> Self {
        self.set(Key::Username, username)
    }

    /// `PASSWORD`: the admin's password. Default: generated at first start and printed once.
    pub fn password(self, password: impl Into<String>) -> Self {
        self.set(Key::Password, password)
    }

    /// `TABLE_PREFIX`: prepended to every table name. Default `dashboard_`.
    pub fn table_prefix(self, prefix: impl Into<String>) -> Self {
        self.set(Key::TablePrefix, prefix)
    }

    /// `QUEUE_CAPACITY`: measurements buffered for the writer. Default 10000.
    pub fn queue_capacity(self, capacity: usize) -> Self {
        self.set(Key::QueueCapacity, capacity.to_string())
    }

    /// Groups requests, usually by user: the function gets each request before its handler runs
    /// and returns the group, or `None` (stored as NULL). Anything that converts into a
    /// [`crate::GroupValue`] will do — text, numbers, tuples, vectors, lazily computed values —
    /// rendered like the reference does (`("User", 3)` ⇒ `(User,3)`). A panic in it records no
    /// group and is logged; the request is served as usual.
    ///
    /// ```
    /// # use axum_monitoring_dashboard::Dashboard;
    /// let builder = Dashboard::builder()
    ///     .group_by(|req| req.headers().get("x-user-id")?.to_str().ok().map(str::to_owned));
    /// ```
    pub fn group_by<F, V>(mut self, group_by: F) -> Self
    where
        F: Fn(&Request) -> Option<V> + Send + Sync + 'static,
        V: Into<crate::GroupValue>,
    {
        self.group_by = Some(Arc::new(move |request: &Request| {
            group_by(request).map(Into::into)
        }));
        self
    }

    /// Lets the service's own login decide who may use the dashboard: `authorize` gets each
    /// dashboard API request's head (its cookies, headers, extensions your middleware added)
    /// and returns the user with their role, or `None`. With it, the dashboard's own accounts
    /// may be turned off (`ACCOUNTS = false`); otherwise a request the function does not
    /// authorise can still log in with an account. Changing requests still need the
    /// `X-CSRF-Token` that `GET /api/me` hands out. Default: none.
    ///
    /// ```
    /// # use axum_monitoring_dashboard::{Dashboard, HostUser, Key};
    /// let builder = Dashboard::builder()
    ///     .set(Key::Accounts, "false")
    ///     .authorize(|parts| match parts.headers.get("x-user")?.to_str().ok()? {
    ///         "ops" => Some(HostUser::admin("ops")),
    ///         other => Some(HostUser::guest(other)),
    ///     });
    /// ```
    pub fn authorize<F>(mut self, authorize: F) -> Self
    where
        F: Fn(&axum::http::request::Parts) -> Option<crate::HostUser> + Send + Sync + 'static,
    {
        self.authorize = Some(Arc::new(authorize));
        self
    }

    /// Adds a custom graph: `function`'s number is stored at every tick of `schedule` (UTC),
    /// once per tick however many processes share the database, and drawn on the Custom graphs
    /// page. The graph's row is created the first time its title is seen. A function that fails
    /// (returns `Err`) or panics is logged and retried twice for that tick; other graphs go on.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use axum_monitoring_dashboard::{Dashboard, Schedule};
    /// # async fn count_users() -> Result<u64, std::io::Error> { Ok(3) }
    /// let builder = Dashboard::builder()
    ///     .graph("Registered users", Schedule::cron("0 0 * * * *"), count_users)
    ///     .graph("Queue length", Schedule::interval(Duration::from_secs(60)), || async { 7 });
    /// ```
    pub fn graph<F, Fut>(
        mut self,
        title: impl Into<String>,
        schedule: Schedule,
        function: F,
    ) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: GraphValue,
    {
        self.graphs
            .push(GraphSpec::new(title.into(), schedule, function));
        self
    }

    /// Checks the configuration, connects to the database and migrates it, sets up the admin
    /// account and starts the writer task and the scheduled jobs. Needs a Tokio runtime.
    pub async fn start(self) -> Result<Dashboard, StartError> {
        let config = self.sources.load()?;
        if !config.accounts && self.authorize.is_none() {
            return Err(StartError::Config(ConfigError::Conflict(
                "`ACCOUNTS` is false but no `authorize` function is set: nobody could use the \
                 dashboard (set DashboardBuilder::authorize, or ACCOUNTS = true)"
                    .to_owned(),
            )));
        }
        let version = crate::version::resolve(&config)?;
        let (store, writer_store) =
            Store::open_with_writer(config.database.expose(), &config.table_prefix).await?;
        let generated = if config.accounts {
            accounts::seed_accounts(&store, &config).await?
        } else {
            GeneratedPasswords::default()
        };
        for (username, password) in [
            (&config.username, &generated.admin),
            (&config.guest_username, &generated.guest),
        ] {
            if let Some(password) = password {
                eprintln!(
                    "axum-monitoring-dashboard: created the account `{username}` with the password {} \
                     (shown only once; configure its password to choose one)",
                    password.expose()
                );
            }
        }
        let secret = match &config.session_secret {
            Some(secret) => secret.expose().to_owned(),
            None => {
                store
                    .setting_or_insert("session_secret", accounts::random_token(64)?)
                    .await?
            }
        };
        let (sender, receiver) = mpsc::channel(config.queue_capacity);
        let collector = Arc::new(Collector::new(&config, self.group_by, sender));
        let registration = Arc::new(Registration::new(
            config.instance.as_deref(),
            version.version.as_str(),
        ));
        collector.set_instance(store.register_instance(&registration.start()).await?);
        collect::load_endpoints(&store, &collector).await?;
        let (shutdown, shutdown_receiver) = watch::channel(false);
        collector.outliers.spawn(&shutdown);
        crate::exception::install_panic_hook();
        let writer = Writer {
            store: writer_store,
            collector: Arc::clone(&collector),
            receiver,
            shutdown: shutdown_receiver,
            version: version.version.as_str().into(),
            timezone: config.timezone,
            log_requests: config.enable_logging,
            context: ContextRenderer::new(&config, version.version.as_str().into()),
            code_lines: HashMap::new(),
            labels: Default::default(),
            calls: crate::record::CallResolver::new(config.n_plus_one, config.metrics),
            deadline: None,
            database_url: config.database.clone(),
        };
        let writer = tokio::spawn(writer.run());
        tokio::spawn(collect::follow_levels(
            store.clone(),
            Arc::clone(&collector),
            shutdown.subscribe(),
        ));
        tokio::spawn(heartbeat::run(
            store.clone(),
            Arc::clone(&collector),
            Arc::clone(&registration),
            shutdown.subscribe(),
        ));
        let config = Arc::new(config);
        let schedules = self
            .graphs
            .iter()
            .map(|graph| (graph.title.clone(), graph.schedule.to_string()))
            .collect();
        crate::jobs::start(
            &store,
            &config,
            version.version.as_str(),
            self.graphs,
            &shutdown,
        )
        .await?;
        let sessions = Arc::new(SessionKeys::new(
            &secret,
            &config.custom_link,
            config.session_lifetime,
        ));
        let exporter = collector.metrics.clone().map(|http| {
            Exporter::new(
                http,
                Arc::clone(&collector) as Arc<dyn PipelineHealth>,
                &config,
                &version,
            )
        });
        let metrics_address = match (&exporter, config.metrics_listen) {
            (Some(exporter), Some(address)) => Some(
                serve_metrics(
                    exporter.router(&config.metrics_path),
                    address,
                    shutdown.subscribe(),
                )
                .await?,
            ),
            _ => None,
        };
        Ok(Dashboard {
            inner: Arc::new(Inner {
                api: ApiState {
                    store,
                    config,
                    graph_schedules: Arc::new(schedules),
                    sessions,
                    collector,
                    throttle: Arc::default(),
                    reports_running: Arc::default(),
                    authorize: self.authorize,
                    app_version: version.version.as_str().into(),
                },
                generated,
                exporter,
                metrics_address,
                shutdown,
                writer: Mutex::new(Some(writer)),
                registration,
            }),
        })
    }
}

/// Serves the exporter on its own listener until the dashboard shuts down.
async fn serve_metrics(
    router: Router,
    address: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) -> Result<SocketAddr, StartError> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| StartError::MetricsListener { address, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| StartError::MetricsListener { address, source })?;
    tokio::spawn(async move {
        let stopped = async move {
            let _ = shutdown.wait_for(|stopped| *stopped).await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "the metrics listener failed");
        }
    });
    tracing::info!(%bound, "serving Prometheus metrics");
    Ok(bound)
}

/// A running dashboard: measures the routers it is bound to and serves its pages and API.
///
/// ```no_run
/// use axum::{Router, routing::get};
/// use axum_monitoring_dashboard::Dashboard;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let monitor = Dashboard::builder().config_file("dashboard.toml").start().await?;
/// let app = monitor.bind(Router::new().route("/users/{id}", get(|| async { "user" })));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
///     .with_graceful_shutdown(monitor.shutdown_signal())
///     .await?;
/// monitor.shutdown().await; // stores every pending measurement
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dashboard {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("config", &self.inner.api.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    api: ApiState,
    generated: GeneratedPasswords,
    /// The Prometheus exporter, when `METRICS` is on.
    exporter: Option<Exporter>,
    /// Where the exporter listens, with `METRICS_PORT`.
    metrics_address: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// What this process registered as on the Servers page.
    registration: Arc<Registration>,
}

impl Dashboard {
    /// Starts configuring a dashboard.
    pub fn builder() -> DashboardBuilder {
        DashboardBuilder::default()
    }

    /// The checked configuration.
    pub fn config(&self) -> &Config {
        &self.inner.api.config
    }

    /// The admin password generated at this start, when `PASSWORD` was unset and the account
    /// was new.
    pub fn generated_admin_password(&self) -> Option<&str> {
        self.inner.generated.admin.as_ref().map(Secret::expose)
    }

    /// The guest password generated at this start, when `GUEST_PASSWORD` was unset and the
    /// account was new.
    pub fn generated_guest_password(&self) -> Option<&str> {
        self.inner.generated.guest.as_ref().map(Secret::expose)
    }

    /// Measurements lost so far: dropped because the queue was full or closed, or not stored
    /// because the database failed.
    pub fn dropped_measurements(&self) -> u64 {
        self.inner.api.collector.dropped()
    }

    /// Measurements this process's writer has stored so far (at every level).
    pub fn stored_measurements(&self) -> u64 {
        self.inner.api.collector.written()
    }

    /// Measurements waiting in the queue for the writer.
    pub fn queued_measurements(&self) -> usize {
        self.inner.api.collector.queued()
    }

    /// The monitoring level this process applies to an endpoint (`GET`, `/users/{id}`), once
    /// the endpoint is known here; levels changed elsewhere arrive within a few seconds.
    pub fn monitor_level(&self, method: &str, route: &str) -> Option<u8> {
        let method = axum::http::Method::from_bytes(method.as_bytes()).ok()?;
        self.inner
            .api
            .collector
            .endpoints
            .get(&method, route)
            .map(|endpoint| endpoint.level().get())
    }

    /// Attempts to store a batch that the database refused so far; each batch is tried again
    /// until it is stored (see the README on outages).
    pub fn writer_failures(&self) -> u64 {
        self.inner.api.collector.write_failures()
    }

    /// Stores a request served in the past: for imports from other tools and for demos with
    /// history. It goes through the same queue and writer as live requests, at the endpoint's
    /// level; `false` when the queue is full or the method is not a valid HTTP method.
    ///
    /// ```no_run
    /// # async fn run(monitor: axum_monitoring_dashboard::Dashboard) {
    /// use std::time::Duration;
    /// use axum_monitoring_dashboard::PastRequest;
    /// let yesterday = chrono::Utc::now() - chrono::TimeDelta::days(1);
    /// monitor.record_historical(
    ///     PastRequest::new("GET", "/users/{id}", yesterday, Duration::from_millis(12), 200)
    ///         .version("1.4.0"),
    /// );
    /// # }
    /// ```
    pub fn record_historical(&self, request: PastRequest) -> bool {
        let Ok(method) = axum::http::Method::from_bytes(request.method.as_bytes()) else {
            return false;
        };
        let method = collect::endpoint_method(&method);
        let collector = &self.inner.api.collector;
        let endpoint = match collector.endpoints.get(&method, &request.route) {
            Some(state) => collect::EndpointRef::Known(state),
            None => collect::EndpointRef::New {
                method,
                route: request.route.into(),
            },
        };
        collector.submit(collect::Measurement {
            endpoint,
            time_requested: request.time,
            duration: request.duration,
            status: request.status,
            group_by: request.group_by,
            ip: request.ip,
            calls: None,
            version: request.version,
            extra: None,
        })
    }

    /// The layer that measures requests. [`Dashboard::bind`] applies it; apply it again after
    /// adding routes to the bound router (Axum applies a layer only to the routes a router has
    /// when it is applied). Each request is measured once, by the outermost application, and the
    /// dashboard's own routes never.
    ///
    /// ```no_run
    /// # use axum::{Router, routing::get};
    /// # async fn run(monitor: axum_monitoring_dashboard::Dashboard) {
    /// let app = monitor
    ///     .bind(Router::new().route("/", get(|| async { "home" })))
    ///     .route("/late", get(|| async { "added after bind" }))
    ///     .layer(monitor.layer());
    /// # }
    /// ```
    pub fn layer(&self) -> MonitorLayer {
        MonitorLayer::new(Arc::clone(&self.inner.api.collector))
    }

    /// Measures every route of `router` and adds the dashboard under `/{CUSTOM_LINK}`.
    /// Endpoints are discovered when first requested, as `METHOD /route/{template}`; requests
    /// that match no route are not recorded.
    ///
    /// With `METRICS` on (and no `METRICS_PORT`), the Prometheus metrics are served at
    /// `METRICS_PATH` of the same router.
    pub fn bind(&self, router: Router) -> Router {
        let router = router.merge(self.routes());
        let router = match &self.inner.exporter {
            Some(exporter) if self.inner.metrics_address.is_none() => {
                router.merge(exporter.router(&self.config().metrics_path))
            }
            _ => router,
        };
        // Applied last, so that it also wraps the fallback (unmatched requests count in the
        // metrics); the layer itself leaves the dashboard's and the exporter's routes alone.
        router.layer(self.layer())
    }

    /// Makes the dashboard's [`span_layer`] the global `tracing` subscriber, for applications
    /// that have none of their own (it prints no logs). Fails if a global subscriber is set
    /// already; then add [`span_layer`] to that one instead.
    pub fn init_tracing(&self) -> Result<(), tracing_subscriber::util::TryInitError> {
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(span_layer()).try_init()
    }

    /// The address of the metrics listener started for `METRICS_PORT`.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.inner.metrics_address
    }

    /// The dashboard's own routes (API and pages) under `/{CUSTOM_LINK}`, unmeasured, to merge
    /// into a router yourself.
    pub fn routes(&self) -> Router {
        let prefix = format!("/{}", self.config().custom_link);
        let pages = Frontend::new(&self.config().custom_link);
        let policy = headers::content_security_policy(&pages.inline_script_hashes());
        let frontend = Router::new()
            .route(&prefix, get(assets::index))
            .route(&format!("{prefix}/"), get(assets::index))
            .route(&format!("{prefix}/{{*path}}"), get(assets::file))
            .with_state(pages);
        let router = Router::new()
            .nest(
                &format!("{prefix}/api"),
                headers::not_stored(api::router(self.inner.api.clone())),
            )
            .merge(frontend);
        headers::secure(router, &policy)
    }

    /// Resolves on Ctrl-C or SIGTERM, or when [`Dashboard::shutdown`] is called: pass it to
    /// `axum::serve(..).with_graceful_shutdown`.
    pub fn shutdown_signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut shutdown = self.inner.shutdown.subscribe();
        async move {
            let terminate = async {
                #[cfg(unix)]
                if let Ok(mut signal) =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                {
                    signal.recv().await;
                    return;
                }
                std::future::pending::<()>().await
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate => {}
                _ = shutdown.wait_for(|stopped| *stopped) => {}
            }
        }
    }

    /// Stops the writer after it has stored every measurement taken so far. Later requests are
    /// still served but not recorded. Calling it again does nothing.
    pub async fn shutdown(&self) {
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        self.inner.shutdown.send_replace(true);
        let Some(writer) = self.inner.writer.lock().await.take() else {
            return;
        };
        if let Err(error) = writer.await {
            tracing::error!(%error, "the dashboard's writer task failed");
        }
        // The last heartbeat, with everything stored (the Servers page shows the final counts),
        // within the same bound as the writer's stop.
        let api = &self.inner.api;
        let beat = heartbeat::store_beat(&api.store, &api.collector, &self.inner.registration);
        if tokio::time::timeout_at(deadline, beat).await.is_err() {
            tracing::warn!("the last heartbeat was not stored in time");
        }
    }
}

/// The `tracing_subscriber` layer of every dashboard: add it to your subscriber. The profiler
/// (level 3), outlier snapshots and exception reports read a request's spans through it, and
/// it attributes the statements sqlx (and so SeaORM) reports to the monitored request that ran
/// them. It has its own filter: it sees every span and sqlx's statement events inside monitored
/// requests, no other event, so your log layers keep theirs (give them their own filter, as
/// below, rather than a global one, so that it sees the spans your logs leave out).
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// tracing_subscriber::registry()
///     .with(tracing_subscriber::fmt::layer().with_filter(tracing_subscriber::EnvFilter::new("info")))
///     .with(axum_monitoring_dashboard::span_layer())
///     .init();
/// ```
pub fn span_layer<S>() -> impl tracing_subscriber::Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'lookup> tracing_subscriber::registry::LookupSpan<'lookup>,
{
    crate::calls::DashboardLayer::new()
}
