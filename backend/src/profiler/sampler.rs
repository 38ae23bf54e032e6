//! The sampler: one thread that wakes every `SAMPLING_PERIOD` and notes, for each profiled
//! request in flight, the node of its tree it is in. It parks once no request has been
//! profiled for [`LINGER`] and ends once the dashboard is dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::RequestSpans;

/// How long the idle sampler sleeps before it checks whether the dashboard still exists.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// How long the sampler keeps waking every period after the last profiled request finished
/// before it parks. Under steady traffic it so never parks, and requests never pay for waking
/// it (a system call and a context switch each, which at 2,000 requests per second cost more
/// than the sampling itself).
const LINGER: Duration = Duration::from_secs(1);

/// The profiled requests in flight and the thread that samples them.
pub(crate) struct Sampler {
    period: Duration,
    requests: Mutex<Vec<Weak<RequestSpans>>>,
    /// Whether the thread is parked (or about to park): only then does a request wake it.
    parked: AtomicBool,
    /// Started with the first profiled request; `None` if the thread could not be started.
    thread: OnceLock<Option<Thread>>,
}

impl Sampler {
    pub(crate) fn new(period: Duration) -> Self {
        Sampler {
            period,
            requests: Mutex::default(),
            parked: AtomicBool::new(false),
            thread: OnceLock::new(),
        }
    }

    /// Samples `request` from now until it finishes (see [`super::Tree::finish`]).
    pub(crate) fn add(self: &Arc<Self>, request: &Arc<RequestSpans>) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(request));
        let thread = self.thread.get_or_init(|| self.start());
        // Read after the push: a thread about to park looks at the requests again after it
        // says so (see `run`), so either it sees this request or this sees it parked.
        if self.parked.load(Ordering::SeqCst)
            && let Some(thread) = thread
        {
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

    fn is_idle(&self) -> bool {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

fn run(sampler: &Weak<Sampler>) {
    let mut busy_at = Instant::now();
    loop {
        let Some(strong) = sampler.upgrade() else {
            return;
        };
        if !strong.sample_all() {
            busy_at = Instant::now();
        }
        let period = strong.period;
        let park = busy_at.elapsed() >= LINGER && {
            strong.parked.store(true, Ordering::SeqCst);
            strong.is_idle()
        };
        drop(strong);
        if park {
            std::thread::park_timeout(IDLE_CHECK);
        } else {
            std::thread::sleep(period);
        }
        if let Some(strong) = sampler.upgrade() {
            strong.parked.store(false, Ordering::SeqCst);
        }
    }
}
