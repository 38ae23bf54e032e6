//! A throw-away PostgreSQL server on 127.0.0.1 for the tests, stopped when dropped. Uses
//! `DASHBOARD_TEST_POSTGRES_URL` instead when it is set.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{step, tools};

/// A running test server, or an external one.
pub(crate) struct TestServer {
    url: String,
    /// A server this process started.
    started: Option<Started>,
}

/// Where a started server lives and how to run its tools.
struct Started {
    data: PathBuf,
    bin: PathBuf,
    as_root: bool,
}

impl Started {
    /// A PostgreSQL tool, run as the `postgres` account when we are root (PostgreSQL refuses
    /// to run as root).
    fn command(&self, tool: &str) -> Command {
        let mut command = if self.as_root {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join(tool));
            command
        } else {
            Command::new(self.bin.join(tool))
        };
        command.current_dir(std::env::temp_dir());
        command
    }
}

impl TestServer {
    /// Starts a server unless `DASHBOARD_TEST_POSTGRES_URL` names one.
    pub(crate) fn start() -> Result<TestServer> {
        if let Ok(url) = std::env::var("DASHBOARD_TEST_POSTGRES_URL") {
            return Ok(TestServer { url, started: None });
        }
        let bin = match find_bin_dir() {
            Some(bin) => bin,
            None => {
                tools::apt_install(&["postgresql"])?;
                find_bin_dir()
                    .context("postgresql installed, but no /usr/lib/postgresql/*/bin/pg_ctl")?
            }
        };
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data = std::env::temp_dir().join(format!("axum-dashboard-test-pg-{port}"));
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        std::fs::create_dir_all(&data)?;
        let started = Started {
            data,
            bin,
            as_root: is_root(),
        };
        if started.as_root {
            crate::run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&started.data),
            )?;
        }
        step(&format!(
            "starting PostgreSQL on 127.0.0.1:{port} in {}",
            started.data.display()
        ));
        quiet(
            started
                .command("initdb")
                .args(["-A", "trust", "-U", "postgres", "-N", "-D"])
                .arg(&started.data),
        )?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            started.data.display()
        );
        let log = started.data.join("server.log");
        quiet(
            started
                .command("pg_ctl")
                .arg("-D")
                .arg(&started.data)
                .arg("-l")
                .arg(log)
                .args(["-w", "-o", &options, "start"]),
        )?;
        Ok(TestServer {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            started: Some(started),
        })
    }

    /// The server's URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(started) = self.started.take() {
            step("stopping PostgreSQL");
            let _ = started
                .command("pg_ctl")
                .arg("-D")
                .arg(&started.data)
                .args(["-m", "fast", "-w", "stop"])
                .output();
            let _ = std::fs::remove_dir_all(&started.data);
        }
    }
}

/// Whether this process runs as root.
pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Runs a command, showing its output only when it fails.
pub(crate) fn quiet(command: &mut Command) -> Result<()> {
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

/// The newest `/usr/lib/postgresql/<version>/bin` with a `pg_ctl`.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            Some((
                entry.file_name().to_str()?.parse().ok()?,
                entry.path().join("bin"),
            ))
        })
        .filter(|(_, bin)| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
