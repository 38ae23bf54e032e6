//! Every setting, declared once: its key, field, type, default, how it is read and the line that
//! documents it. [`Config`], [`Key`], the checks of files, environment variables and builder
//! values, and the README's configuration table all come from the list below; adding a setting
//! is one entry here plus its use.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;

use super::{
    Check, ConfigError, CookieSecure, DEFAULT_REDACT, MonitorLevel, Origin, RawValue, Secret,
};
use super::{parse_bool, parse_duration, parse_listen_address};
use crate::schedule::Schedule;

/// `days` days.
const fn days(days: u64) -> Duration {
    Duration::from_secs(days * 86_400)
}

/// Declares the settings: `Variant("KEY"[, secret]) field: Type = default, shown "README default",
/// |check| value;` after the doc lines that the field, the key and the README table share.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident($name:literal $(, $secret:ident)?) $field:ident: $ty:ty = $default:expr,
            shown $shown:literal, |$check:ident| $parse:expr;
    )+) => {
        /// The checked configuration; every field is one key of the README's configuration
        /// reference.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub struct Config {
            $(
                #[doc = concat!("`", $name, "` (default ", $shown, "):")]
                $(#[doc = $doc])+
                pub $field: $ty,
            )+
        }

        impl Default for Config {
            fn default() -> Self {
                Config { $($field: $default,)+ }
            }
        }

        /// Every configuration key; the reference's and the dashboard's own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Key {
            $(
                #[doc = concat!("`", $name, "`:")]
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl Key {
            /// Every key, in the order of the README's configuration reference.
            pub const ALL: &'static [Key] = &[$(Key::$variant),+];

            /// The key as written in files and (after `DASHBOARD_`) in environment variables.
            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name,)+ }
            }

            /// What the key means, as the README's configuration reference says it.
            pub fn doc(self) -> String {
                match self {
                    $(Key::$variant => [$($doc),+].map(str::trim).join(" "),)+
                }
            }

            /// The default as the README shows it (`–`: unset).
            pub fn shown_default(self) -> &'static str {
                match self { $(Key::$variant => $shown,)+ }
            }

            /// Whether error messages hide the key's value.
            pub(super) fn is_secret(self) -> bool {
                match self { $(Key::$variant => false $(|| stringify!($secret) == "secret")?,)+ }
            }
        }

        impl Config {
            /// Checks one value and stores it.
            pub(crate) fn apply(
                &mut self,
                key: Key,
                value: RawValue,
                origin: &Origin,
            ) -> Result<(), ConfigError> {
                let check = Check { key, origin, value: &value };
                match key {
                    $(Key::$variant => {
                        let $check = &check;
                        self.$field = $parse;
                    })+
                }
                Ok(())
            }
        }
    };
}

settings! {
    /// version recorded with every request
    AppVersion("APP_VERSION") app_version: String = "1.0".to_owned(), shown "`1.0`",
        |check| check.non_empty_text()?;
    /// a repository (`.git` folder, working tree or worktree) whose HEAD commit (7 hex digits) is
    /// recorded as the version instead of `APP_VERSION`; relative to the config file; packed refs
    /// and detached HEADs work; a path that is no repository stops `start()` with an error
    Git("GIT") git: Option<PathBuf> = None, shown "–",
        |check| Some(check.path()?);
    /// the dashboard lives under `/{CUSTOM_LINK}`
    CustomLink("CUSTOM_LINK") custom_link: String = "dashboard".to_owned(), shown "`dashboard`",
        |check| check.url_segment()?;
    /// level 0–3 of newly seen endpoints (the reference defaults to 3; profiling every endpoint by
    /// default is not free, so we start at 1)
    MonitorLevel("MONITOR_LEVEL") monitor_level: MonitorLevel = MonitorLevel::PERFORMANCE, shown "`1`",
        |check| check.parsed(|text| text.parse().ok().and_then(MonitorLevel::new), "a monitoring level 0, 1, 2 or 3")?;
    /// a request still running after its endpoint's mean duration × this is an outlier (level 2)
    OutlierDetectionConstant("OUTLIER_DETECTION_CONSTANT") outlier_detection_constant: f64 = 2.5, shown "`2.5`",
        |check| check.parsed(|text| text.parse().ok().filter(|c: &f64| c.is_finite() && *c > 0.0), "a positive number such as 2.5")?;
    /// requests an endpoint needs before any of its requests can be an outlier
    OutlierMinSamples("OUTLIER_MIN_SAMPLES") outlier_min_samples: u64 = 10, shown "`10`",
        |check| check.parsed(|text| text.parse().ok().filter(|samples: &u64| *samples >= 1), "a whole number of requests, at least 1")?;
    /// headers, query values, body fields and route parameters whose name contains one of these
    /// (ignoring case, `-` read as `_`) are stored as `[redacted]`; `Authorization`, `Cookie`,
    /// `Set-Cookie` and `Proxy-Authorization` always are. URLs inside header values (`Referer`,
    /// `X-Original-URI`, …) lose their secret query values the same way, and a path segment that
    /// holds a secret parameter (`/r/t-{token}`) is redacted whole
    Redact("REDACT") redact: Vec<String> = DEFAULT_REDACT.iter().map(|name| (*name).to_owned()).collect(), shown "`['password', 'passwd', 'secret', 'token', 'api_key', 'apikey', 'session', 'csrf', 'auth']`",
        |check| check.text_list()?.into_iter().map(|name| name.to_lowercase()).collect();
    /// milliseconds between profiler samples; `0` = exact span timing only (level 3)
    SamplingPeriod("SAMPLING_PERIOD") sampling_period_ms: u64 = 5, shown "`5`",
        |check| check.parsed(|text| text.parse().ok(), "a whole number of milliseconds (0 or more)")?;
    /// a database statement that takes longer than this many milliseconds keeps a sample with
    /// its spans (level 2; at most 10 samples per endpoint and hour)
    SlowQuery("SLOW_QUERY_MS") slow_query_ms: u64 = 100, shown "`100`",
        |check| check.parsed(|text| text.parse().ok(), "a whole number of milliseconds")?;
    /// an outgoing HTTP call that takes longer than this many milliseconds keeps a sample with
    /// its spans (level 2; at most 10 samples per endpoint and hour)
    SlowCall("SLOW_CALL_MS") slow_call_ms: u64 = 500, shown "`500`",
        |check| check.parsed(|text| text.parse().ok(), "a whole number of milliseconds")?;
    /// a request that runs the same statement (fingerprint) this many times or more is flagged
    /// N+1 (Sentry's detector uses 5)
    NPlusOne("N_PLUS_ONE") n_plus_one: u64 = 5, shown "`5`",
        |check| check.parsed(|text| text.parse().ok().filter(|count: &u64| *count >= 2), "a whole number of repeats, at least 2")?;
    /// log every measured request at `debug`
    EnableLogging("ENABLE_LOGGING") enable_logging: bool = false, shown "`false`",
        |check| check.parsed(parse_bool, "true or false")?;
    /// the admin account
    Username("USERNAME") username: String = "admin".to_owned(), shown "`admin`",
        |check| check.non_empty_text()?;
    /// the admin's password (at least 8 characters); unset ⇒ generated at first start and printed
    /// once. When set, the stored password follows it at every start
    Password("PASSWORD", secret) password: Option<Secret> = None, shown "–",
        |check| Some(Secret(check.password()?));
    /// the read-only account
    GuestUsername("GUEST_USERNAME") guest_username: String = "guest".to_owned(), shown "`guest`",
        |check| check.non_empty_text()?;
    /// one password or a list (`['a', 'b']`, each at least 8 characters), each of which logs in as
    /// the guest; unset ⇒ generated when the account is created and printed once
    GuestPassword("GUEST_PASSWORD", secret) guest_passwords: Vec<Secret> = Vec::new(), shown "–",
        |check| check.passwords()?;
    /// bearer token of the export API (at least 16 characters); unset ⇒ export disabled
    SecurityToken("SECURITY_TOKEN", secret) security_token: Option<Secret> = None, shown "–",
        |check| Some(Secret(check.token()?));
    /// prepended to every table and index name (letters, digits, `_`)
    TablePrefix("TABLE_PREFIX") table_prefix: String = "dashboard_".to_owned(), shown "`dashboard_`",
        |check| check.parsed(|text| text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then(|| text.to_owned()), "letters, digits and underscores only")?;
    /// `sqlite:///relative.db`, `sqlite:////absolute.db`, `postgresql://user:pw@host/db`,
    /// `mysql://user:pw@host/db` (SQLAlchemy-style URLs of the reference are accepted)
    Database("DATABASE", secret) database: Secret = Secret::new("sqlite:///dashboard.db"), shown "`sqlite:///dashboard.db`",
        |check| Secret(check.non_empty_text()?);
    /// IANA zone in which days start and times are shown; the daily latency histograms count its
    /// days, so every process sharing a database needs the same zone (after a change, earlier days
    /// keep their old boundaries)
    Timezone("TIMEZONE") timezone: Tz = Tz::UTC, shown "`UTC`",
        |check| check.parsed(|text| text.parse::<Tz>().ok(), "an IANA time zone such as Europe/Amsterdam")?;
    /// this process's name on the Servers page and in its request rows (1–200 characters); unset ⇒
    /// the host name and the process id, such as `web-1:4242`
    Instance("INSTANCE") instance: Option<String> = None, shown "host name:pid",
        |check| Some(check.parsed(|text| (!text.is_empty() && text.len() <= 200 && !text.chars().any(char::is_control)).then(|| text.to_owned()), "a name of 1 to 200 characters without control characters")?);
    /// fixed colours per endpoint in charts, `{'GET /users/{id}': '[0,97,255]'}`; others get a
    /// stable colour from their name
    Colors("COLORS") colors: BTreeMap<String, [u8; 3]> = BTreeMap::new(), shown "–",
        |check| check.colors()?;
    /// measurements buffered between requests and the writer
    QueueCapacity("QUEUE_CAPACITY") queue_capacity: usize = 10_000, shown "`10000`",
        |check| check.parsed(|text| text.parse().ok().filter(|n: &usize| *n > 0), "a positive whole number")?;
    /// addresses or networks of your reverse proxies (`['10.0.0.0/8', '127.0.0.1']`); only behind
    /// them are `Forwarded` / `X-Forwarded-For` believed, taking the rightmost hop that is not a
    /// trusted proxy
    TrustedProxies("TRUSTED_PROXIES") trusted_proxies: Vec<ipnet::IpNet> = Vec::new(), shown "–",
        |check| check.networks()?;
    /// how long a login lasts: `90m`, `12h`, `2d` or seconds (at least a minute)
    SessionLifetime("SESSION_LIFETIME") session_lifetime: Duration = Duration::from_secs(12 * 60 * 60), shown "`12h`",
        |check| check.parsed(parse_duration, "a duration such as 90m, 12h or 2d (or seconds), at least one minute")?;
    /// key that signs sessions (32+ characters); unset ⇒ generated once and stored in the database,
    /// shared by every process using it
    SessionSecret("SESSION_SECRET", secret) session_secret: Option<Secret> = None, shown "–",
        |check| Some(check.parsed(|text| (text.len() >= 32).then(|| Secret(text.to_owned())), "a secret of at least 32 characters")?);
    /// serve Prometheus metrics (see below)
    Metrics("METRICS") metrics: bool = false, shown "`false`",
        |check| check.parsed(parse_bool, "true or false")?;
    /// where the metrics are served
    MetricsPath("METRICS_PATH") metrics_path: String = "/metrics".to_owned(), shown "`/metrics`",
        |check| check.parsed(|text| (text.starts_with('/') && text.len() > 1 && !text.contains(['{', '}', '*', ' '])).then(|| text.to_owned()), "a path such as /metrics")?;
    /// serve the metrics on their own listener: a port (`9100`, all interfaces) or an address
    /// (`127.0.0.1:9100`); unset ⇒ on the app's router
    MetricsPort("METRICS_PORT") metrics_listen: Option<SocketAddr> = None, shown "–",
        |check| Some(check.parsed(parse_listen_address, "a port such as 9100 or an address such as 127.0.0.1:9100")?);
    /// bearer token scrapers must send (`Authorization: Bearer …`, at least 16 characters); unset ⇒
    /// open
    MetricsToken("METRICS_TOKEN", secret) metrics_token: Option<Secret> = None, shown "–",
        |check| Some(Secret(check.token()?));
    /// also export the names of Flask-Prometheus and flask_prometheus_metrics
    MetricsLegacyNames("METRICS_LEGACY_NAMES") metrics_legacy_names: bool = false, shown "`false`",
        |check| check.parsed(parse_bool, "true or false")?;
    /// how long request rows are kept (with their outliers, profiles and stack lines); `0` = for
    /// ever
    RetentionRequests("RETENTION_REQUESTS") retention_requests: Option<Duration> = Some(days(7)), shown "`7d`",
        |check| check.retention()?;
    /// how long outlier snapshots, profiles and exception occurrences are kept; `0` = for ever
    RetentionDetails("RETENTION_DETAILS") retention_details: Option<Duration> = Some(days(7)), shown "`7d`",
        |check| check.retention()?;
    /// how long custom graph values are kept; `0` = for ever
    RetentionGraphs("RETENTION_GRAPHS") retention_graphs: Option<Duration> = Some(days(365)), shown "`365d`",
        |check| check.retention()?;
    /// how long the hourly and daily rollups behind the charts are kept; `0` or at least
    /// `RETENTION_REQUESTS`
    RetentionRollups("RETENTION_ROLLUPS") retention_rollups: Option<Duration> = None, shown "`0` (for ever)",
        |check| check.retention()?;
    /// when the pruning job runs: cron with seconds, UTC (hourly at :17)
    RetentionSchedule("RETENTION_SCHEDULE") retention_schedule: String = "0 17 * * * *".to_owned(), shown "`0 17 * * * *`",
        |check| check.parsed(|text| Schedule::cron(text).ticks().is_ok().then(|| text.to_owned()), "a cron expression with seconds such as `0 17 * * * *`")?;
    /// requests a new version serves before it is compared with the previous one (reports); `0` =
    /// never
    VersionCompareRequests("VERSION_COMPARE_REQUESTS") version_compare_requests: u64 = 1000, shown "`1000`",
        |check| check.parsed(|text| text.parse().ok(), "a whole number of requests (0 = never compare)")?;
    /// the dashboard's address as its readers reach it, such as `https://shop.example.com`; alert
    /// messages link to its pages from there. Unset ⇒ the links are paths only
    PublicUrl("PUBLIC_URL") public_url: Option<String> = None, shown "–",
        |check| Some(check.parsed(|text| ((text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)).then(|| text.trim_end_matches('/').to_owned()), "an http:// or https:// address such as https://shop.example.com")?);
    /// how often every alert rule is checked, in seconds (1 to 3600); one process checks each time
    AlertCheckSeconds("ALERT_CHECK_SECONDS") alert_check_seconds: u64 = 30, shown "`30`",
        |check| check.parsed(|text| text.parse().ok().filter(|n: &u64| (1..=3600).contains(n)), "a whole number of seconds from 1 to 3600")?;
    /// how often a message a channel refused is tried again before it is logged as failed (0 to
    /// 10)
    AlertRetries("ALERT_RETRIES") alert_retries: u32 = 5, shown "`5`",
        |check| check.parsed(|text| text.parse().ok().filter(|n: &u32| *n <= 10), "a whole number from 0 to 10")?;
    /// the wait before a message's first retry, in seconds (1 to 3600); each further retry waits
    /// twice as long
    AlertRetrySeconds("ALERT_RETRY_SECONDS") alert_retry_seconds: u64 = 30, shown "`30`",
        |check| check.parsed(|text| text.parse().ok().filter(|n: &u64| (1..=3600).contains(n)), "a whole number of seconds from 1 to 3600")?;
    /// endpoints a process registers at most; requests of further endpoints are counted as dropped
    /// (and logged once). Only the nine standard methods name an endpoint: any other method counts
    /// under `_OTHER /route`
    MaxEndpoints("MAX_ENDPOINTS") max_endpoints: usize = 1000, shown "`1000`",
        |check| check.parsed(|text| text.parse().ok().filter(|n: &usize| *n > 0), "a positive whole number")?;
    /// the dashboard's own accounts and login; `false` needs `DashboardBuilder::authorize` (the
    /// service's login decides alone) and creates no account
    Accounts("ACCOUNTS") accounts: bool = true, shown "`true`",
        |check| check.parsed(parse_bool, "true or false")?;
    /// whether the session cookie is `Secure`: `true`, `false`, or `auto` = when a
    /// `TRUSTED_PROXIES` peer says `X-Forwarded-Proto: https` (the header from anyone else is
    /// ignored)
    CookieSecure("COOKIE_SECURE") cookie_secure: CookieSecure = CookieSecure::Auto, shown "`auto`",
        |check| check.parsed(CookieSecure::parse, "auto, true or false")?;
}
