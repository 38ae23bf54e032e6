//! A typed client of the dashboard's REST API, speaking only in `dashboard_shared` DTOs.

use dashboard_shared::{
    CustomGraph, DatabaseInfo, DeploymentDetails, EndpointDetails, EndpointLevel, ErrorBody,
    ExceptionDetail, ExceptionGroups, GroupedProfile, LoginRequest, NewUser, OutlierPage,
    OverviewRow, ProfilePage, PruneResult, Report, ReportRequest, RequestPage, SessionInfo,
    UserInfo, UserUpdate, VersionComparison, VersionRequests, api,
};
use gloo_net::http::{Request, RequestBuilder, Response};
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

async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiFailure> {
    let request = request.map_err(|err| ApiFailure::Network(err.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|err| ApiFailure::Network(err.to_string()))?;
    read(response).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
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

fn get(path: &str) -> Result<Request, gloo_net::Error> {
    RequestBuilder::new(&url(path))
        .method(gloo_net::http::Method::GET)
        .build()
}

/// `POST /api/login`.
pub(crate) async fn login(username: String, password: String) -> Result<SessionInfo, ApiFailure> {
    send(Request::post(&url(api::LOGIN)).json(&LoginRequest { username, password })).await
}

/// `POST /api/logout` (answered with 204 No Content).
pub(crate) async fn logout(csrf_token: &str) -> Result<(), ApiFailure> {
    send_no_content(
        Request::post(&url(api::LOGOUT))
            .header(api::CSRF_HEADER, csrf_token)
            .build(),
    )
    .await
}

/// `GET /api/me`.
pub(crate) async fn me() -> Result<SessionInfo, ApiFailure> {
    send(get(api::ME)).await
}

/// `GET /api/overview`.
pub(crate) async fn overview() -> Result<Vec<OverviewRow>, ApiFailure> {
    send(get(api::OVERVIEW)).await
}

/// `GET /api/deployment`.
pub(crate) async fn deployment() -> Result<DeploymentDetails, ApiFailure> {
    send(get(api::DEPLOYMENT)).await
}

/// `GET /api/users` (admin).
pub(crate) async fn users() -> Result<Vec<UserInfo>, ApiFailure> {
    send(get(api::USERS)).await
}

/// `POST /api/users` (admin).
pub(crate) async fn create_user(csrf_token: &str, user: &NewUser) -> Result<UserInfo, ApiFailure> {
    send(
        Request::post(&url(api::USERS))
            .header(api::CSRF_HEADER, csrf_token)
            .json(user),
    )
    .await
}

/// `PATCH /api/users/{id}` (admin).
pub(crate) async fn update_user(
    csrf_token: &str,
    id: i64,
    update: &UserUpdate,
) -> Result<UserInfo, ApiFailure> {
    let path = api::with_id(api::USER, id);
    send(
        Request::patch(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .json(update),
    )
    .await
}

/// `DELETE /api/users/{id}` (admin, answered with 204 No Content).
pub(crate) async fn delete_user(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    let path = api::with_id(api::USER, id);
    send_no_content(
        Request::delete(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .build(),
    )
    .await
}

/// Sends a request answered with 204 No Content on success.
async fn send_no_content(request: Result<Request, gloo_net::Error>) -> Result<(), ApiFailure> {
    let request = request.map_err(|err| ApiFailure::Network(err.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|err| ApiFailure::Network(err.to_string()))?;
    if response.ok() {
        Ok(())
    } else {
        read::<()>(response).await
    }
}

/// `PUT /api/endpoints/{id}/level` (admin).
pub(crate) async fn set_level(
    csrf_token: &str,
    id: i64,
    level: EndpointLevel,
) -> Result<EndpointLevel, ApiFailure> {
    let path = api::with_id(api::ENDPOINT_LEVEL, id);
    send(
        Request::put(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .json(&level),
    )
    .await
}

/// What a chart asks for: a range of days (empty bounds are left to the server's defaults)
/// and, when chosen, the versions and users or addresses to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ChartQuery {
    /// First day, `YYYY-MM-DD`, or empty.
    pub(crate) from: String,
    /// Last day, `YYYY-MM-DD`, or empty.
    pub(crate) to: String,
    /// The chosen versions; `None` for the server's default (the newest).
    pub(crate) versions: Option<Vec<String>>,
    /// The chosen users or addresses; `None` for the server's default (the busiest).
    pub(crate) callers: Option<Vec<String>>,
    /// The chosen endpoints; `None` for the server's default (every one).
    pub(crate) endpoints: Option<Vec<String>>,
}

impl ChartQuery {
    /// The query string, with `?` when not empty; `format` asks for an image.
    fn encode(&self, format: Option<&str>) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        for (name, value) in [("from", &self.from), ("to", &self.to)] {
            if !value.is_empty() {
                parts.push((name, value.clone()));
            }
        }
        for (name, list) in [
            ("versions", &self.versions),
            ("callers", &self.callers),
            ("endpoints", &self.endpoints),
        ] {
            if let Some(list) = list {
                parts.push((name, list.join(",")));
            }
        }
        if let Some(format) = format {
            parts.push(("format", format.to_owned()));
        }
        let Ok(params) = web_sys::UrlSearchParams::new() else {
            return String::new();
        };
        for (name, value) in parts {
            params.append(name, &value);
        }
        let query: String = params.to_string().into();
        if query.is_empty() {
            query
        } else {
            format!("?{query}")
        }
    }
}

/// `GET` a chart's data from `path` (one of `dashboard_shared::api`'s chart paths).
pub(crate) async fn chart<T: DeserializeOwned>(
    path: String,
    query: ChartQuery,
) -> Result<T, ApiFailure> {
    send(get(&format!("{path}{}", query.encode(None)))).await
}

/// Where a chart downloads as an image (`svg` or `png`).
pub(crate) fn chart_image_url(path: &str, query: &ChartQuery, format: &str) -> String {
    url(&format!("{path}{}", query.encode(Some(format))))
}

/// `GET /api/endpoints/{id}`.
pub(crate) async fn endpoint(id: i64) -> Result<EndpointDetails, ApiFailure> {
    send(get(&api::with_id(api::ENDPOINT, id))).await
}

/// `GET /api/endpoints/{id}/errors`: a page of failed requests after `cursor`.
pub(crate) async fn failed_requests(
    id: i64,
    cursor: Option<String>,
) -> Result<RequestPage, ApiFailure> {
    let path = api::with_id(api::ENDPOINT_ERRORS, id);
    let query = match cursor {
        Some(cursor) => format!("?cursor={cursor}"),
        None => String::new(),
    };
    send(get(&format!("{path}{query}"))).await
}

/// `GET /api/endpoints/{id}/outliers`: a page of outliers from `offset`.
pub(crate) async fn outliers(id: i64, offset: u64, limit: u64) -> Result<OutlierPage, ApiFailure> {
    let path = api::with_id(api::ENDPOINT_OUTLIERS, id);
    send(get(&format!("{path}?offset={offset}&limit={limit}"))).await
}

/// `GET /api/endpoints/{id}/profiles`: a page of profiled requests from `offset`.
pub(crate) async fn profiles(id: i64, offset: u64, limit: u64) -> Result<ProfilePage, ApiFailure> {
    let path = api::with_id(api::ENDPOINT_PROFILES, id);
    send(get(&format!("{path}?offset={offset}&limit={limit}"))).await
}

/// `GET /api/endpoints/{id}/grouped-profile`.
pub(crate) async fn grouped_profile(id: i64) -> Result<GroupedProfile, ApiFailure> {
    send(get(&api::with_id(api::ENDPOINT_GROUPED_PROFILE, id))).await
}

/// `GET /api/exceptions`: a page of exception groups, only `endpoint`'s when given.
pub(crate) async fn exceptions(
    endpoint: Option<i64>,
    offset: u64,
    limit: u64,
) -> Result<ExceptionGroups, ApiFailure> {
    let filter = endpoint
        .map(|endpoint| format!("&endpoint={endpoint}"))
        .unwrap_or_default();
    send(get(&format!(
        "{}?offset={offset}&limit={limit}{filter}",
        api::EXCEPTIONS
    )))
    .await
}

/// `GET /api/exceptions/{id}`.
pub(crate) async fn exception(id: i64) -> Result<ExceptionDetail, ApiFailure> {
    send(get(&api::with_id(api::EXCEPTION, id))).await
}

/// `DELETE /api/exceptions/{id}` (admin, answered with 204 No Content).
pub(crate) async fn delete_exception(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    let path = api::with_id(api::EXCEPTION, id);
    send_no_content(
        Request::delete(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .build(),
    )
    .await
}

/// `GET /api/custom-graphs`.
pub(crate) async fn custom_graphs() -> Result<Vec<CustomGraph>, ApiFailure> {
    send(get(api::CUSTOM_GRAPHS)).await
}

/// `GET /api/database` (admin).
pub(crate) async fn database() -> Result<DatabaseInfo, ApiFailure> {
    send(get(api::DATABASE)).await
}

/// `POST /api/database/prune` (admin).
pub(crate) async fn prune(csrf_token: &str) -> Result<PruneResult, ApiFailure> {
    send(
        Request::post(&url(api::DATABASE_PRUNE))
            .header(api::CSRF_HEADER, csrf_token)
            .build(),
    )
    .await
}

/// `POST /api/reports`.
pub(crate) async fn report(
    csrf_token: &str,
    request: &ReportRequest,
) -> Result<Report, ApiFailure> {
    send(
        Request::post(&url(api::REPORTS))
            .header(api::CSRF_HEADER, csrf_token)
            .json(request),
    )
    .await
}

/// `GET /api/reports/versions`.
pub(crate) async fn report_versions() -> Result<Vec<VersionRequests>, ApiFailure> {
    send(get(api::REPORT_VERSIONS)).await
}

/// `GET /api/reports/version-comparison`.
pub(crate) async fn version_comparison() -> Result<Option<VersionComparison>, ApiFailure> {
    send(get(api::VERSION_COMPARISON)).await
}
