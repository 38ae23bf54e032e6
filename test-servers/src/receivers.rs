//! Receivers of alerts on 127.0.0.1, stopped when dropped: a webhook receiver that keeps every
//! JSON body posted to it, and an SMTP server (aiosmtpd from PyPI, whose Python
//! `DASHBOARD_TEST_SMTP_PYTHON` names; `cargo xtask test` installs it) that keeps every email in
//! a maildir.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

/// What the webhook receiver got.
#[derive(Debug, Default)]
struct Inbox {
    bodies: Mutex<Vec<Value>>,
    arrived: Notify,
}

/// An HTTP server that answers every POST with 200 and keeps its JSON body.
#[derive(Debug)]
pub struct WebhookReceiver {
    address: SocketAddr,
    inbox: Arc<Inbox>,
    stop: Option<oneshot::Sender<()>>,
}

impl WebhookReceiver {
    /// Starts one on a free port of 127.0.0.1.
    pub async fn start() -> Result<WebhookReceiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let inbox = Arc::new(Inbox::default());
        let app = axum::Router::new()
            .fallback(axum::routing::post(keep))
            .with_state(Arc::clone(&inbox));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(WebhookReceiver {
            address,
            inbox,
            stop: Some(stop),
        })
    }

    /// Its URL with `path` (starting with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Every body received so far, in order.
    pub fn received(&self) -> Vec<Value> {
        self.inbox
            .bodies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The bodies, once there are at least `count`; an error after `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Result<Vec<Value>> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.inbox.arrived.notified();
            let bodies = self.received();
            if bodies.len() >= count {
                return Ok(bodies);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                bail!(
                    "the webhook receiver got {} bodies in {within:?}, not {count}: {bodies:?}",
                    bodies.len()
                );
            }
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn keep(State(inbox): State<Arc<Inbox>>, Json(body): Json<Value>) -> StatusCode {
    inbox
        .bodies
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(body);
    inbox.arrived.notify_waiters();
    StatusCode::OK
}

/// An aiosmtpd server that keeps every email in a maildir.
#[derive(Debug)]
pub struct SmtpServer {
    child: Child,
    folder: PathBuf,
    port: u16,
}

impl SmtpServer {
    /// Starts one on a free port of 127.0.0.1 with the Python that `DASHBOARD_TEST_SMTP_PYTHON`
    /// names, once it accepts connections.
    pub fn start() -> Result<SmtpServer> {
        let python = std::env::var_os("DASHBOARD_TEST_SMTP_PYTHON")
            .context("DASHBOARD_TEST_SMTP_PYTHON is not set: run `cargo xtask test`")?;
        SmtpServer::start_with(Path::new(&python))
    }

    fn start_with(python: &Path) -> Result<SmtpServer> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let folder = std::env::temp_dir().join(format!(
            "axum-dashboard-test-smtp-{}-{port}",
            std::process::id()
        ));
        let mail = folder.join("mail");
        std::fs::create_dir_all(&folder)?;
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&mail)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting aiosmtpd with {}", python.display()))?;
        let mut server = SmtpServer {
            child,
            folder,
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        // aiosmtpd says nothing when it listens: its port answering is the sign.
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait()? {
                bail!("aiosmtpd ended with {status} before it listened");
            }
            if Instant::now() > deadline {
                bail!("aiosmtpd did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every email received so far, as its text.
    pub fn received(&self) -> Result<Vec<String>> {
        let mut mails = Vec::new();
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.folder.join("mail").join(folder)) else {
                continue;
            };
            for entry in entries {
                mails.push(std::fs::read_to_string(entry?.path())?);
            }
        }
        Ok(mails)
    }

    /// The emails, once there are at least `count` (the maildir is read every 100 ms); an error
    /// after `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Result<Vec<String>> {
        let deadline = Instant::now() + within;
        loop {
            let mails = self.received()?;
            if mails.len() >= count {
                return Ok(mails);
            }
            if Instant::now() > deadline {
                bail!(
                    "the SMTP server got {} emails in {within:?}, not {count}",
                    mails.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
