//! The sampler: one thread that wakes every `SAMPLING_PERIOD` and notes, for each profiled
//! request in flight, the node of its tree it is in. It parks while no request is profiled and
//! ends once the dashboard is dropped.

use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::thread::Thread;
use std::time::Duration;

use super::RequestSpans;

/// How long the idle sampler sleeps before it checks whether the dashboard still exists.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// The profiled requests in flight and the thread that samples them.
pub(crate) struct Sampler {
    period: Duration,
    requests: Mutex<Vec<Weak<RequestSpans>>>,
    /// Started with the first profiled request; `None` if the thread could not be started.
    thread: OnceLock<Option<Thread>>,
}

impl Sampler {
    pub(crate) fn new(period: Duration) -> Self {
        Sampler {
            period,
            requests: Mutex::default(),
            thread: OnceLock::new(),
        }
    }

    /// Samples `request` from now until it finishes (see [`super::Tree::finish`]).
    pub(crate) fn add(self: &Arc<Self>, request: &Arc<RequestSpans>) {
        let was_idle = {
            let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
            requests.push(Arc::downgrade(request));
            requests.len() == 1
        };
        let thread = self.thread.get_or_init(|| self.start());
        if was_idle && let Some(thread) = thread {
            thread.unpark();
        }
    }

    fn start(self: &Arc<Self>) -> Option<Thread> {
        let sampler = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("dashboard-sampler".to_owned())
            .spawn(move || run(&sampler))
            .map(|handle| handle.thread().clone())
            .inspect_err(|error| {
                tracing::error!(%error, "cannot start the profiler's sampler; profiles keep exact span times only");
            })
            .ok()
    }

    /// Samples every request in flight and forgets the finished ones; `true` when none is left.
    fn sample_all(&self) -> bool {
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        requests.retain(|request| request.upgrade().is_some_and(|request| request.sample()));
        requests.is_empty()
    }
}

fn run(sampler: &Weak<Sampler>) {
    loop {
        let Some(sampler) = sampler.upgrade() else {
            return;
        };
        let idle = sampler.sample_all();
        let period = sampler.period;
        drop(sampler);
        if idle {
            std::thread::park_timeout(IDLE_CHECK);
        } else {
            std::thread::sleep(period);
        }
    }
}
