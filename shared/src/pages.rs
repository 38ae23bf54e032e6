//! The dashboard's pages: their paths under the dashboard's link and their menu titles, for the
//! frontend's menu and the browser tests that visit every page.

/// How often a visible page loads its data again, in seconds (unless its reader paused the
/// updates).
pub const REFRESH_SECONDS: u64 = 10;

/// A page of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The endpoints' table.
    Overview,
    /// Requests per hour and day.
    HourlyLoad,
    /// Requests per endpoint and day.
    DailyUtilization,
    /// Latency of every endpoint.
    ApiPerformance,
    /// Requests per endpoint and version.
    MultiVersion,
    /// Exception groups.
    Exceptions,
    /// The database statements, ranked by their total time.
    Queries,
    /// The upstreams called, ranked by their total time.
    OutgoingCalls,
    /// The processes sharing the database.
    Servers,
    /// The alert rules, channels and delivery log.
    Alerts,
    /// The custom graphs.
    CustomGraphs,
    /// Reports of intervals and versions.
    Reports,
    /// The database's tables and pruning (admins only).
    Database,
    /// The deployment and the accounts.
    Configuration,
    /// One endpoint's figures and charts.
    Endpoint(i64),
    /// One endpoint's outliers.
    Outliers(i64),
    /// One endpoint's profiled requests.
    Profiler(i64),
    /// One endpoint's grouped profile.
    GroupedProfiler(i64),
    /// The login form.
    Login,
}

impl Page {
    /// The pages of the menu, in its order.
    pub const MENU: [Page; 14] = [
        Page::Overview,
        Page::HourlyLoad,
        Page::DailyUtilization,
        Page::ApiPerformance,
        Page::MultiVersion,
        Page::Exceptions,
        Page::Queries,
        Page::OutgoingCalls,
        Page::Servers,
        Page::Alerts,
        Page::CustomGraphs,
        Page::Reports,
        Page::Database,
        Page::Configuration,
    ];

    /// Every page: the menu's, those of the endpoint `id`, and the login form.
    pub fn all(id: i64) -> Vec<Page> {
        Page::MENU
            .into_iter()
            .chain([
                Page::Endpoint(id),
                Page::Outliers(id),
                Page::Profiler(id),
                Page::GroupedProfiler(id),
                Page::Login,
            ])
            .collect()
    }

    /// The path below the dashboard's link, starting with `/`.
    pub fn path(self) -> String {
        match self {
            Page::Overview => "/overview".to_owned(),
            Page::HourlyLoad => "/hourly-load".to_owned(),
            Page::DailyUtilization => "/daily-utilization".to_owned(),
            Page::ApiPerformance => "/api-performance".to_owned(),
            Page::MultiVersion => "/multi-version".to_owned(),
            Page::Exceptions => "/exceptions".to_owned(),
            Page::Queries => "/queries".to_owned(),
            Page::OutgoingCalls => "/outgoing-calls".to_owned(),
            Page::Servers => "/servers".to_owned(),
            Page::Alerts => "/alerts".to_owned(),
            Page::CustomGraphs => "/custom-graphs".to_owned(),
            Page::Reports => "/reports".to_owned(),
            Page::Database => "/database".to_owned(),
            Page::Configuration => "/configuration".to_owned(),
            Page::Endpoint(id) => format!("/endpoint/{id}"),
            Page::Outliers(id) => format!("/endpoint/{id}/outliers"),
            Page::Profiler(id) => format!("/endpoint/{id}/profiler"),
            Page::GroupedProfiler(id) => format!("/endpoint/{id}/grouped-profiler"),
            Page::Login => "/login".to_owned(),
        }
    }

    /// The title in the menu (and of the page).
    pub fn title(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::HourlyLoad => "Hourly load",
            Page::DailyUtilization => "Daily utilization",
            Page::ApiPerformance => "API performance",
            Page::MultiVersion => "Multi version",
            Page::Exceptions => "Exceptions",
            Page::Queries => "Queries",
            Page::OutgoingCalls => "Outgoing calls",
            Page::Servers => "Servers",
            Page::Alerts => "Alerts",
            Page::CustomGraphs => "Custom graphs",
            Page::Reports => "Reports",
            Page::Database => "Database",
            Page::Configuration => "Configuration",
            Page::Endpoint(_) => "Endpoint",
            Page::Outliers(_) => "Outliers",
            Page::Profiler(_) => "Profiler",
            Page::GroupedProfiler(_) => "Grouped profile",
            Page::Login => "Log in",
        }
    }

    /// A short name without spaces, for files such as screenshots.
    pub fn slug(self) -> String {
        let path = self.path();
        let slug = path.trim_start_matches('/').replace('/', "-");
        if slug.is_empty() {
            "overview".to_owned()
        } else {
            slug
        }
    }
}

/// A colour theme of the pages, set as `data-theme` on `<html>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on light backgrounds.
    Light,
    /// Light text on dark backgrounds.
    Dark,
}

impl Theme {
    /// Both themes.
    pub const ALL: [Theme; 2] = [Theme::Light, Theme::Dark];

    /// The browser's `localStorage` key under which the reader's choice is kept.
    pub const STORAGE_KEY: &'static str = "dashboard-theme";

    /// Its name, in `data-theme` and in storage.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme called `name`.
    pub fn named(name: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|theme| theme.name() == name)
    }
}
