//! The frontend: the built files of the `axum-monitoring-dashboard-ui` crate (embedded in every
//! build, so no path from a URL is ever looked up on disk), served under `/{CUSTOM_LINK}` with
//! `index.html` for every client-side route. Files are sent brotli- or gzip-compressed as the
//! client accepts; their names carry a hash of their content, so they are cached for a year,
//! while `index.html` is checked again every time.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_monitoring_dashboard_ui::{self as ui, Encoding};

use crate::api::ApiError;

/// The URL prefix the frontend is built with (`Trunk.toml`'s `public_url`).
const BUILT_PREFIX: &str = "/dashboard/";

/// How long a built file (its name holds its hash) may be cached.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Serves the frontend under one prefix.
#[derive(Clone)]
pub(crate) struct Frontend {
    /// `index.html` with its asset URLs moved to the prefix; `None` when the build has none.
    index: Option<Arc<str>>,
}

impl Frontend {
    pub(crate) fn new(custom_link: &str) -> Self {
        let prefix = format!("/{custom_link}/");
        Frontend {
            index: ui::get("index.html", &[]).map(|file| {
                String::from_utf8_lossy(&file.bytes)
                    .replace(BUILT_PREFIX, &prefix)
                    .into()
            }),
        }
    }

    /// The SHA-256 hashes (base64) of the inline scripts of `index.html`, for the CSP.
    pub(crate) fn inline_script_hashes(&self) -> Vec<String> {
        use base64::Engine;
        use sha2::Digest;
        let Some(html) = self.index.as_deref() else {
            return Vec::new();
        };
        html.split("<script")
            .skip(1)
            .filter_map(|tag| {
                let (attributes, rest) = tag.split_once('>')?;
                let (body, _) = rest.split_once("</script>")?;
                (!attributes.contains("src=")).then(|| {
                    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body))
                })
            })
            .collect()
    }

    /// `index.html`, checked again by the browser every time (`no-cache`).
    fn index(&self) -> Response {
        match &self.index {
            Some(html) => {
                ([(header::CACHE_CONTROL, "no-cache")], Html(html.to_string())).into_response()
            }
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<h1>Dashboard frontend not built</h1><p>Run <code>cargo xtask dist</code> (or <code>cargo xtask demo</code>) first.</p>"),
            )
                .into_response(),
        }
    }
}

/// `GET /{link}/` and the client-side routes.
pub(crate) async fn index(State(frontend): State<Frontend>) -> Response {
    frontend.index()
}

/// `GET /{link}/{*path}`: a built file, or `index.html` for a client-side route. A path that
/// could name anything outside the build (`..`, `.`, empty segments, `\`, `%`, `:`, control
/// characters; after the router decoded it once) is answered 404 without being looked up.
pub(crate) async fn file(
    State(frontend): State<Frontend>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    if path.split('/').next() == Some("api") {
        // An unknown API route, not a page; like every API answer, not to be cached.
        let mut response = ApiError::NotFound("no such API route").into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    if path == "index.html" {
        return frontend.index();
    }
    if !is_plain_path(&path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ui::get(&path, &accepted_encodings(&headers)) {
        Some(file) => built_file(&path, file),
        None if path
            .rsplit('/')
            .next()
            .is_some_and(|name| name.contains('.')) =>
        {
            StatusCode::NOT_FOUND.into_response()
        }
        None => frontend.index(),
    }
}

/// A built file with its type, its encoding and a year of caching.
fn built_file(path: &str, file: ui::Asset) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut response = Response::new(Body::from(file.bytes.into_owned()));
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = file.encoding.header() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// The compressed encodings the client accepts (`Accept-Encoding`, `q=0` meaning no), brotli
/// first.
fn accepted_encodings(headers: &HeaderMap) -> Vec<Encoding> {
    let offered: Vec<(String, bool)> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name, !refused)
        })
        .collect();
    [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .filter(|encoding| {
            offered
                .iter()
                .any(|(name, accepted)| *accepted && Some(name.as_str()) == encoding.header())
        })
        .collect()
}

/// Whether a decoded path is made only of plain segments: letters, digits, `-`, `_`, `.` and
/// `~`, never `.` or `..` alone, never empty.
fn is_plain_path(path: &str) -> bool {
    path.split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_looked_up() {
        for plain in [
            "index.html",
            "dashboard-frontend-1a2b_bg.wasm",
            "endpoint/3/outliers",
        ] {
            assert!(is_plain_path(plain), "{plain}");
        }
        for escaping in [
            "../../etc/passwd",
            "./index.html",
            "a//b",
            "/etc/passwd",
            "..\\..\\etc\\passwd",
            "%2e%2e/x",
            "C:/x",
            "a/\0/b",
            "",
            "a/..",
        ] {
            assert!(!is_plain_path(escaping), "{escaping:?}");
        }
    }

    #[test]
    fn brotli_is_preferred_and_q_zero_refuses() {
        let accepting = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepted_encodings(&headers)
        };
        assert_eq!(
            accepting("gzip, deflate, br, zstd"),
            [Encoding::Brotli, Encoding::Gzip]
        );
        assert_eq!(accepting("gzip;q=0.5, br;q=0"), [Encoding::Gzip]);
        assert_eq!(accepting("identity"), []);
    }
}
