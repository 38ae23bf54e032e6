//! Throw-away database servers on 127.0.0.1, each in a temporary folder and stopped when
//! dropped: PostgreSQL (which the fault tests can also stop and start again) and MariaDB, from
//! Debian's packages, installed with apt-get when missing; and (feature `receivers`) what the
//! alert tests send to: a webhook receiver and an SMTP server.

pub mod mariadb;
pub mod postgres;
#[cfg(feature = "receivers")]
pub mod receivers;

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Prints a step of a long piece of work, as `cargo xtask` does.
pub fn step(message: &str) {
    eprintln!("\x1b[1;32m{:>12}\x1b[0m {message}", "xtask");
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Installs Debian packages (needs root).
pub fn apt_install(packages: &[&str]) -> Result<()> {
    step(&format!("installing {} with apt-get", packages.join(" ")));
    if !is_root() {
        bail!(
            "{} missing: install them with `sudo apt-get install {}`",
            packages.join(" and "),
            packages.join(" ")
        );
    }
    for arguments in [
        &["update"][..],
        &["install", "-y", "--no-install-recommends"][..],
    ] {
        let status = Command::new("apt-get")
            .args(arguments)
            .args(if arguments[0] == "install" {
                packages
            } else {
                &[]
            })
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("cannot run apt-get")?;
        if !status.success() {
            bail!("apt-get {} failed with {status}", arguments.join(" "));
        }
    }
    Ok(())
}

/// Runs a command, showing its output only when it fails.
fn quiet(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed with {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
