//! Outgoing calls of `reqwest` clients (feature `reqwest`).

use std::time::Instant;

use reqwest_middleware::{Middleware, Next};

/// A [`reqwest_middleware`] middleware that records every call a monitored request makes:
/// method, host, path template (numbers and ids blanked, the query string dropped), status and
/// duration. Calls made outside monitored requests are not recorded.
///
/// ```no_run
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(axum_monitoring_dashboard::DashboardMiddleware)
///     .build();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct DashboardMiddleware;

#[async_trait::async_trait]
impl Middleware for DashboardMiddleware {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut axum::http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let Some(log) = super::polled() else {
            return next.run(request, extensions).await;
        };
        let method = request.method().clone();
        let url = request.url().clone();
        let started = Instant::now();
        let answer = next.run(request, extensions).await;
        let status = answer
            .as_ref()
            .ok()
            .map(|response| response.status().as_u16());
        log.call(&method, url.as_str(), status, started.elapsed());
        answer
    }
}
