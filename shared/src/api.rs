//! Paths of the REST API, relative to `/{CUSTOM_LINK}/api`.

/// `POST`: log in with a [`crate::LoginRequest`], answered by a [`crate::SessionInfo`].
pub const LOGIN: &str = "/login";
/// `POST`: end the session (needs the CSRF header).
pub const LOGOUT: &str = "/logout";
/// `GET`: the current session, a [`crate::SessionInfo`].
pub const ME: &str = "/me";
/// `GET`: every [`crate::UserInfo`]; `POST`: create one from a [`crate::NewUser`] (admin).
pub const USERS: &str = "/users";
/// `PATCH` with a [`crate::UserUpdate`], `DELETE` (admin); `{id}` is the account's id.
pub const USER: &str = "/users/{id}";
/// `GET`: the [`crate::DeploymentDetails`] (any session).
pub const DEPLOYMENT: &str = "/deployment";
/// `GET` with the security token: a [`crate::RequestPage`].
pub const EXPORT_REQUESTS: &str = "/export/requests";
/// `GET` with the security token: every [`crate::ExportedEndpoint`].
pub const EXPORT_ENDPOINTS: &str = "/export/endpoints";
/// `GET` with the security token: the [`crate::DeploymentDetails`].
pub const EXPORT_DETAILS: &str = "/export/details";
/// `PUT` with an [`crate::EndpointLevel`] (admin): the endpoint's monitoring level.
pub const ENDPOINT_LEVEL: &str = "/endpoints/{id}/level";
/// `GET ?from&to`: the [`crate::HourlyLoad`] of the application. Every chart route also answers
/// with the chart as an image for `&format=svg` or `&format=png`.
pub const HOURLY_LOAD: &str = "/charts/hourly-load";
/// `GET ?from&to`: the [`crate::BoxPlots`] of every endpoint.
pub const API_PERFORMANCE: &str = "/charts/api-performance";
/// `GET ?from&to`: the [`crate::DailyUtilization`].
pub const DAILY_UTILIZATION: &str = "/charts/daily-utilization";
/// `GET ?from&to&versions`: the [`crate::VersionUtilization`].
pub const MULTI_VERSION: &str = "/charts/multi-version";
/// `GET`: the [`crate::EndpointDetails`] of one endpoint.
pub const ENDPOINT: &str = "/endpoints/{id}";
/// `GET ?from&to`: the [`crate::HourlyLoad`] of one endpoint.
pub const ENDPOINT_HOURLY_LOAD: &str = "/endpoints/{id}/hourly-load";
/// `GET ?from&to&versions`: the [`crate::BoxPlots`] of one endpoint per version.
pub const ENDPOINT_VERSIONS: &str = "/endpoints/{id}/versions";
/// `GET ?from&to&users`: the [`crate::BoxPlots`] of one endpoint per user (`group_by`).
pub const ENDPOINT_USERS: &str = "/endpoints/{id}/users";
/// `GET ?from&to&versions&rows`: the [`crate::MedianMatrix`] of versions × users.
pub const ENDPOINT_VERSION_USER: &str = "/endpoints/{id}/version-user";
/// `GET ?from&to&versions&rows`: the [`crate::MedianMatrix`] of versions × client addresses.
pub const ENDPOINT_VERSION_IP: &str = "/endpoints/{id}/version-ip";
/// `GET ?from&to`: the [`crate::StatusCodes`] of one endpoint.
pub const ENDPOINT_STATUS_CODES: &str = "/endpoints/{id}/status-codes";
/// `GET ?limit&cursor`: a [`crate::RequestPage`] of one endpoint's failed requests (status 400
/// and above), newest first.
pub const ENDPOINT_ERRORS: &str = "/endpoints/{id}/errors";
/// `GET`: one [`crate::OverviewRow`] per endpoint.
pub const OVERVIEW: &str = "/overview";
/// `GET`: an endpoint's outliers, newest first (`?offset&limit`).
pub const ENDPOINT_OUTLIERS: &str = "/endpoints/{id}/outliers";
/// `GET`: a [`crate::ProfilePage`] of an endpoint's profiled requests, newest first
/// (`?offset&limit`).
pub const ENDPOINT_PROFILES: &str = "/endpoints/{id}/profiles";
/// `GET`: the [`crate::GroupedProfile`] of an endpoint's latest 100 profiled requests.
pub const ENDPOINT_GROUPED_PROFILE: &str = "/endpoints/{id}/grouped-profile";
/// `GET`: exception groups, latest first (`?endpoint&offset&limit`).
pub const EXCEPTIONS: &str = "/exceptions";
/// `GET`: one exception group with its latest context; `DELETE` (admin): removes it.
pub const EXCEPTION: &str = "/exceptions/{id}";

/// `GET`: the [`crate::CustomGraph`]s.
pub const CUSTOM_GRAPHS: &str = "/custom-graphs";
/// `GET`: a custom graph's [`crate::GraphData`] (`?from&to`, default the last 14 days).
pub const CUSTOM_GRAPH: &str = "/custom-graphs/{id}";
/// `GET` (admin): the [`crate::DatabaseInfo`].
pub const DATABASE: &str = "/database";
/// `POST` (admin): prunes what the retention no longer keeps; answers a [`crate::PruneResult`].
pub const DATABASE_PRUNE: &str = "/database/prune";
/// `POST`: a [`crate::Report`] for a [`crate::ReportRequest`].
pub const REPORTS: &str = "/reports";
/// `GET`: every [`crate::VersionRequests`], the version that appeared last first.
pub const REPORT_VERSIONS: &str = "/reports/versions";
/// `GET`: the latest automatic [`crate::VersionComparison`], or `null`.
pub const VERSION_COMPARISON: &str = "/reports/version-comparison";

/// The header that every state-changing request must carry, with the session's `csrf_token`.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `path` with its `{id}` replaced by `id`.
pub fn with_id(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}
