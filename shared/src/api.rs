//! The REST API's operations, each declared once under `/{CUSTOM_LINK}/api`: method, path, query
//! string, body and answer. The backend's router and OpenAPI document, the frontend's client and
//! the tests all name an operation by its type here, so a renamed path or a changed answer fails
//! to compile (or, for the router's method and path, fails the backend's route test) everywhere.
//!
//! The chart routes are declared next to their answers in [`crate::views`].

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::query::{ChartQuery, CursorQuery, ExceptionQuery, ExportQuery, GroupedQuery, PageQuery};
use crate::{
    AppSummary, CustomGraph, DatabaseInfo, DeploymentDetails, EndpointDetails, EndpointLevel,
    ExceptionDetail, ExceptionGroups, ExportedEndpoint, GroupedProfile, LoginRequest, NewUser,
    OutlierPage, OverviewRow, ProfilePage, PruneResult, Report, ReportRequest, RequestPage,
    SessionInfo, UserInfo, UserUpdate, VersionComparison, VersionRequests,
};

/// The header that every state-changing request must carry, with the session's `csrf_token`.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The HTTP methods of the API (not `#[non_exhaustive]`: the frontend's client maps each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: reads.
    Get,
    /// `POST`: creates or acts.
    Post,
    /// `PUT`: replaces.
    Put,
    /// `PATCH`: changes in part.
    Patch,
    /// `DELETE`: removes.
    Delete,
}

impl Method {
    /// The method as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request without a body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoBody {}

/// An answer without a body: `204 No Content`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoContent {}

/// One operation of the API.
pub trait Route {
    /// Its method.
    const METHOD: Method;
    /// Its path under `/{CUSTOM_LINK}/api`, with `{id}` for the one path parameter.
    const PATH: &'static str;
    /// Its query string ([`crate::query::NoQuery`] for none).
    type Query: Serialize + DeserializeOwned;
    /// Its JSON body ([`NoBody`] for none).
    type Body: Serialize + DeserializeOwned;
    /// Its answer on success ([`NoContent`] for 204).
    type Response: Serialize + DeserializeOwned;

    /// The path of the resource `id`.
    fn path_of(id: i64) -> String {
        Self::PATH.replace("{id}", &id.to_string())
    }
}

/// Every route's method and path, for the checks that the router serves exactly these.
pub fn all() -> impl Iterator<Item = (Method, &'static str)> {
    ROUTES.iter().chain(crate::views::CHART_ROUTES).copied()
}

/// `GET`, `POST`, … as a [`Method`].
#[doc(hidden)]
#[macro_export]
macro_rules! __method {
    (GET) => {
        $crate::api::Method::Get
    };
    (POST) => {
        $crate::api::Method::Post
    };
    (PUT) => {
        $crate::api::Method::Put
    };
    (PATCH) => {
        $crate::api::Method::Patch
    };
    (DELETE) => {
        $crate::api::Method::Delete
    };
}

/// The given type, or the default when none is given.
#[doc(hidden)]
#[macro_export]
macro_rules! __or_default {
    (; $default:ty) => {
        $default
    };
    ($given:ty; $default:ty) => {
        $given
    };
}

/// Declares routes: `Name: METHOD "/path"[, query Type][, body Type] => Answer;` after their doc
/// lines, and `list` as the slice of their methods and paths.
#[doc(hidden)]
#[macro_export]
macro_rules! __routes {
    (list $list:ident; $(
        $(#[doc = $doc:literal])+
        $name:ident: $method:ident $path:literal $(, query $query:ty)? $(, body $body:ty)?
            => $response:ty;
    )+) => {
        $(
            $(#[doc = $doc])+
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
            pub struct $name;

            impl $crate::api::Route for $name {
                const METHOD: $crate::api::Method = $crate::__method!($method);
                const PATH: &'static str = $path;
                type Query = $crate::__or_default!($($query)?; $crate::query::NoQuery);
                type Body = $crate::__or_default!($($body)?; $crate::api::NoBody);
                type Response = $response;
            }
        )+

        /// The method and path of every route declared here.
        pub const $list: &[($crate::api::Method, &str)] = &[$(($crate::__method!($method), $path)),+];
    };
}

crate::__routes! {
    list ROUTES;
    /// Log in (anyone): a session cookie and the session with its CSRF token.
    Login: POST "/login", body LoginRequest => SessionInfo;
    /// End every session of the account (session).
    Logout: POST "/logout" => NoContent;
    /// The current session (session).
    Me: GET "/me" => SessionInfo;
    /// The OpenAPI 3 document of the API (session).
    OpenApiDocument: GET "/openapi.json" => serde_json::Value;
    /// One row per endpoint, of every instance or one (session).
    Overview: GET "/overview", query crate::InstanceQuery => Vec<OverviewRow>;
    /// The processes sharing the database, with their heartbeats of the last hour (session).
    Servers: GET "/servers" => crate::Servers;
    /// The whole application's requests, error ratio, median, p95 and p99 over a range of days
    /// and the one before it, with points for sparklines (session).
    ApplicationSummary: GET "/summary", query ChartQuery => AppSummary;
    /// One endpoint's details card (session).
    Endpoint: GET "/endpoints/{id}" => EndpointDetails;
    /// Set an endpoint's monitoring level (admin).
    SetEndpointLevel: PUT "/endpoints/{id}/level", body EndpointLevel => EndpointLevel;
    /// An endpoint's failed requests (status 400 and above), newest first, by cursor (session).
    EndpointErrors: GET "/endpoints/{id}/errors", query CursorQuery => RequestPage;
    /// An endpoint's outliers, newest first (session).
    EndpointOutliers: GET "/endpoints/{id}/outliers", query PageQuery => OutlierPage;
    /// An endpoint's profiled requests, newest first (session).
    EndpointProfiles: GET "/endpoints/{id}/profiles", query PageQuery => ProfilePage;
    /// The grouped profile of an endpoint's latest 100 profiled requests, of one version if asked
    /// (session).
    EndpointGroupedProfile: GET "/endpoints/{id}/grouped-profile", query GroupedQuery => GroupedProfile;
    /// An endpoint's statements per request, time in statements and calls, N+1 flags and slow
    /// samples over a range of days (session).
    EndpointCalls: GET "/endpoints/{id}/calls", query ChartQuery => crate::EndpointCallSummary;
    /// Statements or upstreams over a range of days, most total time first (session).
    Dependencies: GET "/dependencies", query crate::DependencyQuery => crate::DependencyList;
    /// Exception groups, latest first (session).
    Exceptions: GET "/exceptions", query ExceptionQuery => ExceptionGroups;
    /// One exception group with its latest occurrences (session).
    Exception: GET "/exceptions/{id}" => ExceptionDetail;
    /// Remove an exception group (admin).
    DeleteException: DELETE "/exceptions/{id}" => NoContent;
    /// Every account (admin).
    Users: GET "/users" => Vec<UserInfo>;
    /// Create an account (admin).
    CreateUser: POST "/users", body NewUser => UserInfo;
    /// Change an account's password or role (admin).
    UpdateUser: PATCH "/users/{id}", body UserUpdate => UserInfo;
    /// Remove an account (admin).
    DeleteUser: DELETE "/users/{id}" => NoContent;
    /// The deployment's facts (session).
    Deployment: GET "/deployment" => DeploymentDetails;
    /// The custom graphs (session).
    CustomGraphs: GET "/custom-graphs" => Vec<CustomGraph>;
    /// The database's sizes and retention (admin).
    Database: GET "/database" => DatabaseInfo;
    /// Prune what the retention no longer keeps (admin).
    Prune: POST "/database/prune" => PruneResult;
    /// Make a report (session; one at a time per account).
    CreateReport: POST "/reports", body ReportRequest => Report;
    /// Every version with its requests, the version that appeared last first (session).
    ReportVersions: GET "/reports/versions" => Vec<VersionRequests>;
    /// The latest automatic version comparison, or `null` (session).
    LatestVersionComparison: GET "/reports/version-comparison" => Option<VersionComparison>;
    /// The alert rules, the channels without their secrets and the latest deliveries (session).
    Alerts: GET "/alerts" => crate::alerts::Alerts;
    /// Create an alert rule (admin).
    CreateAlertRule: POST "/alerts/rules", body crate::alerts::RuleInput => crate::alerts::Rule;
    /// Change an alert rule: its condition, channels, quiet period, muting (admin).
    UpdateAlertRule: PUT "/alerts/rules/{id}", body crate::alerts::RuleInput => crate::alerts::Rule;
    /// Remove an alert rule (admin).
    DeleteAlertRule: DELETE "/alerts/rules/{id}" => NoContent;
    /// Create an alert channel (admin).
    CreateAlertChannel: POST "/alerts/channels", body crate::alerts::ChannelInput => crate::alerts::Channel;
    /// Change an alert channel; without a secret the saved one stays (admin).
    UpdateAlertChannel: PUT "/alerts/channels/{id}", body crate::alerts::ChannelInput => crate::alerts::Channel;
    /// Remove an alert channel (admin).
    DeleteAlertChannel: DELETE "/alerts/channels/{id}" => NoContent;
    /// Send a sample message to a channel now, and log it (admin).
    TestAlertChannel: POST "/alerts/channels/{id}/test" => crate::alerts::TestDelivery;
    /// Requests with every level-1 field, oldest first, by cursor (security token).
    ExportRequests: GET "/export/requests", query ExportQuery => RequestPage;
    /// Every endpoint (security token).
    ExportEndpoints: GET "/export/endpoints" => Vec<ExportedEndpoint>;
    /// The deployment's facts (security token).
    ExportDetails: GET "/export/details" => DeploymentDetails;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for (method, path) in all() {
            assert!(path.starts_with('/'), "{path}");
            assert!(
                seen.insert((method, path)),
                "{} {path} twice",
                method.as_str()
            );
        }
        assert_eq!(Exception::path_of(7), "/exceptions/7");
    }
}
