//! The grouped profile: the trees of an endpoint's latest profiled requests merged path by path
//! (the same code lines from the request down), with hits, mean, standard deviation and totals
//! per path, as Flask-MonitoringDashboard's grouped profiler shows them.

use std::collections::HashMap;

use dashboard_shared::{CodeFrame, GroupedLine, GroupedProfile};

use crate::store::profiles::StoredProfiles;

/// Profiled requests that the grouped profile merges: the latest this many.
pub(crate) const GROUPED_REQUESTS: u64 = 100;

/// One merged path while the trees are read.
struct Path {
    /// Its last code line; `None` for the request itself.
    code_id: Option<i32>,
    /// In the order they were first met (call order).
    children: Vec<usize>,
    /// One per request that contains the path.
    durations: Vec<f64>,
}

impl Path {
    fn new(code_id: Option<i32>) -> Path {
        Path {
            code_id,
            children: Vec::new(),
            durations: Vec::new(),
        }
    }

    fn total(&self) -> f64 {
        self.durations.iter().sum()
    }
}

/// Merges the trees of `profiles`; the request itself is the first line, named `endpoint`.
pub(crate) fn group(endpoint: &str, profiles: &StoredProfiles) -> GroupedProfile {
    let mut paths = vec![Path::new(None)];
    let mut known: HashMap<(usize, i32), usize> = HashMap::new();
    for (request, lines) in &profiles.requests {
        paths[0].durations.push(request.duration_ms);
        // `ancestors[d]` is the path at depth `d` of the line being read (0: the request).
        let mut ancestors = vec![0];
        for line in lines {
            ancestors.truncate(usize::try_from(line.indent).unwrap_or(0) + 1);
            let parent = ancestors.last().copied().unwrap_or(0);
            let path = *known.entry((parent, line.code_id)).or_insert_with(|| {
                paths.push(Path::new(Some(line.code_id)));
                let path = paths.len() - 1;
                paths[parent].children.push(path);
                path
            });
            paths[path].durations.push(line.duration_ms);
            ancestors.push(path);
        }
    }
    let requests = profiles.requests.len();
    if requests == 0 {
        return GroupedProfile {
            requests: 0,
            lines: Vec::new(),
        };
    }
    let all_time = paths[0].total();
    let mut lines = Vec::with_capacity(paths.len());
    let mut pending = vec![(0, 0_u16)];
    while let Some((index, indent)) = pending.pop() {
        let path = &paths[index];
        let code = match path.code_id {
            Some(code_id) => profiles.frame(code_id),
            None => CodeFrame {
                function: endpoint.to_owned(),
                module: None,
                file: None,
                line: None,
            },
        };
        let children: f64 = path
            .children
            .iter()
            .map(|&child| paths[child].total())
            .sum();
        lines.push(line(
            code,
            indent,
            &path.durations,
            requests,
            all_time,
            children,
        ));
        pending.extend(path.children.iter().rev().map(|&child| (child, indent + 1)));
    }
    GroupedProfile {
        requests: requests as u64,
        lines,
    }
}

/// The figures of one path from its durations (one per request that contains it).
fn line(
    code: CodeFrame,
    indent: u16,
    durations: &[f64],
    requests: usize,
    all_time: f64,
    children_total: f64,
) -> GroupedLine {
    let hits = durations.len();
    let total: f64 = durations.iter().sum();
    let mean = total / hits.max(1) as f64;
    let variance = durations
        .iter()
        .map(|duration| (duration - mean).powi(2))
        .sum::<f64>()
        / hits.max(1) as f64;
    let percent = |part: f64, whole: f64| {
        if whole > 0.0 {
            part / whole * 100.0
        } else {
            0.0
        }
    };
    GroupedLine {
        indent,
        code,
        hits: hits as u64,
        hits_percent: percent(hits as f64, requests as f64),
        mean_ms: mean,
        std_ms: variance.sqrt(),
        total_ms: total,
        time_percent: percent(total, all_time),
        self_ms: (total - children_total).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::store::profiles::{ProfileRow, StoredLine};

    fn request(duration_ms: f64, lines: &[(i32, i32, f64)]) -> (ProfileRow, Vec<StoredLine>) {
        let row = ProfileRow {
            request_id: 1,
            samples: 10,
            sampling_period_ms: 5,
            time_requested: Utc::now(),
            duration_ms,
            status_code: 200,
        };
        let lines = lines
            .iter()
            .map(|&(code_id, indent, duration_ms)| StoredLine {
                code_id,
                indent,
                duration_ms,
                wall_ms: duration_ms,
                calls: 1,
            })
            .collect();
        (row, lines)
    }

    fn frame(function: &str) -> CodeFrame {
        CodeFrame {
            function: function.to_owned(),
            module: Some("app".to_owned()),
            file: None,
            line: None,
        }
    }

    fn profiles(requests: Vec<(ProfileRow, Vec<StoredLine>)>) -> StoredProfiles {
        StoredProfiles {
            requests,
            code: HashMap::from([
                (1, frame("load_user")),
                (2, frame("query")),
                (3, frame("render")),
            ]),
        }
    }

    #[test]
    fn paths_merge_across_requests_with_hits_mean_and_population_std() {
        let grouped = group(
            "GET /items",
            &profiles(vec![
                request(20.0, &[(1, 0, 10.0), (2, 0, 6.0), (3, 1, 2.0)]),
                request(20.0, &[(1, 0, 10.0)]),
                request(50.0, &[(1, 0, 40.0), (3, 0, 5.0)]),
            ]),
        );
        assert_eq!(grouped.requests, 3);
        let summary: Vec<(u16, &str, u64)> = grouped
            .lines
            .iter()
            .map(|line| (line.indent, line.code.function.as_str(), line.hits))
            .collect();
        // `render` under `query` and `render` under the request are different paths.
        assert_eq!(
            summary,
            [
                (0, "GET /items", 3),
                (1, "load_user", 3),
                (1, "query", 1),
                (2, "render", 1),
                (1, "render", 1)
            ]
        );
        let load_user = &grouped.lines[1];
        assert_eq!(load_user.mean_ms, 20.0);
        assert!(
            (load_user.std_ms - 200_f64.sqrt()).abs() < 1e-9,
            "{}",
            load_user.std_ms
        );
        assert_eq!(load_user.total_ms, 60.0);
        assert!((load_user.time_percent - 60.0 / 90.0 * 100.0).abs() < 1e-9);
        assert!((grouped.lines[2].hits_percent - 100.0 / 3.0).abs() < 1e-9);
        let root = &grouped.lines[0];
        assert_eq!((root.total_ms, root.time_percent), (90.0, 100.0));
        assert_eq!(root.self_ms, 90.0 - 60.0 - 6.0 - 5.0);
        assert_eq!(grouped.lines[2].self_ms, 4.0);
    }

    #[test]
    fn concurrent_children_leave_their_parent_no_negative_self_time() {
        let grouped = group(
            "GET /join",
            &profiles(vec![request(
                10.0,
                &[(2, 0, 10.0), (1, 1, 10.0), (3, 1, 10.0)],
            )]),
        );
        assert_eq!(grouped.lines[1].self_ms, 0.0);
    }

    #[test]
    fn no_profiled_request_is_an_empty_profile() {
        let grouped = group("GET /none", &StoredProfiles::default());
        assert_eq!((grouped.requests, grouped.lines.len()), (0, 0));
    }
}
