//! CPU and memory of the machine and of this process, refreshed in the background so that a
//! snapshot only reads the latest figures (never a blocking refresh at the deadline). The
//! refreshes start with the first watched request: a process that never uses level 2 reads no
//! figures at all.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use tokio::sync::{Notify, watch};

/// How often the figures are refreshed; CPU utilisation is the average over this interval.
pub(crate) const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// The figures of one refresh.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct SystemState {
    /// Utilisation of each core, in percent.
    pub(crate) cpu_per_core: Vec<f32>,
    /// This process's CPU use, in percent of one core.
    pub(crate) process_cpu: f32,
    /// Memory in use on the machine, in bytes.
    pub(crate) memory_used: u64,
    /// The machine's memory, in bytes.
    pub(crate) memory_total: u64,
    /// This process's resident size, in bytes.
    pub(crate) process_memory: u64,
    /// This process's threads, where the system tells.
    pub(crate) threads: Option<usize>,
}

/// The latest figures, shared with the watchdog.
#[derive(Default)]
pub(crate) struct SystemMonitor {
    latest: ArcSwap<SystemState>,
    /// Whether a request wanted the figures yet.
    wanted: AtomicBool,
    start: Notify,
}

impl SystemMonitor {
    /// Starts the refreshes, the first time it is called.
    pub(crate) fn want(&self) {
        if !self.wanted.load(Ordering::Relaxed) && !self.wanted.swap(true, Ordering::Relaxed) {
            self.start.notify_one();
        }
    }

    /// The figures of the latest refresh.
    pub(crate) fn latest(&self) -> Arc<SystemState> {
        self.latest.load_full()
    }

    /// Once wanted, refreshes the figures every [`REFRESH_INTERVAL`] until shutdown, on a
    /// blocking thread.
    pub(crate) async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        tokio::select! {
            _ = self.start.notified() => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
        let (Ok(mut system), Ok(pid)) = (System::new(), sysinfo::get_current_pid()) else {
            tracing::warn!(
                "cannot read CPU and memory figures here; outliers are stored without them"
            );
            return;
        };
        // CPU use is measured between two refreshes: the second comes soon after the first, so
        // that real figures are there from the start.
        let mut first = true;
        loop {
            let refreshed = tokio::task::spawn_blocking(move || {
                let state = refresh(&mut system, pid);
                (system, state)
            })
            .await;
            let Ok((returned, state)) = refreshed else {
                return;
            };
            system = returned;
            // The first refresh has no CPU use yet.
            if !first {
                self.latest.store(Arc::new(state));
            }
            let pause = if first {
                sysinfo::MINIMUM_CPU_UPDATE_INTERVAL
            } else {
                REFRESH_INTERVAL
            };
            first = false;
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.wait_for(|stopped| *stopped) => return,
            }
        }
    }
}

fn refresh(system: &mut System, pid: Pid) -> SystemState {
    system.refresh_cpu_usage();
    system.refresh_memory();
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing()
            .with_cpu()
            .with_memory()
            .with_tasks(),
    );
    let process = system.process(pid);
    SystemState {
        cpu_per_core: system.cpus().iter().map(|cpu| cpu.usage()).collect(),
        process_cpu: process.map_or(0.0, |process| process.cpu_usage()),
        memory_used: system.used_memory(),
        memory_total: system.total_memory(),
        process_memory: process.map_or(0, |process| process.memory()),
        threads: process.and_then(|process| process.tasks().map(|tasks| tasks.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn nothing_is_read_until_a_request_wants_the_figures() {
        let monitor = Arc::new(SystemMonitor::default());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(Arc::clone(&monitor).run(stopped));
        tokio::time::sleep(REFRESH_INTERVAL * 5).await;
        assert!(monitor.latest().cpu_per_core.is_empty(), "no refresh yet");
        assert!(!monitor.wanted.load(Ordering::Relaxed));
        monitor.want();
        monitor.want();
        assert!(monitor.wanted.load(Ordering::Relaxed));
        let _ = stop.send(true);
        let _ = task.await;
    }

    #[test]
    fn a_refresh_reads_this_process_and_every_core() {
        let mut system = System::new().expect("sysinfo works on Linux");
        let pid = sysinfo::get_current_pid().expect("own pid");
        refresh(&mut system, pid);
        let state = refresh(&mut system, pid);
        assert!(!state.cpu_per_core.is_empty());
        assert!(
            state.process_memory > 1 << 20,
            "a test process is bigger than 1 MiB"
        );
        assert!(state.memory_total >= state.memory_used && state.memory_used > 0);
        assert!(state.threads.is_some_and(|threads| threads >= 1));
    }
}
