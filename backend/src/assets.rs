//! The frontend: Trunk's build output, embedded into every build (debug builds too, so that no
//! path from a URL is ever looked up on disk), served under `/{CUSTOM_LINK}` with `index.html`
//! for every client-side route.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;

use crate::api::ApiError;

/// Trunk's output folder.
#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/../frontend/dist"]
#[allow_missing = true]
struct Dist;

/// The URL prefix the frontend is built with (`Trunk.toml`'s `public_url`).
const BUILT_PREFIX: &str = "/dashboard/";

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
            index: Dist::get("index.html").map(|file| {
                String::from_utf8_lossy(&file.data)
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

    /// `index.html`.
    fn index(&self) -> Response {
        match &self.index {
            Some(html) => {
                ([(header::CACHE_CONTROL, "no-cache")], Html(html.to_string())).into_response()
            }
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<h1>Dashboard frontend not built</h1><p>Run <code>cargo xtask demo</code> or <code>trunk build</code> first.</p>"),
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
pub(crate) async fn file(State(frontend): State<Frontend>, Path(path): Path<String>) -> Response {
    if path.split('/').next() == Some("api") {
        // An unknown API route, not a page; like every API answer, not to be cached.
        let mut response = ApiError::NotFound("no such API route").into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
        return response;
    }
    if !is_plain_path(&path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match Dist::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [(header::CONTENT_TYPE, mime.as_ref().to_owned())],
                Body::from(file.data.into_owned()),
            )
                .into_response()
        }
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
    use super::is_plain_path;

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
}
