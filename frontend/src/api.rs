//! A typed client of the dashboard's REST API, speaking only in `dashboard_shared` DTOs.

use dashboard_shared::api::{self, Method, NoBody, Route};
use dashboard_shared::{
    ChartQuery, CursorQuery, CustomGraph, DatabaseInfo, DependencyKind, DependencyList,
    DependencyQuery, DeploymentDetails, EndpointCallSummary, EndpointDetails, EndpointLevel,
    ErrorBody, ExceptionDetail, ExceptionGroups, ExceptionQuery, GroupedProfile, GroupedQuery,
    ImageFormat, InstanceQuery, LoginRequest, NewUser, NoQuery, OutlierPage, OverviewRow,
    PageQuery, ProfilePage, PruneResult, Report, ReportRequest, RequestPage, Servers, SessionInfo,
    UserInfo, UserUpdate, VersionComparison, VersionRequests,
};
use gloo_net::http::{RequestBuilder, Response};
use serde::de::DeserializeOwned;

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiFailure {
    /// 401: no valid session.
    Unauthorized(String),
    /// Any other error answer.
    Status(u16, String),
    /// The request did not get an answer or the answer was not understood.
    Network(String),
}

impl ApiFailure {
    /// What to show to people.
    pub(crate) fn message(&self) -> String {
        match self {
            ApiFailure::Unauthorized(message) | ApiFailure::Status(_, message) => message.clone(),
            ApiFailure::Network(message) => format!("The dashboard cannot be reached: {message}"),
        }
    }
}

/// The dashboard's path prefix, e.g. `/dashboard`, from the page's `<base href>`.
pub(crate) fn base_path() -> String {
    let base = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.base_uri().ok().flatten())
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|url| url.pathname())
        .unwrap_or_else(|| "/dashboard/".to_owned());
    base.trim_end_matches('/').to_owned()
}

fn url(path: &str) -> String {
    format!("{}/api{path}", base_path())
}

/// The URL of `R` for the resource `id` (when its path has one) with `query`.
fn route_url<R: Route>(id: Option<i64>, query: &R::Query) -> Result<String, ApiFailure> {
    let path = id.map_or_else(|| R::PATH.to_owned(), R::path_of);
    let query =
        serde_urlencoded::to_string(query).map_err(|err| ApiFailure::Network(err.to_string()))?;
    Ok(if query.is_empty() {
        url(&path)
    } else {
        format!("{}?{query}", url(&path))
    })
}

/// Sends `R`: its path for `id`, its query, its body, and the session's CSRF token for a change;
/// answers what the route declares. Only the query, the body and the answer depend on the route
/// type; the request itself is sent by one function, so the client stays small.
async fn call<R: Route>(
    id: Option<i64>,
    query: &R::Query,
    body: Option<&R::Body>,
    csrf_token: Option<&str>,
) -> Result<R::Response, ApiFailure> {
    let url = route_url::<R>(id, query)?;
    let body = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|err| ApiFailure::Network(err.to_string()))?;
    read(send(R::METHOD, &url, body, csrf_token).await?).await
}

/// Sends one request with an optional JSON body.
async fn send(
    method: Method,
    url: &str,
    json: Option<String>,
    csrf_token: Option<&str>,
) -> Result<Response, ApiFailure> {
    let method = match method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Put => gloo_net::http::Method::PUT,
        Method::Patch => gloo_net::http::Method::PATCH,
        Method::Delete => gloo_net::http::Method::DELETE,
    };
    let mut builder = RequestBuilder::new(url).method(method);
    if let Some(token) = csrf_token {
        builder = builder.header(api::CSRF_HEADER, token);
    }
    let request = match json {
        Some(json) => builder
            .header("content-type", "application/json")
            .body(json),
        None => builder.build(),
    }
    .map_err(|err| ApiFailure::Network(err.to_string()))?;
    request
        .send()
        .await
        .map_err(|err| ApiFailure::Network(err.to_string()))
}

/// A route without path parameter, query or body, read with the session cookie.
async fn get<R: Route<Query = NoQuery, Body = NoBody>>() -> Result<R::Response, ApiFailure> {
    call::<R>(None, &NoQuery {}, None, None).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    if response.status() == 204 {
        // `NoContent`: an answer without a body.
        return serde_json::from_str("{}").map_err(|err| ApiFailure::Network(err.to_string()));
    }
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|err| ApiFailure::Network(err.to_string()));
    }
    let message = match response.json::<ErrorBody>().await {
        Ok(body) => body.error.message,
        Err(_) => response.status_text(),
    };
    Err(match response.status() {
        401 => ApiFailure::Unauthorized(message),
        status => ApiFailure::Status(status, message),
    })
}

/// `POST /api/login`.
pub(crate) async fn login(username: String, password: String) -> Result<SessionInfo, ApiFailure> {
    let request = LoginRequest { username, password };
    call::<api::Login>(None, &NoQuery {}, Some(&request), None).await
}

/// `POST /api/logout` (answered with 204 No Content).
pub(crate) async fn logout(csrf_token: &str) -> Result<(), ApiFailure> {
    call::<api::Logout>(None, &NoQuery {}, None, Some(csrf_token)).await?;
    Ok(())
}

/// `GET /api/me`.
pub(crate) async fn me() -> Result<SessionInfo, ApiFailure> {
    get::<api::Me>().await
}

/// `GET /api/overview`.
pub(crate) async fn overview(instance: Option<i64>) -> Result<Vec<OverviewRow>, ApiFailure> {
    call::<api::Overview>(None, &InstanceQuery { instance }, None, None).await
}

/// `GET /api/servers`.
pub(crate) async fn servers() -> Result<Servers, ApiFailure> {
    get::<api::Servers>().await
}

/// `GET /api/deployment`.
pub(crate) async fn deployment() -> Result<DeploymentDetails, ApiFailure> {
    get::<api::Deployment>().await
}

/// `GET /api/users` (admin).
pub(crate) async fn users() -> Result<Vec<UserInfo>, ApiFailure> {
    get::<api::Users>().await
}

/// `POST /api/users` (admin).
pub(crate) async fn create_user(csrf_token: &str, user: &NewUser) -> Result<UserInfo, ApiFailure> {
    call::<api::CreateUser>(None, &NoQuery {}, Some(user), Some(csrf_token)).await
}

/// `PATCH /api/users/{id}` (admin).
pub(crate) async fn update_user(
    csrf_token: &str,
    id: i64,
    update: &UserUpdate,
) -> Result<UserInfo, ApiFailure> {
    call::<api::UpdateUser>(Some(id), &NoQuery {}, Some(update), Some(csrf_token)).await
}

/// `DELETE /api/users/{id}` (admin, answered with 204 No Content).
pub(crate) async fn delete_user(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    call::<api::DeleteUser>(Some(id), &NoQuery {}, None, Some(csrf_token)).await?;
    Ok(())
}

/// `PUT /api/endpoints/{id}/level` (admin).
pub(crate) async fn set_level(
    csrf_token: &str,
    id: i64,
    level: EndpointLevel,
) -> Result<EndpointLevel, ApiFailure> {
    call::<api::SetEndpointLevel>(Some(id), &NoQuery {}, Some(&level), Some(csrf_token)).await
}

/// `GET` a chart's data: the route `R` of one of `dashboard_shared`'s charts, for the endpoint
/// `id` when it is an endpoint's chart.
pub(crate) async fn chart<R: Route<Query = ChartQuery, Body = NoBody>>(
    id: Option<i64>,
    query: ChartQuery,
) -> Result<R::Response, ApiFailure> {
    call::<R>(id, &query, None, None).await
}

/// Where the chart `R` downloads as an image.
pub(crate) fn chart_image_url<R: Route<Query = ChartQuery>>(
    id: Option<i64>,
    query: &ChartQuery,
    format: ImageFormat,
) -> String {
    let query = ChartQuery {
        format: Some(format),
        ..query.clone()
    };
    route_url::<R>(id, &query).unwrap_or_default()
}

/// `GET /api/endpoints/{id}`.
pub(crate) async fn endpoint(id: i64) -> Result<EndpointDetails, ApiFailure> {
    call::<api::Endpoint>(Some(id), &NoQuery {}, None, None).await
}

/// `GET /api/endpoints/{id}/errors`: a page of failed requests after `cursor`.
pub(crate) async fn failed_requests(
    id: i64,
    cursor: Option<String>,
) -> Result<RequestPage, ApiFailure> {
    let query = CursorQuery {
        cursor,
        limit: None,
    };
    call::<api::EndpointErrors>(Some(id), &query, None, None).await
}

/// `GET /api/endpoints/{id}/outliers`: a page of outliers from `offset`.
pub(crate) async fn outliers(id: i64, offset: u64, limit: u64) -> Result<OutlierPage, ApiFailure> {
    let query = PageQuery {
        offset: Some(offset),
        limit: Some(limit),
    };
    call::<api::EndpointOutliers>(Some(id), &query, None, None).await
}

/// `GET /api/endpoints/{id}/profiles`: a page of profiled requests from `offset`.
pub(crate) async fn profiles(id: i64, offset: u64, limit: u64) -> Result<ProfilePage, ApiFailure> {
    let query = PageQuery {
        offset: Some(offset),
        limit: Some(limit),
    };
    call::<api::EndpointProfiles>(Some(id), &query, None, None).await
}

/// `GET /api/endpoints/{id}/grouped-profile`: of `version`'s requests only, when given.
pub(crate) async fn grouped_profile(
    id: i64,
    version: Option<String>,
) -> Result<GroupedProfile, ApiFailure> {
    let query = GroupedQuery { version };
    call::<api::EndpointGroupedProfile>(Some(id), &query, None, None).await
}

/// `GET /api/exceptions`: a page of exception groups, only `endpoint`'s when given.
pub(crate) async fn exceptions(
    endpoint: Option<i64>,
    offset: u64,
    limit: u64,
) -> Result<ExceptionGroups, ApiFailure> {
    let query = ExceptionQuery {
        endpoint: endpoint.and_then(|id| i32::try_from(id).ok()),
        offset: Some(offset),
        limit: Some(limit),
    };
    call::<api::Exceptions>(None, &query, None, None).await
}

/// `GET /api/dependencies`: statements or upstreams over `range`, only `endpoint`'s when
/// given.
pub(crate) async fn dependencies(
    kind: DependencyKind,
    endpoint: Option<i64>,
    range: ChartQuery,
) -> Result<DependencyList, ApiFailure> {
    let query = DependencyQuery {
        kind,
        from: range.from,
        to: range.to,
        endpoint,
    };
    call::<api::Dependencies>(None, &query, None, None).await
}

/// `GET /api/endpoints/{id}/calls`: statements per request, N+1 flags and slow samples over
/// `range`.
pub(crate) async fn endpoint_calls(
    id: i64,
    range: ChartQuery,
) -> Result<EndpointCallSummary, ApiFailure> {
    call::<api::EndpointCalls>(Some(id), &range, None, None).await
}

/// `GET /api/exceptions/{id}`.
pub(crate) async fn exception(id: i64) -> Result<ExceptionDetail, ApiFailure> {
    call::<api::Exception>(Some(id), &NoQuery {}, None, None).await
}

/// `DELETE /api/exceptions/{id}` (admin, answered with 204 No Content).
pub(crate) async fn delete_exception(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    call::<api::DeleteException>(Some(id), &NoQuery {}, None, Some(csrf_token)).await?;
    Ok(())
}

/// `GET /api/custom-graphs`.
pub(crate) async fn custom_graphs() -> Result<Vec<CustomGraph>, ApiFailure> {
    get::<api::CustomGraphs>().await
}

/// `GET /api/database` (admin).
pub(crate) async fn database() -> Result<DatabaseInfo, ApiFailure> {
    get::<api::Database>().await
}

/// `POST /api/database/prune` (admin).
pub(crate) async fn prune(csrf_token: &str) -> Result<PruneResult, ApiFailure> {
    call::<api::Prune>(None, &NoQuery {}, None, Some(csrf_token)).await
}

/// `POST /api/reports`.
pub(crate) async fn report(
    csrf_token: &str,
    request: &ReportRequest,
) -> Result<Report, ApiFailure> {
    call::<api::CreateReport>(None, &NoQuery {}, Some(request), Some(csrf_token)).await
}

/// `GET /api/reports/versions`.
pub(crate) async fn report_versions() -> Result<Vec<VersionRequests>, ApiFailure> {
    get::<api::ReportVersions>().await
}

/// `GET /api/reports/version-comparison`.
pub(crate) async fn version_comparison() -> Result<Option<VersionComparison>, ApiFailure> {
    get::<api::LatestVersionComparison>().await
}

/// `GET /api/alerts`.
pub(crate) async fn alerts() -> Result<dashboard_shared::alerts::Alerts, ApiFailure> {
    get::<api::Alerts>().await
}

/// `POST /api/alerts/rules`, or `PUT /api/alerts/rules/{id}` to change the rule `id` (admin).
pub(crate) async fn save_rule(
    csrf_token: &str,
    id: Option<i64>,
    rule: &dashboard_shared::alerts::RuleInput,
) -> Result<dashboard_shared::alerts::Rule, ApiFailure> {
    match id {
        None => call::<api::CreateAlertRule>(None, &NoQuery {}, Some(rule), Some(csrf_token)).await,
        Some(id) => {
            call::<api::UpdateAlertRule>(Some(id), &NoQuery {}, Some(rule), Some(csrf_token)).await
        }
    }
}

/// `DELETE /api/alerts/rules/{id}` (admin).
pub(crate) async fn delete_rule(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    call::<api::DeleteAlertRule>(Some(id), &NoQuery {}, None, Some(csrf_token)).await?;
    Ok(())
}

/// `POST /api/alerts/channels`, or `PUT /api/alerts/channels/{id}` to change the channel `id`
/// (admin).
pub(crate) async fn save_channel(
    csrf_token: &str,
    id: Option<i64>,
    channel: &dashboard_shared::alerts::ChannelInput,
) -> Result<dashboard_shared::alerts::Channel, ApiFailure> {
    match id {
        None => {
            call::<api::CreateAlertChannel>(None, &NoQuery {}, Some(channel), Some(csrf_token))
                .await
        }
        Some(id) => {
            call::<api::UpdateAlertChannel>(Some(id), &NoQuery {}, Some(channel), Some(csrf_token))
                .await
        }
    }
}

/// `DELETE /api/alerts/channels/{id}` (admin).
pub(crate) async fn delete_channel(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    call::<api::DeleteAlertChannel>(Some(id), &NoQuery {}, None, Some(csrf_token)).await?;
    Ok(())
}

/// `POST /api/alerts/channels/{id}/test` (admin).
pub(crate) async fn test_channel(
    csrf_token: &str,
    id: i64,
) -> Result<dashboard_shared::alerts::TestDelivery, ApiFailure> {
    call::<api::TestAlertChannel>(Some(id), &NoQuery {}, None, Some(csrf_token)).await
}
