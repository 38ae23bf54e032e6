//! The headers every response of the dashboard carries: a Content-Security-Policy that runs only
//! the dashboard's own scripts and wasm and forbids framing, `X-Frame-Options`, `nosniff`,
//! `Referrer-Policy`, and `Cache-Control: no-store` on every API answer.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// The policy, with the hashes of the inline scripts of `index.html` (Trunk's loader).
pub(crate) fn content_security_policy(inline_script_hashes: &[String]) -> String {
    let hashes: String = inline_script_hashes
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Adds the headers to every response of `router`'s routes (not to its fallback, which is the
/// monitored app's once merged).
pub(crate) fn secure(router: Router, policy: &str) -> Router {
    let policy = HeaderValue::from_str(policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    router.route_layer(axum::middleware::map_response(
        move |mut response: Response| {
            let policy = policy.clone();
            async move {
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
                headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
                headers.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                headers.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                response
            }
        },
    ))
}

/// Marks every response of `router` (the API) as not to be stored by any cache.
pub(crate) fn not_stored(router: Router) -> Router {
    router.route_layer(axum::middleware::map_response(
        |mut response: Response| async move {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        },
    ))
}
