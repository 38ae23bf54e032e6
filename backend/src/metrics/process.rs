//! The standard `process_*` metrics of the Prometheus clients, read from `/proc` at scrape time.

use super::exposition::{Exposition, Kind};

/// Writes CPU time, memory, file descriptors, start time and threads of this process. On
/// systems without `/proc` nothing is written.
pub(crate) fn write(out: &mut Exposition) {
    #[cfg(target_os = "linux")]
    if let Some(facts) = linux::read() {
        out.family(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            Kind::Counter,
        );
        out.sample("process_cpu_seconds_total", &[], facts.cpu_seconds);
        out.family(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Kind::Gauge,
        );
        out.sample(
            "process_resident_memory_bytes",
            &[],
            facts.resident_bytes as f64,
        );
        out.family(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Kind::Gauge,
        );
        out.sample(
            "process_virtual_memory_bytes",
            &[],
            facts.virtual_bytes as f64,
        );
        out.family(
            "process_open_fds",
            "Number of open file descriptors.",
            Kind::Gauge,
        );
        out.sample("process_open_fds", &[], facts.open_fds as f64);
        if let Some(max_fds) = facts.max_fds {
            out.family(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                Kind::Gauge,
            );
            out.sample("process_max_fds", &[], max_fds as f64);
        }
        out.family(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            Kind::Gauge,
        );
        out.sample("process_start_time_seconds", &[], facts.start_time_seconds);
        out.family(
            "process_threads",
            "Number of OS threads in the process.",
            Kind::Gauge,
        );
        out.sample("process_threads", &[], facts.threads as f64);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = out;
}

#[cfg(target_os = "linux")]
mod linux {
    use procfs::process::{LimitValue, Process};

    pub(super) struct Facts {
        pub(super) cpu_seconds: f64,
        pub(super) resident_bytes: u64,
        pub(super) virtual_bytes: u64,
        pub(super) open_fds: usize,
        pub(super) max_fds: Option<u64>,
        pub(super) start_time_seconds: f64,
        pub(super) threads: i64,
    }

    pub(super) fn read() -> Option<Facts> {
        let process = Process::myself().ok()?;
        let stat = process.stat().ok()?;
        let ticks = procfs::ticks_per_second() as f64;
        let boot_time = procfs::boot_time_secs().ok()? as f64;
        let max_fds =
            process
                .limits()
                .ok()
                .and_then(|limits| match limits.max_open_files.soft_limit {
                    LimitValue::Value(max) => Some(max),
                    LimitValue::Unlimited => None,
                });
        Some(Facts {
            cpu_seconds: (stat.utime + stat.stime) as f64 / ticks,
            resident_bytes: stat.rss * procfs::page_size(),
            virtual_bytes: stat.vsize,
            open_fds: process.fd_count().ok()?,
            max_fds,
            start_time_seconds: boot_time + stat.starttime as f64 / ticks,
            threads: stat.num_threads,
        })
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::super::exposition::Format;
    use super::*;

    #[test]
    fn reports_this_process() {
        let mut out = Exposition::new(Format::Text);
        write(&mut out);
        let text = out.finish();
        let value = |name: &str| -> f64 {
            let line = text
                .lines()
                .find(|line| line.starts_with(&format!("{name} ")))
                .unwrap();
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        assert!(value("process_resident_memory_bytes") > 1_000_000.0);
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_threads") >= 1.0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = value("process_start_time_seconds");
        assert!(
            started <= now + 1.0 && started > now - 3600.0,
            "{started} vs {now}"
        );
    }
}
