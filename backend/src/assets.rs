//! The frontend: Trunk's build output, embedded in release builds (read from `frontend/dist`
//! at run time in debug builds), served under `/{CUSTOM_LINK}` with `index.html` for every
//! client-side route.

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
    prefix: Arc<str>,
}

impl Frontend {
    pub(crate) fn new(custom_link: &str) -> Self {
        Frontend {
            prefix: format!("/{custom_link}/").into(),
        }
    }

    /// `index.html` with its asset URLs moved to this prefix.
    fn index(&self) -> Response {
        match Dist::get("index.html") {
            Some(file) => {
                let html = String::from_utf8_lossy(&file.data).replace(BUILT_PREFIX, &self.prefix);
                ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
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

/// `GET /{link}/{*path}`: a built file, or `index.html` for a client-side route.
pub(crate) async fn file(State(frontend): State<Frontend>, Path(path): Path<String>) -> Response {
    if path.split('/').next() == Some("api") {
        // An unknown API route, not a page.
        return ApiError::NotFound("no such API route").into_response();
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
