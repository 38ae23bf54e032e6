//! Installing what a fresh machine lacks: the wasm32 target, Trunk, wasm-bindgen-cli at the
//! version in Cargo.lock, Debian's Chromium and ChromeDriver.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{run, step, workspace_root};
use dashboard_test_servers::apt_install;

/// The newest Trunk that builds with Rust 1.95.
const TRUNK_VERSION: &str = "0.21.14";

/// `~/.cargo/bin`, where `cargo install` puts tools.
fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// `PATH` with `~/.cargo/bin` in front, so installed tools are found.
pub(crate) fn path_with_cargo_bin() -> OsString {
    let mut paths = vec![cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The first line a tool prints for `--version`, if it runs.
fn version_of(tool: &str) -> Option<String> {
    let output = Command::new(tool)
        .arg("--version")
        .env("PATH", path_with_cargo_bin())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The version of a package in Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let marker = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&marker)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + marker.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_owned())
}

fn cargo_install(package: &str, version: &str, extra: &[&str]) -> Result<()> {
    step(&format!(
        "installing {package} {version} with cargo (a few minutes, once)"
    ));
    run(Command::new("cargo")
        .args(["install", package, "--version", version])
        .args(extra))
}

/// The wasm32 target, Trunk and wasm-bindgen-cli matching the lock file.
pub(crate) fn ensure_wasm_tools() -> Result<()> {
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("running rustup")?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        step("adding the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !version_of("trunk").is_some_and(|v| v.contains(TRUNK_VERSION)) {
        cargo_install("trunk", TRUNK_VERSION, &["--locked"])?;
    }
    let bindgen = locked_version("wasm-bindgen")?;
    if !version_of("wasm-bindgen").is_some_and(|v| v.split_whitespace().any(|word| word == bindgen))
    {
        cargo_install("wasm-bindgen-cli", &bindgen, &[])?;
    }
    Ok(())
}

/// Debian's `chromium` and `chromium-driver` for the browser tests, and `prometheus` (with
/// `promtool`) for the exporter's tests.
pub(crate) fn ensure_test_tools() -> Result<()> {
    let needed: Vec<&str> = [
        ("chromium", "/usr/bin/chromium"),
        ("chromium-driver", "/usr/bin/chromedriver"),
        ("prometheus", "/usr/bin/promtool"),
    ]
    .into_iter()
    .filter(|(_, binary)| !Path::new(binary).exists())
    .map(|(package, _)| package)
    .collect();
    if needed.is_empty() {
        return Ok(());
    }
    apt_install(&needed)
}

/// Debian's `wrk`, the external load generator of `cargo xtask bench`.
pub(crate) fn ensure_bench_tools() -> Result<()> {
    if Path::new("/usr/bin/wrk").exists() {
        return Ok(());
    }
    apt_install(&["wrk"])
}

/// The schemathesis version the API fuzzing test runs.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Schemathesis (from PyPI, in a virtualenv under the target folder) for the API fuzzing test;
/// returns its executable.
pub(crate) fn ensure_fuzzer() -> Result<PathBuf> {
    let venv = python_venv("fuzz-venv", "schemathesis", SCHEMATHESIS_VERSION)?;
    Ok(venv.join("bin").join("schemathesis"))
}

/// The aiosmtpd version the alert tests receive email with.
const AIOSMTPD_VERSION: &str = "1.4.6";

/// aiosmtpd (from PyPI, in a virtualenv under the target folder), the SMTP server the alert
/// tests start; returns the virtualenv's Python.
pub(crate) fn ensure_smtp_server() -> Result<PathBuf> {
    let venv = python_venv("smtp-venv", "aiosmtpd", AIOSMTPD_VERSION)?;
    Ok(venv.join("bin").join("python"))
}

/// A virtualenv `name` under the target folder with `package` at `version` from PyPI, made or
/// updated when it lacks them; returns its folder.
fn python_venv(name: &str, package: &str, version: &str) -> Result<PathBuf> {
    let venv = crate::target_dir().join(name);
    let installed = Command::new(venv.join("bin").join("pip"))
        .args(["show", package])
        .output()
        .is_ok_and(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line == format!("Version: {version}"))
        });
    if installed {
        return Ok(venv);
    }
    step(&format!(
        "installing {package} {version} from PyPI into {}",
        venv.display()
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("{package}=={version}")))?;
    Ok(venv)
}

/// The axe-core version the browser tests run on every page.
const AXE_VERSION: &str = "4.14.1";

/// axe-core (from npm, under the target folder) for the browser tests' accessibility checks;
/// returns its `axe.min.js`.
pub(crate) fn ensure_axe() -> Result<PathBuf> {
    let prefix = crate::target_dir().join("axe");
    let package = prefix.join("node_modules").join("axe-core");
    let script = package.join("axe.min.js");
    let installed = std::fs::read_to_string(package.join("package.json"))
        .is_ok_and(|manifest| manifest.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    if installed && script.exists() {
        return Ok(script);
    }
    step(&format!(
        "installing axe-core {AXE_VERSION} from npm into {}",
        prefix.display()
    ));
    std::fs::create_dir_all(&prefix)?;
    if version_of("npm").is_none() {
        apt_install(&["npm"])?;
    }
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(&prefix)
        .arg(format!("axe-core@{AXE_VERSION}")))?;
    Ok(script)
}
