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
/// `GET ?from&to`: the [`crate::HourlyLoad`]; with `.svg` appended, the chart as SVG.
pub const HOURLY_LOAD: &str = "/charts/hourly-load";
/// `GET ?from&to`: the [`crate::ApiPerformance`]; with `.svg` appended, the chart as SVG.
pub const API_PERFORMANCE: &str = "/charts/api-performance";
/// `GET ?from&to`: the [`crate::DailyUtilization`]; with `.svg` appended, the chart as SVG.
pub const DAILY_UTILIZATION: &str = "/charts/daily-utilization";
/// `GET`: one [`crate::OverviewRow`] per endpoint.
pub const OVERVIEW: &str = "/overview";

/// The header that every state-changing request must carry, with the session's `csrf_token`.
pub const CSRF_HEADER: &str = "x-csrf-token";
