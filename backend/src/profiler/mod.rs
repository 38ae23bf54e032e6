//! Level 3: the profiler. The [`SpanLayer`] grows a tree per profiled request from the
//! `tracing` spans created under the request's root span (a node per code path, with its calls
//! and exact wall time), and one sampler thread notes every `SAMPLING_PERIOD` which node each
//! profiled request is in, so that a node's duration is its share of the samples × the request's
//! duration, as in Flask-MonitoringDashboard. Spans live across `.await`s, so a request suspended
//! in `load_user().await` counts for `load_user` wherever its task runs.

mod grouped;
mod sampler;
mod spans;
mod tree;

pub(crate) use grouped::{GROUPED_REQUESTS, group};
pub(crate) use spans::{Frame, ROOT_TARGET, RequestSpans, SpanLayer, current_stack, root_span};
pub(crate) use tree::Profile;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use sampler::Sampler;

/// What the layer needs to profile requests, shared by every clone of it.
pub(crate) struct Profiler {
    /// `None` when `SAMPLING_PERIOD` is 0: exact span times only.
    sampler: Option<Arc<Sampler>>,
    /// `SAMPLING_PERIOD`, stored with every profile.
    pub(crate) sampling_period_ms: u64,
}

impl Profiler {
    pub(crate) fn new(config: &Config) -> Self {
        Profiler {
            sampler: (config.sampling_period_ms > 0).then(|| {
                Arc::new(Sampler::new(Duration::from_millis(
                    config.sampling_period_ms,
                )))
            }),
            sampling_period_ms: config.sampling_period_ms,
        }
    }

    /// The spans of a request at level 3, sampled until it finishes.
    pub(crate) fn follow(&self) -> Arc<RequestSpans> {
        let spans = Arc::new(RequestSpans::profiled());
        if let Some(sampler) = &self.sampler {
            sampler.add(&spans);
        }
        spans
    }
}
