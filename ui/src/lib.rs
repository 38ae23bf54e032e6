//! The built web frontend of [axum-monitoring-dashboard](https://docs.rs/axum-monitoring-dashboard).
//!
//! `cargo xtask dist` builds the Leptos frontend once, at release time (Trunk `--release`,
//! wasm-opt), writes a gzip and a brotli copy of every file next to it in `dist/`, and this
//! crate's package carries them, so that a service depending on the dashboard serves the
//! complete frontend without Trunk, wasm-bindgen or a wasm32 target. The files are embedded in
//! every build, debug builds too: no path that comes from a URL is ever looked up on disk.
//!
//! ```
//! use axum_monitoring_dashboard_ui::{Encoding, get, is_built};
//! if is_built() {
//!     let index = get("index.html", &[Encoding::Brotli, Encoding::Gzip]).unwrap();
//!     assert!(!index.bytes.is_empty());
//! }
//! assert!(get("../Cargo.toml", &[]).is_none());
//! ```

use std::borrow::Cow;

/// Trunk's output with its compressed copies.
#[derive(rust_embed::Embed)]
#[folder = "$CARGO_MANIFEST_DIR/dist"]
#[allow_missing = true]
struct Dist;

/// How a built file's bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// As built.
    Identity,
    /// gzip (`Content-Encoding: gzip`).
    Gzip,
    /// brotli (`Content-Encoding: br`).
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` header's value; `None` for [`Encoding::Identity`].
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    /// The suffix of the compressed copy's file name.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Gzip => ".gz",
            Encoding::Brotli => ".br",
        }
    }
}

/// One built file in one encoding.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The bytes, encoded as [`Asset::encoding`] says.
    pub bytes: Cow<'static, [u8]>,
    /// How the bytes are encoded.
    pub encoding: Encoding,
}

/// The built file `path` (a name as `index.html` uses it, such as `style-1a2b.css`), in the
/// first of `accepted` encodings that was built, else as built; `None` for a file the build
/// does not have.
pub fn get(path: &str, accepted: &[Encoding]) -> Option<Asset> {
    accepted
        .iter()
        .copied()
        .filter(|encoding| *encoding != Encoding::Identity)
        .find_map(|encoding| {
            Dist::get(&format!("{path}{}", encoding.suffix())).map(|file| Asset {
                bytes: file.data,
                encoding,
            })
        })
        .or_else(|| {
            Dist::get(path).map(|file| Asset {
                bytes: file.data,
                encoding: Encoding::Identity,
            })
        })
}

/// Whether this package holds a built frontend (`cargo xtask dist` ran before it was made).
pub fn is_built() -> bool {
    Dist::get("index.html").is_some()
}

/// The names of the built files as built (without their compressed copies).
pub fn files() -> impl Iterator<Item = Cow<'static, str>> {
    Dist::iter().filter(|name| !name.ends_with(".gz") && !name.ends_with(".br"))
}
