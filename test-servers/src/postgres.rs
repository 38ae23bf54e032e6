//! A throw-away PostgreSQL server on 127.0.0.1, stopped when dropped. [`TestServer::start`]
//! uses `DASHBOARD_TEST_POSTGRES_URL` instead when it is set; [`TestServer::start_own`] always
//! starts one, which [`TestServer::stop`] and [`TestServer::start_again`] can take down and
//! bring back (the fault tests).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{apt_install, is_root, quiet, step};

/// A running test server, or an external one.
#[derive(Debug)]
pub struct TestServer {
    url: String,
    /// A server this process started.
    started: Option<Started>,
}

/// Where a started server lives and how to run its tools.
#[derive(Debug)]
struct Started {
    data: PathBuf,
    bin: PathBuf,
    as_root: bool,
    /// `pg_ctl`'s `-o` options: the address, port and socket folder.
    options: String,
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
    pub fn start() -> Result<TestServer> {
        if let Ok(url) = std::env::var("DASHBOARD_TEST_POSTGRES_URL") {
            return Ok(TestServer { url, started: None });
        }
        TestServer::start_own()
    }

    /// Starts a server of its own, whatever the environment says.
    pub fn start_own() -> Result<TestServer> {
        let bin = match find_bin_dir() {
            Some(bin) => bin,
            None => {
                apt_install(&["postgresql"])?;
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
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c max_connections=300",
            data.display()
        );
        let started = Started {
            data,
            bin,
            as_root: is_root(),
            options,
        };
        if started.as_root {
            quiet(
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
        started.pg_ctl_start()?;
        Ok(TestServer {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            started: Some(started),
        })
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops a server of its own as an administrator would for maintenance (`pg_ctl stop -m
    /// fast`: open connections are ended).
    pub fn stop(&self) -> Result<()> {
        let started = self.own()?;
        quiet(
            started
                .command("pg_ctl")
                .arg("-D")
                .arg(&started.data)
                .args(["-m", "fast", "-w", "stop"]),
        )
    }

    /// Starts a server of its own again after [`TestServer::stop`], on the same port.
    pub fn start_again(&self) -> Result<()> {
        self.own()?.pg_ctl_start()
    }

    fn own(&self) -> Result<&Started> {
        self.started
            .as_ref()
            .context("the server was not started by this process")
    }
}

impl Started {
    /// `pg_ctl start`, waiting until the server accepts connections.
    fn pg_ctl_start(&self) -> Result<()> {
        quiet(
            self.command("pg_ctl")
                .arg("-D")
                .arg(&self.data)
                .arg("-l")
                .arg(self.data.join("server.log"))
                .args(["-w", "-o", &self.options, "start"]),
        )
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
