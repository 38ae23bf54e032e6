//! `cargo xtask dist`: the frontend as users get it. Trunk builds it for release with the
//! size-optimised `wasm-release` profile (`opt-level = "z"`, LTO, stripped; no wasm-opt: Debian's
//! version 108 breaks wasm-bindgen's externref table) into `ui/dist`, every file but
//! `index.html` gets a gzip and a brotli copy beside it, and the bundle's sizes are printed and
//! written to `target/bundle-size.json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{run, step, tools, workspace_root};

/// Where Trunk writes the build (`Trunk.toml`'s `dist`): the `axum-monitoring-dashboard-ui`
/// crate's package carries it.
pub(crate) fn dist_dir() -> PathBuf {
    workspace_root().join("ui").join("dist")
}

/// The sizes of the files a browser loads (wasm, JavaScript, CSS), in bytes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BundleSize {
    pub(crate) raw: u64,
    pub(crate) gzip: u64,
    pub(crate) brotli: u64,
}

/// Builds, compresses and measures the frontend.
pub(crate) fn dist() -> Result<BundleSize> {
    tools::ensure_wasm_tools()?;
    step("building the frontend for release with Trunk (a few minutes)");
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .env("PATH", tools::path_with_cargo_bin()))?;
    let size = compress(&dist_dir())?;
    let kib = |bytes: u64| bytes as f64 / 1024.0;
    step(&format!(
        "bundle (wasm, JavaScript, CSS): {:.0} KiB raw, {:.0} KiB gzip, {:.0} KiB brotli",
        kib(size.raw),
        kib(size.gzip),
        kib(size.brotli)
    ));
    let report = crate::target_dir().join("bundle-size.json");
    std::fs::create_dir_all(crate::target_dir())?;
    std::fs::write(
        &report,
        format!(
            "{{\"raw_bytes\": {}, \"gzip_bytes\": {}, \"brotli_bytes\": {}}}\n",
            size.raw, size.gzip, size.brotli
        ),
    )
    .with_context(|| format!("writing {}", report.display()))?;
    Ok(size)
}

/// Writes `name.gz` and `name.br` beside every built file but `index.html` (which the backend
/// rewrites for its prefix), and adds up the sizes of what a browser loads.
fn compress(dist: &Path) -> Result<BundleSize> {
    let mut size = BundleSize::default();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if name == "index.html" || name.ends_with(".gz") || name.ends_with(".br") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let gzip = gzip(&bytes)?;
        let brotli = brotli(&bytes)?;
        std::fs::write(format!("{}.gz", path.display()), &gzip)?;
        std::fs::write(format!("{}.br", path.display()), &brotli)?;
        if [".wasm", ".js", ".css"]
            .iter()
            .any(|kind| name.ends_with(kind))
        {
            size.raw += bytes.len() as u64;
            size.gzip += gzip.len() as u64;
            size.brotli += brotli.len() as u64;
        }
    }
    Ok(size)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params)?;
    Ok(compressed)
}
