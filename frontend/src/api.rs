//! A typed client of the dashboard's REST API, speaking only in `dashboard_shared` DTOs.

use dashboard_shared::{
    ApiPerformance, DailyUtilization, DeploymentDetails, EndpointLevel, ErrorBody, HourlyLoad,
    LoginRequest, NewUser, OverviewRow, SessionInfo, UserInfo, UserUpdate, api,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// 401: no valid session.
    Unauthorized(String),
    /// Any other error answer.
    Status(u16, String),
    /// The request did not get an answer or the answer was not understood.
    Network(String),
}

impl ApiFailure {
    /// What to show to people.
    pub fn message(&self) -> String {
        match self {
            ApiFailure::Unauthorized(message) | ApiFailure::Status(_, message) => message.clone(),
            ApiFailure::Network(message) => format!("The dashboard cannot be reached: {message}"),
        }
    }
}

/// The dashboard's path prefix, e.g. `/dashboard`, from the page's `<base href>`.
pub fn base_path() -> String {
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
pub async fn login(username: String, password: String) -> Result<SessionInfo, ApiFailure> {
    send(Request::post(&url(api::LOGIN)).json(&LoginRequest { username, password })).await
}

/// `POST /api/logout` (answered with 204 No Content).
pub async fn logout(csrf_token: &str) -> Result<(), ApiFailure> {
    send_no_content(
        Request::post(&url(api::LOGOUT))
            .header(api::CSRF_HEADER, csrf_token)
            .build(),
    )
    .await
}

/// `GET /api/me`.
pub async fn me() -> Result<SessionInfo, ApiFailure> {
    send(get(api::ME)).await
}

/// `GET /api/overview`.
pub async fn overview() -> Result<Vec<OverviewRow>, ApiFailure> {
    send(get(api::OVERVIEW)).await
}

/// `GET /api/deployment`.
pub async fn deployment() -> Result<DeploymentDetails, ApiFailure> {
    send(get(api::DEPLOYMENT)).await
}

/// `GET /api/users` (admin).
pub async fn users() -> Result<Vec<UserInfo>, ApiFailure> {
    send(get(api::USERS)).await
}

/// `POST /api/users` (admin).
pub async fn create_user(csrf_token: &str, user: &NewUser) -> Result<UserInfo, ApiFailure> {
    send(
        Request::post(&url(api::USERS))
            .header(api::CSRF_HEADER, csrf_token)
            .json(user),
    )
    .await
}

/// `PATCH /api/users/{id}` (admin).
pub async fn update_user(
    csrf_token: &str,
    id: i64,
    update: &UserUpdate,
) -> Result<UserInfo, ApiFailure> {
    let path = api::USER.replace("{id}", &id.to_string());
    send(
        Request::patch(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .json(update),
    )
    .await
}

/// `DELETE /api/users/{id}` (admin, answered with 204 No Content).
pub async fn delete_user(csrf_token: &str, id: i64) -> Result<(), ApiFailure> {
    let path = api::USER.replace("{id}", &id.to_string());
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
pub async fn set_level(
    csrf_token: &str,
    id: i64,
    level: EndpointLevel,
) -> Result<EndpointLevel, ApiFailure> {
    let path = api::ENDPOINT_LEVEL.replace("{id}", &id.to_string());
    send(
        Request::put(&url(&path))
            .header(api::CSRF_HEADER, csrf_token)
            .json(&level),
    )
    .await
}

/// The query of a day range; empty bounds are left to the server's defaults.
fn day_range(from: &str, to: &str) -> String {
    let parts: Vec<String> = [("from", from), ("to", to)]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `GET /api/charts/hourly-load`.
pub async fn hourly_load(from: String, to: String) -> Result<HourlyLoad, ApiFailure> {
    send(get(&format!(
        "{}{}",
        api::HOURLY_LOAD,
        day_range(&from, &to)
    )))
    .await
}

/// Where the hourly-load heatmap downloads as SVG.
pub fn hourly_load_svg_url(from: &str, to: &str) -> String {
    url(&format!("{}.svg{}", api::HOURLY_LOAD, day_range(from, to)))
}

/// `GET /api/charts/api-performance`.
pub async fn api_performance(from: String, to: String) -> Result<ApiPerformance, ApiFailure> {
    send(get(&format!(
        "{}{}",
        api::API_PERFORMANCE,
        day_range(&from, &to)
    )))
    .await
}

/// Where the API-performance box plots download as SVG.
pub fn api_performance_svg_url(from: &str, to: &str) -> String {
    url(&format!(
        "{}.svg{}",
        api::API_PERFORMANCE,
        day_range(from, to)
    ))
}

/// `GET /api/charts/daily-utilization`.
pub async fn daily_utilization(from: String, to: String) -> Result<DailyUtilization, ApiFailure> {
    send(get(&format!(
        "{}{}",
        api::DAILY_UTILIZATION,
        day_range(&from, &to)
    )))
    .await
}

/// Where the daily-utilisation bars download as SVG.
pub fn daily_utilization_svg_url(from: &str, to: &str) -> String {
    url(&format!(
        "{}.svg{}",
        api::DAILY_UTILIZATION,
        day_range(from, to)
    ))
}
