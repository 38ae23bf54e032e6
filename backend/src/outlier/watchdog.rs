//! One watchdog for every watched request: a timer queue of deadlines, served by a single task
//! that sleeps until the earliest one. A request registers its deadline without waiting (a short
//! lock and, only when its deadline is the earliest, a wake-up); at the deadline the watchdog
//! takes a snapshot of the request if it is still running.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::request::RequestCopy;
use super::system::{SystemMonitor, SystemState};
use crate::calls::{CallLog, CallSoFar};
use crate::profiler::{Frame, RequestSpans};

/// A request at level 2 or more, from its start until the writer has stored it.
pub(crate) struct Watch {
    pub(crate) request: RequestCopy,
    pub(crate) spans: Arc<RequestSpans>,
    /// The request's statements and calls, read when it becomes an outlier.
    calls: Arc<CallLog>,
    started: Instant,
    state: Mutex<WatchState>,
}

enum WatchState {
    Running,
    Outlier(Box<Snapshot>),
    Finished,
}

/// What the watchdog saw when a request passed its deadline.
pub(crate) struct Snapshot {
    /// When it was taken (UTC).
    pub(crate) time: DateTime<Utc>,
    /// How long the request had been running.
    pub(crate) running_for: Duration,
    /// The spans the request was in.
    pub(crate) stack: Vec<Frame>,
    /// The machine's and the process's latest figures.
    pub(crate) system: Arc<SystemState>,
    /// The statements and calls the request had made.
    pub(crate) calls: Vec<CallSoFar>,
}

impl Watch {
    /// A request that entered the layer at `started`.
    pub(crate) fn new(
        request: RequestCopy,
        spans: Arc<RequestSpans>,
        calls: Arc<CallLog>,
        started: Instant,
    ) -> Self {
        Watch {
            request,
            spans,
            calls,
            started,
            state: Mutex::new(WatchState::Running),
        }
    }

    /// Takes the snapshot, unless the request has finished.
    fn capture(&self, system: &SystemMonitor) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if matches!(*state, WatchState::Running) {
            *state = WatchState::Outlier(Box::new(Snapshot {
                time: Utc::now(),
                running_for: self.started.elapsed(),
                stack: self.spans.current(),
                system: system.latest(),
                calls: self.calls.so_far(),
            }));
        }
    }

    /// Marks the request finished (its spans change no more): the snapshot, when it had become
    /// an outlier.
    pub(crate) fn finish(&self) -> Option<Box<Snapshot>> {
        self.spans.stop();
        let mut state = self.state.lock().ok()?;
        match std::mem::replace(&mut *state, WatchState::Finished) {
            WatchState::Outlier(snapshot) => Some(snapshot),
            WatchState::Running | WatchState::Finished => None,
        }
    }
}

/// A deadline in the queue.
struct Due {
    deadline: Instant,
    watch: Weak<Watch>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    /// The earliest deadline is the greatest, at the top of the (max-)heap.
    fn cmp(&self, other: &Self) -> Ordering {
        other.deadline.cmp(&self.deadline)
    }
}

/// Deadlines registered since the watchdog last looked, and when it will look next.
#[derive(Default)]
struct Incoming {
    deadlines: Vec<Due>,
    /// The deadline the watchdog sleeps until; `None` when it sleeps until woken.
    sleeping_until: Option<Instant>,
}

/// The timer queue shared by the layer (registering) and the watchdog task (firing).
#[derive(Default)]
pub(crate) struct Watchdog {
    incoming: Mutex<Incoming>,
    wake: Notify,
}

impl Watchdog {
    /// Watches a request until `deadline`. Never waits; the watchdog is woken only when this
    /// deadline comes before the one it sleeps until.
    pub(crate) fn watch(&self, watch: &Arc<Watch>, deadline: Instant) {
        let wake = match self.incoming.lock() {
            Ok(mut incoming) => {
                incoming.deadlines.push(Due {
                    deadline,
                    watch: Arc::downgrade(watch),
                });
                incoming
                    .sleeping_until
                    .is_none_or(|sleeping_until| deadline < sleeping_until)
            }
            Err(_) => false,
        };
        if wake {
            self.wake.notify_one();
        }
    }

    /// Fires deadlines until shutdown: a request still running at its deadline gets its
    /// snapshot; finished ones are let go.
    pub(crate) async fn run(
        self: Arc<Self>,
        system: Arc<SystemMonitor>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut queue = BinaryHeap::new();
        loop {
            let Some(next) = self.take_incoming(&mut queue) else {
                return;
            };
            if next.is_some_and(|deadline| deadline <= Instant::now()) {
                fire(&mut queue, &system);
                continue;
            }
            let sleep = async {
                match next {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = sleep => fire(&mut queue, &system),
                _ = self.wake.notified() => {}
                _ = shutdown.wait_for(|stopped| *stopped) => return,
            }
        }
    }

    /// Moves new deadlines into the queue and notes the next one as the time the watchdog
    /// sleeps until; `None` if the lock is poisoned.
    fn take_incoming(&self, queue: &mut BinaryHeap<Due>) -> Option<Option<Instant>> {
        let mut incoming = self.incoming.lock().ok()?;
        queue.extend(incoming.deadlines.drain(..));
        let next = queue.peek().map(|due| due.deadline);
        incoming.sleeping_until = next;
        Some(next)
    }
}

/// Snapshots every request whose deadline has passed and that is still running.
fn fire(queue: &mut BinaryHeap<Due>, system: &SystemMonitor) {
    let now = Instant::now();
    while queue.peek().is_some_and(|due| due.deadline <= now) {
        if let Some(watch) = queue.pop().and_then(|due| due.watch.upgrade()) {
            watch.capture(system);
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::Request;

    use super::*;

    fn watched() -> Arc<Watch> {
        let mut request = Request::new(axum::body::Body::empty());
        Arc::new(Watch::new(
            RequestCopy::take(&mut request),
            Arc::default(),
            Arc::new(CallLog::new(false, Duration::MAX, Duration::MAX)),
            Instant::now(),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn only_requests_still_running_at_their_deadline_are_captured() {
        let watchdog = Arc::new(Watchdog::default());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(Arc::clone(&watchdog).run(Arc::default(), stopped));
        let slow = watched();
        let fast = watched();
        let later = watched();
        let start = Instant::now();
        watchdog.watch(&slow, start + Duration::from_millis(50));
        watchdog.watch(&fast, start + Duration::from_millis(30));
        watchdog.watch(&later, start + Duration::from_millis(500));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(fast.finish().is_none(), "finished before its deadline");
        tokio::time::sleep(Duration::from_millis(40)).await;
        let snapshot = slow.finish().map(|snapshot| snapshot.running_for);
        assert!(
            snapshot.is_some_and(|after| after >= Duration::from_millis(50)),
            "captured at its deadline: {snapshot:?}"
        );
        assert!(later.finish().is_none(), "its deadline has not come");
        let _ = stop.send(true);
        let _ = task.await;
    }
}
