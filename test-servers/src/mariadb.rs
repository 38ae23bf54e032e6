//! A throw-away MariaDB server on 127.0.0.1, stopped when dropped. Uses
//! `DASHBOARD_TEST_MYSQL_URL` instead when it is set.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{apt_install, is_root, quiet, step};

/// The server's programs, from Debian's `mariadb-server`.
const SERVER: &str = "/usr/sbin/mariadbd";
const INSTALL_DB: &str = "/usr/bin/mariadb-install-db";

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running test server, or an external one.
#[derive(Debug)]
pub struct TestServer {
    url: String,
    /// A server this process started, and its data folder.
    started: Option<(Child, PathBuf)>,
}

impl TestServer {
    /// Starts a server unless `DASHBOARD_TEST_MYSQL_URL` names one. It runs without grant
    /// tables (any local client is root, without a password), so the tests need no account.
    pub fn start() -> Result<TestServer> {
        if let Ok(url) = std::env::var("DASHBOARD_TEST_MYSQL_URL") {
            return Ok(TestServer { url, started: None });
        }
        if !Path::new(SERVER).exists() || !Path::new(INSTALL_DB).exists() {
            apt_install(&["mariadb-server"])?;
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data = std::env::temp_dir().join(format!("axum-dashboard-test-mariadb-{port}"));
        if data.exists() {
            std::fs::remove_dir_all(&data)?;
        }
        std::fs::create_dir_all(&data)?;
        step(&format!(
            "starting MariaDB on 127.0.0.1:{port} in {}",
            data.display()
        ));
        let user = is_root().then_some("--user=root");
        quiet(
            Command::new(INSTALL_DB)
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data.join("data").display()))
                .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
                .args(user),
        )?;
        let log = std::fs::File::create(data.join("server.log"))?;
        let child = Command::new(SERVER)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.join("data").display()))
            .arg(format!("--socket={}", data.join("socket").display()))
            .arg(format!("--pid-file={}", data.join("pid").display()))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=2",
                "--max-connections=1000",
            ])
            .args(user)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot run {SERVER}"))?;
        let server = TestServer {
            url: format!("mysql://root@127.0.0.1:{port}/mysql"),
            started: Some((child, data)),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                let log = server
                    .started
                    .as_ref()
                    .map(|(_, data)| std::fs::read_to_string(data.join("server.log")))
                    .transpose()?
                    .unwrap_or_default();
                bail!("MariaDB did not accept connections within {START_TIMEOUT:?}:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some((mut child, data)) = self.started.take() {
            step("stopping MariaDB");
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&data);
        }
    }
}
