//! The dashboard's configuration: defaults, a TOML file or Flask-MonitoringDashboard's INI
//! `config.cfg`, `DASHBOARD_<KEY>` environment variables and builder methods, later sources
//! winning in that order.
//!
//! Every key is checked when [`crate::DashboardBuilder::start`] runs; a bad value stops the start
//! with a [`ConfigError`] that names where the value came from, the key and what was expected.

mod literal;
mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use literal::RawValue;
pub use settings::{Config, Key};

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
    #[inline]
    pub fn new(level: u8) -> Option<MonitorLevel> {
        (level <= 3).then_some(MonitorLevel(level))
    }

    /// The level as a number.
    #[inline]
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

impl CookieSecure {
    /// `auto`, or a boolean.
    fn parse(text: &str) -> Option<CookieSecure> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Some(CookieSecure::Auto),
            other => parse_bool(other).map(|secure| {
                if secure {
                    CookieSecure::Always
                } else {
                    CookieSecure::Never
                }
            }),
        }
    }
}

/// How long rows are kept (the `RETENTION_*` keys); `None` = for ever. Pruned by a scheduled
/// job, in chunks.
#[derive(Debug, Clone)]
pub struct Retention {
    /// `RETENTION_REQUESTS`: request rows, with everything stored about them.
    pub requests: Option<Duration>,
    /// `RETENTION_DETAILS`: outlier snapshots, profiles and exception occurrences.
    pub details: Option<Duration>,
    /// `RETENTION_GRAPHS`: custom graph values.
    pub graphs: Option<Duration>,
    /// `RETENTION_ROLLUPS`: the hourly and daily rollups behind the charts.
    pub rollups: Option<Duration>,
    /// `RETENTION_SCHEDULE`: when the pruning job runs.
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

/// Where a configuration value came from; error messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    #[error("{origin}: unknown key `{key}`; known keys are {}", Key::ALL.iter().map(|key| key.name()).collect::<Vec<_>>().join(", "))]
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

impl Key {
    /// The key for a name, ignoring case.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL
            .iter()
            .copied()
            .find(|key| key.name().eq_ignore_ascii_case(name.trim()))
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
        for &key in Key::ALL {
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
        config.retention().check()?;
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
    /// The `RETENTION_*` keys together.
    pub fn retention(&self) -> Retention {
        Retention {
            requests: self.retention_requests,
            details: self.retention_details,
            graphs: self.retention_graphs,
            rollups: self.retention_rollups,
            schedule: self.retention_schedule.clone(),
        }
    }

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

/// `METRICS_PORT`: a port (on every interface) or an address.
fn parse_listen_address(text: &str) -> Option<SocketAddr> {
    match text.parse::<u16>() {
        Ok(port) => Some(SocketAddr::from(([0, 0, 0, 0], port))),
        Err(_) => text.parse().ok(),
    }
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

    /// One password or a list, each at least [`MIN_PASSWORD_CHARS`] characters.
    fn passwords(&self) -> Result<Vec<Secret>, ConfigError> {
        let passwords = self.list_of(
            |text| (text.chars().count() >= MIN_PASSWORD_CHARS).then(|| text.to_owned()),
            "a password of at least 8 characters, or a list of them",
        )?;
        Ok(passwords.into_iter().map(Secret).collect())
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
