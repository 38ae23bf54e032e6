//! Helpers shared by the benchmarks: a dashboard on a fresh SQLite file, a login, quantiles.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum_monitoring_dashboard::{Dashboard, Key};
use tower::ServiceExt;

/// The admin password of every benchmark's dashboard.
pub(crate) const PASSWORD: &str = "bench-password";

/// A dashboard on a fresh SQLite file in `dir`, with `settings` and a queue of `queue`.
pub(crate) async fn dashboard(dir: &Path, settings: &[(Key, &str)], queue: usize) -> Dashboard {
    let mut builder = Dashboard::builder()
        .database(sqlite_url(dir))
        .password(PASSWORD)
        .queue_capacity(queue);
    for (key, value) in settings {
        builder = builder.set(*key, *value);
    }
    builder.start().await.unwrap()
}

/// A dashboard on a fresh SQLite file in the folder `name` under `dir`.
pub(crate) async fn dashboard_named(
    dir: &Path,
    name: &str,
    settings: &[(Key, &str)],
    queue: usize,
) -> Dashboard {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dashboard(&dir, settings, queue).await
}

/// The URL of the dashboard's SQLite file in `dir`.
pub(crate) fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:///{}", dir.join("dashboard.db").display())
}

/// Logs in as the admin and returns the session cookie (`name=value`).
pub(crate) async fn login(app: &Router) -> String {
    let request = Request::post("/dashboard/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            r#"{{"username":"admin","password":"{PASSWORD}"}}"#
        )))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success());
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// The median of some samples.
pub(crate) fn median(samples: &[f64]) -> f64 {
    quantile(samples, 0.5)
}

/// The nearest-rank `q`-quantile of some samples.
pub(crate) fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The figures of one benchmark, written as JSON to `target/bench/{name}.json` when it ends;
/// `cargo xtask bench` gathers them into `docs/performance.json`, so runs can be compared.
#[derive(Debug)]
pub(crate) struct Summary {
    name: &'static str,
    figures: serde_json::Map<String, serde_json::Value>,
}

impl Summary {
    /// An empty summary of the benchmark `name`.
    pub(crate) fn new(name: &'static str) -> Self {
        Summary {
            name,
            figures: serde_json::Map::new(),
        }
    }

    /// Records a figure (or a group of them) under `key`.
    pub(crate) fn record(&mut self, key: &str, value: serde_json::Value) {
        self.figures.insert(key.to_owned(), value);
    }

    /// Writes `target/bench/{name}.json`, merged into what an earlier run of other sections
    /// of the same benchmark wrote.
    pub(crate) fn write(&mut self) {
        let dir = target_dir().join("bench");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.json", self.name));
        let mut figures: serde_json::Map<String, serde_json::Value> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        figures.extend(std::mem::take(&mut self.figures));
        std::fs::write(&path, serde_json::to_vec_pretty(&figures).unwrap()).unwrap();
        eprintln!("figures written to {}", path.display());
    }
}

/// The workspace's target folder (`CARGO_TARGET_DIR` if set).
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}
