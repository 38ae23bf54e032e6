//! The dashboard as a stranger's service gets it: the crates packaged by `cargo package` (the
//! `.crate` files crates.io would serve), unpacked and patched in for crates.io, under a service
//! outside this workspace whose `main.rs` is the README's "Using it" code, built `--offline`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, run, step, target_dir, workspace_root};

/// The packaged crates, dependencies first.
const PACKAGES: [&str; 4] = [
    "dashboard-shared",
    "dashboard-migration",
    "axum-monitoring-dashboard-ui",
    "axum-monitoring-dashboard",
];

/// The address the README's code listens on; the built service listens on `address` instead.
const README_ADDRESS: &str = "127.0.0.1:3000";

/// Packages the crates, checks that the frontend travels in them, and builds the outside
/// service on `address`; returns its binary.
pub(crate) fn build(address: SocketAddr) -> Result<PathBuf> {
    step("cargo package (the crates a service depends on)");
    let mut package = cargo();
    // Not `cargo package`'s own verification: it builds the packaged crates as registry
    // crates of an unchanged version in the shared target folder, where cargo takes a build of
    // an earlier package of the same version as fresh (registry crates are immutable to it),
    // so a changed `dashboard-shared` failed to verify against its stale build. The outside
    // service below builds the unpacked crates as path dependencies, which verifies them.
    package.args(["package", "--allow-dirty", "--no-verify"]);
    for name in PACKAGES {
        package.args(["-p", name]);
    }
    run(&mut package)?;
    let packaged = target_dir().join("package");
    let service = target_dir().join("outside-service");
    let crates = service.join("crates");
    if crates.exists() {
        std::fs::remove_dir_all(&crates)?;
    }
    std::fs::create_dir_all(service.join("src"))?;
    std::fs::create_dir_all(&crates)?;
    let mut patches = String::new();
    for name in PACKAGES {
        // `-m`: the files get the time of unpacking, not the archive's fixed 2006 date, so that
        // cargo rebuilds the unpacked crates whenever they are unpacked again.
        run(Command::new("tar")
            .arg("-xzmf")
            .arg(packaged.join(format!("{name}-0.1.0.crate")))
            .arg("-C")
            .arg(&crates))?;
        patches.push_str(&format!("{name} = {{ path = \"crates/{name}-0.1.0\" }}\n"));
    }
    let ui = crates.join("axum-monitoring-dashboard-ui-0.1.0");
    if !ui.join("dist").join("index.html").exists() {
        bail!(
            "the packaged axum-monitoring-dashboard-ui holds no frontend ({} has no dist/index.html): \
             run `cargo xtask dist` before packaging",
            ui.display()
        );
    }
    std::fs::write(
        service.join("Cargo.toml"),
        format!(
            "[package]\nname = \"outside-service\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\naxum-monitoring-dashboard = \"0.1.0\"\naxum = \"0.8\"\n\
             tokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\"] }}\n\n\
             # As crates.io would serve them: the packaged .crate files, unpacked.\n\
             [patch.crates-io]\n{patches}\n[workspace]\n"
        ),
    )?;
    let readme = std::fs::read_to_string(workspace_root().join("README.md"))?;
    let code = using_it(&readme)?.replace(README_ADDRESS, &address.to_string());
    std::fs::write(service.join("src").join("main.rs"), code)?;
    // Start from this workspace's lock, so the same (downloaded) versions are chosen offline.
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        service.join("Cargo.lock"),
    )?;
    step("building the outside service from the packaged crates (--offline)");
    // This workspace's target folder: the dependencies built for the tests are reused.
    run(cargo()
        .args(["build", "--offline", "--manifest-path"])
        .arg(service.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir()))?;
    Ok(target_dir().join("debug").join("outside-service"))
}

/// The README's first Rust block after "## Using it".
fn using_it(readme: &str) -> Result<String> {
    let section = readme
        .split_once("## Using it")
        .context("the README has no \"## Using it\" section")?
        .1;
    let block = section
        .split_once("```rust")
        .context("no Rust block under \"## Using it\"")?
        .1;
    let (fence_rest, code) = block.split_once('\n').context("an empty Rust block")?;
    if !fence_rest
        .trim()
        .trim_start_matches(',')
        .split(',')
        .all(|attr| attr.is_empty() || attr == "no_run")
    {
        bail!(
            "the README's quickstart block has attributes the service cannot build: {fence_rest}"
        );
    }
    let (code, _) = code
        .split_once("```")
        .context("the README's Rust block is not closed")?;
    if !code.contains(README_ADDRESS) {
        bail!("the README's quickstart no longer listens on {README_ADDRESS}");
    }
    Ok(code.to_owned())
}
