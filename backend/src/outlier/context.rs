//! Rendering what was kept of a request into the stored, redacted [`RequestContext`], and the
//! snapshot's figures and spans into their stored forms.

use std::sync::Arc;

use dashboard_shared::{CodeFrame, CpuFigures, MemoryFigures, RequestContext};

use super::redact::Redactor;
use super::system::SystemState;
use super::watchdog::Watch;
use crate::config::Config;
use crate::profiler::Frame;

/// Renders request contexts for storage; made once for the writer.
pub(crate) struct ContextRenderer {
    redactor: Redactor,
    /// The host's name: which replica served the request.
    server: String,
    app_version: Arc<str>,
}

impl ContextRenderer {
    pub(crate) fn new(config: &Config, app_version: Arc<str>) -> Self {
        ContextRenderer {
            redactor: Redactor::new(&config.redact),
            server: sysinfo::System::host_name().unwrap_or_else(|_| "unknown".to_owned()),
            app_version,
        }
    }

    /// The context of a request on the endpoint `method` `route`: in full from a watched request
    /// (level 2 and up), else only what the endpoint says.
    pub(crate) fn request(
        &self,
        watch: Option<&Watch>,
        method: &str,
        route: &str,
        threads: Option<usize>,
    ) -> RequestContext {
        let mut environment = vec![
            pair("server", &self.server),
            pair("process id", &std::process::id().to_string()),
            pair("dashboard version", env!("CARGO_PKG_VERSION")),
            pair("app version", &self.app_version),
        ];
        if let Some(threads) = threads {
            environment.push(pair("threads", &threads.to_string()));
        }
        let Some(watch) = watch else {
            return RequestContext {
                method: method.to_owned(),
                route: route.to_owned(),
                url: route.to_owned(),
                query: Vec::new(),
                body: None,
                headers: Vec::new(),
                environment,
            };
        };
        let request = &watch.request;
        environment.insert(0, pair("http version", &format!("{:?}", request.version)));
        if let Some(peer) = request.peer {
            environment.insert(1, pair("peer", &peer.to_string()));
        }
        let body = request.body.as_ref().map(|(kind, copy)| {
            let (bytes, complete) = copy.read();
            self.redactor.body(*kind, &bytes, complete)
        });
        RequestContext {
            method: request.method.to_string(),
            route: route.to_owned(),
            url: self.redactor.url(&request.uri, route),
            query: self
                .redactor
                .pairs(request.uri.query().unwrap_or_default().as_bytes())
                .into_iter()
                .map(|(name, value)| [name, value])
                .collect(),
            body,
            headers: self
                .redactor
                .headers(&request.headers)
                .into_iter()
                .map(|(name, value)| [name, value])
                .collect(),
            environment,
        }
    }
}

fn pair(name: &str, value: &str) -> [String; 2] {
    [name.to_owned(), value.to_owned()]
}

/// The most spans stored per stack (the innermost are kept).
const MAX_FRAMES: usize = 64;

/// Spans as stored frames, outermost first; deeper stacks keep their innermost spans.
pub(crate) fn frames(stack: &[Frame]) -> Vec<CodeFrame> {
    stack[stack.len().saturating_sub(MAX_FRAMES)..]
        .iter()
        .map(|metadata| CodeFrame {
            function: metadata.name().to_owned(),
            module: metadata.module_path().map(str::to_owned),
            file: metadata.file().map(str::to_owned),
            line: metadata.line(),
        })
        .collect()
}

/// CPU figures as stored; `None` before the first refresh measured them.
pub(crate) fn cpu(state: &SystemState) -> Option<CpuFigures> {
    (!state.cpu_per_core.is_empty()).then(|| CpuFigures {
        per_core: state.cpu_per_core.clone(),
        process: state.process_cpu,
    })
}

/// Memory figures as stored; `None` before the first refresh measured them.
pub(crate) fn memory(state: &SystemState) -> Option<MemoryFigures> {
    (state.memory_total > 0).then_some(MemoryFigures {
        used: state.memory_used,
        total: state.memory_total,
        process: state.process_memory,
    })
}
