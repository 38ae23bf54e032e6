//! The dashboard's configuration: defaults, a TOML file or Flask-MonitoringDashboard's INI
//! `config.cfg`, `DASHBOARD_<KEY>` environment variables and builder methods, later sources
//! winning in that order.
//!
//! Every key is checked when [`crate::DashboardBuilder::start`] runs; a bad value stops the start
//! with a [`ConfigError`] that names where the value came from, the key and what was expected.

mod literal;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;

pub(crate) use literal::RawValue;

/// The prefix of environment variables that override keys, e.g. `DASHBOARD_DATABASE`.
pub const ENV_PREFIX: &str = "DASHBOARD_";

/// A string that never shows up in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's value; handle with care.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `headers` carry this secret as `Authorization: Bearer …`, compared in constant
    /// time.
    pub(crate) fn is_bearer_in(&self, headers: &axum::http::HeaderMap) -> bool {
        use subtle::ConstantTimeEq;
        let sent = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
            .unwrap_or_default();
        bool::from(sent.ct_eq(self.0.as_bytes()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How much the dashboard records about an endpoint's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonitorLevel(u8);

impl MonitorLevel {
    /// Level 0: only when the endpoint was last requested.
    pub const DISABLED: MonitorLevel = MonitorLevel(0);
    /// Level 1: every request's duration, time, version, group, IP and status.
    pub const PERFORMANCE: MonitorLevel = MonitorLevel(1);
    /// Level 2: level 1 plus outlier snapshots.
    pub const OUTLIERS: MonitorLevel = MonitorLevel(2);
    /// Level 3: level 2 plus the profiler.
    pub const PROFILER: MonitorLevel = MonitorLevel(3);

    /// The level for a number from 0 to 3.
    pub fn new(level: u8) -> Option<MonitorLevel> {
        (level <= 3).then_some(MonitorLevel(level))
    }

    /// The level as a number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The fewest characters of a configured password (`PASSWORD`, `GUEST_PASSWORD`).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The fewest characters of a configured bearer token (`SECURITY_TOKEN`, `METRICS_TOKEN`).
pub const MIN_TOKEN_CHARS: usize = 16;

/// The field names redacted unless `REDACT` says otherwise.
pub const DEFAULT_REDACT: [&str; 9] = [
    "password", "passwd", "secret", "token", "api_key", "apikey", "session", "csrf", "auth",
];

/// The checked configuration. See the README's configuration reference for every key.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_VERSION` (default `1.0`): the version recorded with every request.
    pub app_version: String,
    /// `GIT`: a `.git` folder whose HEAD commit is the version (relative to the config file).
    pub git: Option<PathBuf>,
    /// `CUSTOM_LINK` (default `dashboard`): the dashboard is served under `/{CUSTOM_LINK}`.
    pub custom_link: String,
    /// `MONITOR_LEVEL` (default 1): the level of newly seen endpoints.
    pub monitor_level: MonitorLevel,
    /// `OUTLIER_DETECTION_CONSTANT` (default 2.5): a request is an outlier past average × this.
    pub outlier_detection_constant: f64,
    /// `OUTLIER_MIN_SAMPLES` (default 10): requests an endpoint needs before any is an outlier.
    pub outlier_min_samples: u64,
    /// `REDACT` (default password, passwd, secret, token, api_key, apikey, session, csrf, auth):
    /// headers, query and body fields whose name contains one of these (ignoring case) are stored
    /// as `[redacted]`, besides `Authorization`, `Cookie`, `Set-Cookie` and `Proxy-Authorization`.
    pub redact: Vec<String>,
    /// `SAMPLING_PERIOD` (default 5): milliseconds between profiler samples; 0 = exact timing only.
    pub sampling_period_ms: u64,
    /// `ENABLE_LOGGING` (default false): log every recorded request at `debug`.
    pub enable_logging: bool,
    /// `USERNAME` (default `admin`): the admin account.
    pub username: String,
    /// `PASSWORD`: the admin's password; unset ⇒ generated at first start and printed once.
    pub password: Option<Secret>,
    /// `GUEST_USERNAME` (default `guest`): the read-only account.
    pub guest_username: String,
    /// `GUEST_PASSWORD`: one password or a list; unset ⇒ no guest account.
    pub guest_passwords: Vec<Secret>,
    /// `SECURITY_TOKEN`: bearer token of the export API; unset ⇒ export disabled.
    pub security_token: Option<Secret>,
    /// `TABLE_PREFIX` (default `dashboard_`): prepended to every table and index name.
    pub table_prefix: String,
    /// `DATABASE` (default `sqlite:///dashboard.db`): where measurements are stored.
    pub database: Secret,
    /// `TIMEZONE` (default `UTC`): the zone in which days start and times are shown.
    pub timezone: Tz,
    /// `COLORS`: fixed RGB colours per endpoint name.
    pub colors: BTreeMap<String, [u8; 3]>,
    /// `QUEUE_CAPACITY` (default 10000): measurements buffered between requests and the writer.
    pub queue_capacity: usize,
    /// `TRUSTED_PROXIES`: addresses or networks (`10.0.0.0/8`) of reverse proxies whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client; none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `SESSION_LIFETIME` (default 12 h): how long a login lasts; `90m`, `12h`, `2d` or seconds.
    pub session_lifetime: Duration,
    /// `SESSION_SECRET`: the key that signs sessions; unset ⇒ generated once and stored in the
    /// database, so every process sharing it accepts the same sessions.
    pub session_secret: Option<Secret>,
    /// `METRICS` (default false): serve Prometheus metrics.
    pub metrics: bool,
    /// `METRICS_PATH` (default `/metrics`): where the metrics are served.
    pub metrics_path: String,
    /// `METRICS_PORT`: serve the metrics on their own listener instead of the app's router; a
    /// port (all interfaces) or an address such as `127.0.0.1:9100`.
    pub metrics_listen: Option<SocketAddr>,
    /// `METRICS_TOKEN`: a bearer token that scrapers must send; unset ⇒ no token needed.
    pub metrics_token: Option<Secret>,
    /// `METRICS_LEGACY_NAMES` (default false): also export the metric names of
    /// Flask-Prometheus and flask_prometheus_metrics.
    pub metrics_legacy_names: bool,
    /// `RETENTION_*`: how long stored rows are kept, and when they are pruned.
    pub retention: Retention,
    /// `VERSION_COMPARE_REQUESTS` (default 1000): requests a new version serves before it is
    /// compared with the previous one; 0 = never.
    pub version_compare_requests: u64,
    /// `MAX_ENDPOINTS` (default 1000): endpoints this process registers at most; requests of
    /// further endpoints are counted as dropped (and logged once).
    pub max_endpoints: usize,
    /// `COOKIE_SECURE` (default `auto`): whether the session cookie is marked `Secure`.
    pub cookie_secure: CookieSecure,
    /// `ACCOUNTS` (default true): the dashboard's own accounts and login. `false` needs
    /// [`crate::DashboardBuilder::authorize`]: the host service's login decides alone.
    pub accounts: bool,
}

/// When the session cookie carries `Secure` (`COOKIE_SECURE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieSecure {
    /// `auto`: when the request came over HTTPS as a trusted proxy says (`X-Forwarded-Proto:
    /// https` from a `TRUSTED_PROXIES` peer).
    Auto,
    /// `true`: always.
    Always,
    /// `false`: never (plain-HTTP deployments behind nothing).
    Never,
}

/// How long rows are kept; `None` = for ever. Pruned by a scheduled job, in chunks.
#[derive(Debug, Clone)]
pub struct Retention {
    /// `RETENTION_REQUESTS` (default 90 days): request rows, with everything stored about them.
    pub requests: Option<Duration>,
    /// `RETENTION_DETAILS` (default 30 days): outlier snapshots, profiles and exception
    /// occurrences.
    pub details: Option<Duration>,
    /// `RETENTION_GRAPHS` (default 365 days): custom graph values.
    pub graphs: Option<Duration>,
    /// `RETENTION_ROLLUPS` (default for ever): the hourly and daily rollups behind the charts.
    pub rollups: Option<Duration>,
    /// `RETENTION_SCHEDULE` (default `0 17 * * * *`, hourly): when the pruning job runs.
    pub schedule: String,
}

impl Retention {
    /// Rollups outlive the requests they sum up: the charts of older periods come from them.
    fn check(&self) -> Result<(), ConfigError> {
        let days = |kept: Option<Duration>| {
            kept.map_or_else(
                || "for ever".to_owned(),
                |kept| format!("{} days", kept.as_secs() / 86_400),
            )
        };
        match self.rollups {
            Some(rollups) if self.requests.is_none_or(|requests| rollups < requests) => {
                Err(ConfigError::Conflict(format!(
                    "`RETENTION_ROLLUPS` ({}) must be 0 (keep for ever) or at least \
                     `RETENTION_REQUESTS` ({}): rollups are kept at least as long as requests",
                    days(self.rollups),
                    days(self.requests)
                )))
            }
            _ => Ok(()),
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        const DAY: u64 = 86_400;
        Retention {
            requests: Some(Duration::from_secs(90 * DAY)),
            details: Some(Duration::from_secs(30 * DAY)),
            graphs: Some(Duration::from_secs(365 * DAY)),
            rollups: None,
            schedule: "0 17 * * * *".to_owned(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            app_version: "1.0".to_owned(),
            git: None,
            custom_link: "dashboard".to_owned(),
            monitor_level: MonitorLevel::PERFORMANCE,
            outlier_detection_constant: 2.5,
            outlier_min_samples: 10,
            redact: DEFAULT_REDACT
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            sampling_period_ms: 5,
            enable_logging: false,
            username: "admin".to_owned(),
            password: None,
            guest_username: "guest".to_owned(),
            guest_passwords: Vec::new(),
            security_token: None,
            table_prefix: "dashboard_".to_owned(),
            database: Secret("sqlite:///dashboard.db".to_owned()),
            timezone: Tz::UTC,
            colors: BTreeMap::new(),
            queue_capacity: 10_000,
            trusted_proxies: Vec::new(),
            session_lifetime: Duration::from_secs(12 * 60 * 60),
            session_secret: None,
            metrics: false,
            metrics_path: "/metrics".to_owned(),
            metrics_listen: None,
            metrics_token: None,
            metrics_legacy_names: false,
            retention: Retention::default(),
            version_compare_requests: 1000,
            max_endpoints: 1000,
            cookie_secure: CookieSecure::Auto,
            accounts: true,
        }
    }
}

/// Where a configuration value came from; error messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A configuration file.
    File(PathBuf),
    /// An environment variable.
    Env(String),
    /// A builder method.
    Builder,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "configuration file {}", path.display()),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Builder => f.write_str("builder"),
        }
    }
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or INI.
    #[error("configuration file {} is not valid {format}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// `TOML` or `INI`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A key that the dashboard does not know (a typo?).
    #[error("{origin}: unknown key `{key}`; known keys are {}", Key::ALL.map(Key::name).join(", "))]
    UnknownKey {
        /// Where it was found.
        origin: Origin,
        /// The key as written.
        key: String,
    },
    /// A value of the wrong form.
    #[error("{origin}: `{key}` must be {expected}, found {found}")]
    Invalid {
        /// Where it was found.
        origin: Origin,
        /// The key.
        key: &'static str,
        /// What the key takes.
        expected: &'static str,
        /// The value found (hidden for secrets).
        found: String,
    },
    /// Two keys that contradict each other.
    #[error("{0}")]
    Conflict(String),
    /// An environment variable that is not Unicode.
    #[error("environment variable {var} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        var: String,
    },
}

/// Every configuration key; the reference's and the dashboard's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `APP_VERSION`
    AppVersion,
    /// `GIT`
    Git,
    /// `CUSTOM_LINK`
    CustomLink,
    /// `MONITOR_LEVEL`
    MonitorLevel,
    /// `OUTLIER_DETECTION_CONSTANT`
    OutlierDetectionConstant,
    /// `OUTLIER_MIN_SAMPLES`
    OutlierMinSamples,
    /// `REDACT`
    Redact,
    /// `SAMPLING_PERIOD`
    SamplingPeriod,
    /// `ENABLE_LOGGING`
    EnableLogging,
    /// `USERNAME`
    Username,
    /// `PASSWORD`
    Password,
    /// `GUEST_USERNAME`
    GuestUsername,
    /// `GUEST_PASSWORD`
    GuestPassword,
    /// `SECURITY_TOKEN`
    SecurityToken,
    /// `TABLE_PREFIX`
    TablePrefix,
    /// `DATABASE`
    Database,
    /// `TIMEZONE`
    Timezone,
    /// `COLORS`
    Colors,
    /// `QUEUE_CAPACITY`
    QueueCapacity,
    /// `TRUSTED_PROXIES`
    TrustedProxies,
    /// `SESSION_LIFETIME`
    SessionLifetime,
    /// `SESSION_SECRET`
    SessionSecret,
    /// `METRICS`
    Metrics,
    /// `METRICS_PATH`
    MetricsPath,
    /// `METRICS_PORT`
    MetricsPort,
    /// `METRICS_TOKEN`
    MetricsToken,
    /// `METRICS_LEGACY_NAMES`
    MetricsLegacyNames,
    /// `RETENTION_REQUESTS`
    RetentionRequests,
    /// `RETENTION_DETAILS`
    RetentionDetails,
    /// `RETENTION_GRAPHS`
    RetentionGraphs,
    /// `RETENTION_ROLLUPS`
    RetentionRollups,
    /// `RETENTION_SCHEDULE`
    RetentionSchedule,
    /// `VERSION_COMPARE_REQUESTS`
    VersionCompareRequests,
    /// `MAX_ENDPOINTS`
    MaxEndpoints,
    /// `COOKIE_SECURE`
    CookieSecure,
    /// `ACCOUNTS`
    Accounts,
}

impl Key {
    /// Every key, in the order of the reference's `config.cfg`.
    pub const ALL: [Key; 36] = [
        Key::AppVersion,
        Key::Git,
        Key::CustomLink,
        Key::MonitorLevel,
        Key::OutlierDetectionConstant,
        Key::OutlierMinSamples,
        Key::Redact,
        Key::SamplingPeriod,
        Key::EnableLogging,
        Key::Username,
        Key::Password,
        Key::GuestUsername,
        Key::GuestPassword,
        Key::SecurityToken,
        Key::TablePrefix,
        Key::Database,
        Key::Timezone,
        Key::Colors,
        Key::QueueCapacity,
        Key::TrustedProxies,
        Key::SessionLifetime,
        Key::SessionSecret,
        Key::Metrics,
        Key::MetricsPath,
        Key::MetricsPort,
        Key::MetricsToken,
        Key::MetricsLegacyNames,
        Key::RetentionRequests,
        Key::RetentionDetails,
        Key::RetentionGraphs,
        Key::RetentionRollups,
        Key::RetentionSchedule,
        Key::VersionCompareRequests,
        Key::MaxEndpoints,
        Key::CookieSecure,
        Key::Accounts,
    ];

    /// The key as written in files and (after `DASHBOARD_`) in environment variables.
    pub fn name(self) -> &'static str {
        match self {
            Key::AppVersion => "APP_VERSION",
            Key::Git => "GIT",
            Key::CustomLink => "CUSTOM_LINK",
            Key::MonitorLevel => "MONITOR_LEVEL",
            Key::OutlierDetectionConstant => "OUTLIER_DETECTION_CONSTANT",
            Key::OutlierMinSamples => "OUTLIER_MIN_SAMPLES",
            Key::Redact => "REDACT",
            Key::SamplingPeriod => "SAMPLING_PERIOD",
            Key::EnableLogging => "ENABLE_LOGGING",
            Key::Username => "USERNAME",
            Key::Password => "PASSWORD",
            Key::GuestUsername => "GUEST_USERNAME",
            Key::GuestPassword => "GUEST_PASSWORD",
            Key::SecurityToken => "SECURITY_TOKEN",
            Key::TablePrefix => "TABLE_PREFIX",
            Key::Database => "DATABASE",
            Key::Timezone => "TIMEZONE",
            Key::Colors => "COLORS",
            Key::QueueCapacity => "QUEUE_CAPACITY",
            Key::TrustedProxies => "TRUSTED_PROXIES",
            Key::SessionLifetime => "SESSION_LIFETIME",
            Key::SessionSecret => "SESSION_SECRET",
            Key::Metrics => "METRICS",
            Key::MetricsPath => "METRICS_PATH",
            Key::MetricsPort => "METRICS_PORT",
            Key::MetricsToken => "METRICS_TOKEN",
            Key::MetricsLegacyNames => "METRICS_LEGACY_NAMES",
            Key::RetentionRequests => "RETENTION_REQUESTS",
            Key::RetentionDetails => "RETENTION_DETAILS",
            Key::RetentionGraphs => "RETENTION_GRAPHS",
            Key::RetentionRollups => "RETENTION_ROLLUPS",
            Key::RetentionSchedule => "RETENTION_SCHEDULE",
            Key::VersionCompareRequests => "VERSION_COMPARE_REQUESTS",
            Key::MaxEndpoints => "MAX_ENDPOINTS",
            Key::CookieSecure => "COOKIE_SECURE",
            Key::Accounts => "ACCOUNTS",
        }
    }

    /// The key for a name, ignoring case.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL
            .into_iter()
            .find(|key| key.name().eq_ignore_ascii_case(name.trim()))
    }

    fn is_secret(self) -> bool {
        matches!(
            self,
            Key::Password
                | Key::GuestPassword
                | Key::SecurityToken
                | Key::Database
                | Key::MetricsToken
                | Key::SessionSecret
        )
    }
}

/// The sources of a configuration, applied in order by [`ConfigSources::load`].
#[derive(Debug, Clone, Default)]
pub(crate) struct ConfigSources {
    /// A file given to the builder.
    pub(crate) file: Option<PathBuf>,
    /// An environment variable naming a file, read at start.
    pub(crate) file_env: Option<String>,
    /// Builder settings, applied last.
    pub(crate) overrides: Vec<(Key, RawValue)>,
}

impl ConfigSources {
    /// Defaults, then the file, then `DASHBOARD_<KEY>` variables, then the builder's settings.
    pub(crate) fn load(&self) -> Result<Config, ConfigError> {
        self.load_with(|var| std::env::var(var))
    }

    /// [`ConfigSources::load`] with another environment, for tests.
    pub(crate) fn load_with(
        &self,
        env: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        for file in self.files(&env)? {
            for (key, value) in read_file(&file)? {
                config.apply_named(&key, value, &Origin::File(file.clone()))?;
            }
        }
        for key in Key::ALL {
            let var = format!("{ENV_PREFIX}{}", key.name());
            match env(&var) {
                Ok(value) => config.apply(key, RawValue::Text(value), &Origin::Env(var))?,
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::NotUnicode { var });
                }
            }
        }
        for (key, value) in &self.overrides {
            config.apply(*key, value.clone(), &Origin::Builder)?;
        }
        config.retention.check()?;
        Ok(config)
    }

    fn files(
        &self,
        env: &impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Vec<PathBuf>, ConfigError> {
        let mut files: Vec<PathBuf> = self.file.iter().cloned().collect();
        if let Some(var) = &self.file_env {
            match env(var) {
                Ok(path) if !path.is_empty() => files.push(PathBuf::from(path)),
                Ok(_) | Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::NotUnicode { var: var.clone() });
                }
            }
        }
        Ok(files)
    }
}

/// Reads `key = value` pairs from a TOML file (`.toml`) or an INI file (anything else), with or
/// without the reference's sections (`[dashboard]`, `[authentication]`, …).
fn read_file(path: &Path) -> Result<Vec<(String, RawValue)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    if path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
    {
        read_toml(path, &text)
    } else {
        read_ini(path, &text)
    }
}

fn read_toml(path: &Path, text: &str) -> Result<Vec<(String, RawValue)>, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|err| ConfigError::Syntax {
        path: path.to_owned(),
        format: "TOML",
        message: err.to_string(),
    })?;
    let mut pairs = Vec::new();
    for (name, value) in table {
        match value {
            // A section such as `[dashboard]` or `[metrics]`; only `COLORS` takes a table as value.
            toml::Value::Table(section) if Key::from_name(&name) != Some(Key::Colors) => {
                pairs.extend(
                    section
                        .into_iter()
                        .map(|(key, value)| (key, from_toml(value))),
                );
            }
            value => pairs.push((name, from_toml(value))),
        }
    }
    Ok(pairs)
}

fn from_toml(value: toml::Value) -> RawValue {
    match value {
        toml::Value::String(text) => RawValue::Text(text),
        toml::Value::Integer(n) => RawValue::Integer(n),
        toml::Value::Float(x) => RawValue::Float(x),
        toml::Value::Boolean(b) => RawValue::Bool(b),
        toml::Value::Datetime(date) => RawValue::Text(date.to_string()),
        toml::Value::Array(items) => RawValue::List(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => {
            RawValue::Map(table.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

fn read_ini(path: &Path, text: &str) -> Result<Vec<(String, RawValue)>, ConfigError> {
    let options = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        ..ini::ParseOption::default()
    };
    let ini = ini::Ini::load_from_str_opt(text, options).map_err(|err| ConfigError::Syntax {
        path: path.to_owned(),
        format: "INI",
        message: err.to_string(),
    })?;
    Ok(ini
        .iter()
        .flat_map(|(_section, properties)| properties.iter())
        .map(|(key, value)| (key.to_owned(), RawValue::Text(value.to_owned())))
        .collect())
}

impl Config {
    fn apply_named(
        &mut self,
        name: &str,
        value: RawValue,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        let key = Key::from_name(name).ok_or_else(|| ConfigError::UnknownKey {
            origin: origin.clone(),
            key: name.to_owned(),
        })?;
        self.apply(key, value, origin)
    }

    /// Checks one value and stores it.
    pub(crate) fn apply(
        &mut self,
        key: Key,
        value: RawValue,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        let check = Check {
            key,
            origin,
            value: &value,
        };
        match key {
            Key::AppVersion => self.app_version = check.non_empty_text()?,
            Key::Git => self.git = Some(check.path()?),
            Key::CustomLink => self.custom_link = check.url_segment()?,
            Key::MonitorLevel => {
                self.monitor_level = check.parsed(
                    |text| text.parse().ok().and_then(MonitorLevel::new),
                    "a monitoring level 0, 1, 2 or 3",
                )?
            }
            Key::OutlierDetectionConstant => {
                self.outlier_detection_constant = check.parsed(
                    |text| {
                        text.parse()
                            .ok()
                            .filter(|c: &f64| c.is_finite() && *c > 0.0)
                    },
                    "a positive number such as 2.5",
                )?
            }
            Key::SamplingPeriod => {
                self.sampling_period_ms = check.parsed(
                    |text| text.parse().ok(),
                    "a whole number of milliseconds (0 or more)",
                )?
            }
            Key::EnableLogging => {
                self.enable_logging = check.parsed(parse_bool, "true or false")?
            }
            Key::Username => self.username = check.non_empty_text()?,
            Key::Password => self.password = Some(Secret(check.password()?)),
            Key::GuestUsername => self.guest_username = check.non_empty_text()?,
            Key::GuestPassword => {
                self.guest_passwords = check
                    .list_of(
                        |text| {
                            (text.chars().count() >= MIN_PASSWORD_CHARS).then(|| text.to_owned())
                        },
                        "a password of at least 8 characters, or a list of them",
                    )?
                    .into_iter()
                    .map(Secret)
                    .collect()
            }
            Key::SecurityToken => self.security_token = Some(Secret(check.token()?)),
            Key::TablePrefix => {
                self.table_prefix = check.parsed(
                    |text| {
                        text.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_')
                            .then(|| text.to_owned())
                    },
                    "letters, digits and underscores only",
                )?
            }
            Key::Database => self.database = Secret(check.non_empty_text()?),
            Key::Timezone => {
                self.timezone = check.parsed(
                    |text| text.parse::<Tz>().ok(),
                    "an IANA time zone such as Europe/Amsterdam",
                )?
            }
            Key::Colors => self.colors = check.colors()?,
            Key::QueueCapacity => {
                self.queue_capacity = check.parsed(
                    |text| text.parse().ok().filter(|n: &usize| *n > 0),
                    "a positive whole number",
                )?
            }
            Key::TrustedProxies => self.trusted_proxies = check.networks()?,
            Key::OutlierMinSamples => {
                self.outlier_min_samples = check.parsed(
                    |text| text.parse().ok().filter(|samples: &u64| *samples >= 1),
                    "a whole number of requests, at least 1",
                )?
            }
            Key::Redact => {
                self.redact = check
                    .text_list()?
                    .into_iter()
                    .map(|name| name.to_lowercase())
                    .collect()
            }
            Key::SessionLifetime => {
                self.session_lifetime = check.parsed(
                    parse_duration,
                    "a duration such as 90m, 12h or 2d (or seconds), at least one minute",
                )?
            }
            Key::SessionSecret => {
                self.session_secret = check
                    .parsed(
                        |text| (text.len() >= 32).then(|| Secret(text.to_owned())),
                        "a secret of at least 32 characters",
                    )
                    .map(Some)?
            }
            Key::Metrics => self.metrics = check.parsed(parse_bool, "true or false")?,
            Key::MetricsPath => {
                self.metrics_path = check.parsed(
                    |text| {
                        (text.starts_with('/')
                            && text.len() > 1
                            && !text.contains(['{', '}', '*', ' ']))
                        .then(|| text.to_owned())
                    },
                    "a path such as /metrics",
                )?
            }
            Key::MetricsPort => {
                self.metrics_listen = Some(check.parsed(
                    |text| match text.parse::<u16>() {
                        Ok(port) => Some(SocketAddr::from(([0, 0, 0, 0], port))),
                        Err(_) => text.parse().ok(),
                    },
                    "a port such as 9100 or an address such as 127.0.0.1:9100",
                )?)
            }
            Key::MetricsToken => self.metrics_token = Some(Secret(check.token()?)),
            Key::MetricsLegacyNames => {
                self.metrics_legacy_names = check.parsed(parse_bool, "true or false")?
            }
            Key::RetentionRequests => self.retention.requests = check.retention()?,
            Key::RetentionDetails => self.retention.details = check.retention()?,
            Key::RetentionGraphs => self.retention.graphs = check.retention()?,
            Key::RetentionRollups => self.retention.rollups = check.retention()?,
            Key::RetentionSchedule => {
                self.retention.schedule = check.parsed(
                    |text| {
                        crate::schedule::Schedule::cron(text)
                            .ticks()
                            .is_ok()
                            .then(|| text.to_owned())
                    },
                    "a cron expression with seconds such as `0 17 * * * *`",
                )?
            }
            Key::VersionCompareRequests => {
                self.version_compare_requests = check.parsed(
                    |text| text.parse().ok(),
                    "a whole number of requests (0 = never compare)",
                )?
            }
            Key::MaxEndpoints => {
                self.max_endpoints = check.parsed(
                    |text| text.parse().ok().filter(|n: &usize| *n > 0),
                    "a positive whole number",
                )?
            }
            Key::CookieSecure => {
                self.cookie_secure = check.parsed(
                    |text| match text.to_ascii_lowercase().as_str() {
                        "auto" => Some(CookieSecure::Auto),
                        other => parse_bool(other).map(|secure| {
                            if secure {
                                CookieSecure::Always
                            } else {
                                CookieSecure::Never
                            }
                        }),
                    },
                    "auto, true or false",
                )?
            }
            Key::Accounts => self.accounts = check.parsed(parse_bool, "true or false")?,
        }
        Ok(())
    }
}

/// `90m`, `12h`, `2d`, `45s` or plain seconds; at least one minute.
fn parse_duration(text: &str) -> Option<Duration> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds >= 60).then(|| Duration::from_secs(seconds))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// One value being checked against its key.
struct Check<'a> {
    key: Key,
    origin: &'a Origin,
    value: &'a RawValue,
}

impl Check<'_> {
    fn invalid(&self, expected: &'static str) -> ConfigError {
        ConfigError::Invalid {
            origin: self.origin.clone(),
            key: self.key.name(),
            expected,
            found: if self.key.is_secret() {
                "a value that is hidden here".to_owned()
            } else {
                self.value.to_string()
            },
        }
    }

    fn parsed<T>(
        &self,
        parse: impl FnOnce(&str) -> Option<T>,
        expected: &'static str,
    ) -> Result<T, ConfigError> {
        self.value
            .to_text()
            .as_deref()
            .and_then(parse)
            .ok_or_else(|| self.invalid(expected))
    }

    /// A retention: a duration such as `90d`, or `0` / `forever` for no limit.
    fn retention(&self) -> Result<Option<Duration>, ConfigError> {
        self.parsed(
            |text| match text.trim().to_ascii_lowercase().as_str() {
                "0" | "forever" | "for ever" => Some(None),
                text => parse_duration(text).map(Some),
            },
            "a duration such as 30d, 12h or 90m (at least one minute), or 0 to keep for ever",
        )
    }

    /// A password: at least [`MIN_PASSWORD_CHARS`] characters.
    fn password(&self) -> Result<String, ConfigError> {
        self.parsed(
            |text| (text.chars().count() >= MIN_PASSWORD_CHARS).then(|| text.to_owned()),
            "a password of at least 8 characters",
        )
    }

    /// A bearer token: at least [`MIN_TOKEN_CHARS`] characters.
    fn token(&self) -> Result<String, ConfigError> {
        self.parsed(
            |text| (text.chars().count() >= MIN_TOKEN_CHARS).then(|| text.to_owned()),
            "a token of at least 16 characters",
        )
    }

    fn non_empty_text(&self) -> Result<String, ConfigError> {
        self.parsed(
            |text| (!text.is_empty()).then(|| text.to_owned()),
            "a non-empty text",
        )
    }

    fn url_segment(&self) -> Result<String, ConfigError> {
        self.parsed(
            |text| {
                let link = text.trim_matches('/');
                let valid = !link.is_empty()
                    && link.split('/').all(|part| {
                        !part.is_empty()
                            && part
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
                    });
                valid.then(|| link.to_owned())
            },
            "a URL path such as `dashboard` (letters, digits, - _ . ~ and /)",
        )
    }

    /// A path; relative paths from a file are taken relative to that file's folder.
    fn path(&self) -> Result<PathBuf, ConfigError> {
        let path = PathBuf::from(self.non_empty_text()?);
        Ok(match self.origin {
            Origin::File(file) if path.is_relative() => {
                file.parent().unwrap_or(Path::new(".")).join(path)
            }
            _ => path,
        })
    }

    /// One value or a list, each item read by `item`; an empty list is refused too.
    fn list_of<T>(
        &self,
        item: impl Fn(&str) -> Option<T>,
        expected: &'static str,
    ) -> Result<Vec<T>, ConfigError> {
        let items = self
            .value
            .clone()
            .into_list()
            .ok_or_else(|| self.invalid(expected))?;
        items
            .iter()
            .map(|value| value.to_text().as_deref().and_then(&item))
            .collect::<Option<Vec<T>>>()
            .filter(|list| !list.is_empty())
            .ok_or_else(|| self.invalid(expected))
    }

    fn text_list(&self) -> Result<Vec<String>, ConfigError> {
        self.list_of(
            |text| (!text.is_empty()).then(|| text.to_owned()),
            "a text or a list of texts such as ['first', 'second']",
        )
    }

    /// Addresses (`10.0.0.1`) or networks (`10.0.0.0/8`), one or a list.
    fn networks(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.list_of(
            |text| {
                text.parse::<ipnet::IpNet>().ok().or_else(|| {
                    text.parse::<std::net::IpAddr>()
                        .ok()
                        .map(ipnet::IpNet::from)
                })
            },
            "addresses or networks such as ['10.0.0.0/8', '127.0.0.1']",
        )
    }

    fn colors(&self) -> Result<BTreeMap<String, [u8; 3]>, ConfigError> {
        const EXPECTED: &str =
            "a map of endpoint names to [red, green, blue] (0–255), such as {'main': '[0,97,255]'}";
        let entries = self
            .value
            .clone()
            .into_map()
            .ok_or_else(|| self.invalid(EXPECTED))?;
        entries
            .into_iter()
            .map(|(name, rgb)| Some((name, rgb_triplet(rgb)?)))
            .collect::<Option<BTreeMap<_, _>>>()
            .ok_or_else(|| self.invalid(EXPECTED))
    }
}

fn rgb_triplet(value: RawValue) -> Option<[u8; 3]> {
    let channels = value.into_list()?;
    let channels: Vec<u8> = channels
        .iter()
        .map(|c| c.to_text()?.parse().ok())
        .collect::<Option<_>>()?;
    channels.try_into().ok()
}

#[cfg(test)]
mod tests;
