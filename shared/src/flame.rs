//! The flame graph (icicle) of a grouped profile, the difference between two grouped profiles,
//! and the grouped profile in speedscope's file format.
//!
//! The icicle is the sunburst unrolled: the same [`crate::sunburst::layout`] gives each path its
//! share of its parent, here as a stretch of a row instead of an angle of a ring.

use std::collections::HashMap;
use std::f64::consts::TAU;

use serde_json::{Value, json};

use crate::sunburst;
use crate::{GroupedLine, GroupedProfile};

/// One path's box in the icicle: its row and its stretch of the width, both as fractions.
#[derive(Debug, Clone, PartialEq)]
pub struct FlameBox {
    /// Index of the path in [`GroupedProfile::lines`].
    pub line: usize,
    /// Row: 0 for the focused path, at the top.
    pub depth: usize,
    /// Where the box starts, from 0 (left) to 1 (right).
    pub start: f64,
    /// Its width, a fraction of the whole.
    pub width: f64,
}

/// The boxes of `focus` (the whole width) and every path below it, parents before children.
pub fn layout(lines: &[GroupedLine], focus: usize) -> Vec<FlameBox> {
    sunburst::layout(lines, focus)
        .into_iter()
        .map(|arc| FlameBox {
            line: arc.line,
            depth: arc.depth,
            start: arc.start / TAU,
            width: (arc.end - arc.start) / TAU,
        })
        .collect()
}

/// Whether a path's function or module contains `text` (ignoring case); nothing matches an
/// empty text.
pub fn matches(line: &GroupedLine, text: &str) -> bool {
    let text = text.trim().to_lowercase();
    !text.is_empty()
        && (line.code.function.to_lowercase().contains(&text)
            || line
                .code
                .module
                .as_deref()
                .is_some_and(|module| module.to_lowercase().contains(&text)))
}

/// A path's figures in one of the two profiles compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathFigures {
    /// Its share of the requests' time, in percent.
    pub time_percent: f64,
    /// Its mean duration over the requests that contain it, in milliseconds.
    pub mean_ms: f64,
}

impl PathFigures {
    fn of(line: &GroupedLine) -> Self {
        PathFigures {
            time_percent: line.time_percent,
            mean_ms: line.mean_ms,
        }
    }
}

/// One path of two grouped profiles compared: a path is the same when the functions from the
/// request down to it are (code lines move between versions, function names rarely do).
#[derive(Debug, Clone, PartialEq)]
pub struct PathChange {
    /// Index of the path in the compared profile's lines; `None` when only the baseline has it.
    pub line: Option<usize>,
    /// Depth below the request (0: the request).
    pub indent: u16,
    /// The path's function.
    pub function: String,
    /// Its figures in the baseline, `None` when the path is new.
    pub baseline: Option<PathFigures>,
    /// Its figures in the compared profile, `None` when the path is gone.
    pub compared: Option<PathFigures>,
}

impl PathChange {
    /// The change of the path's share of the time, in percentage points (a missing side counts
    /// as 0 %).
    pub fn share_change(&self) -> f64 {
        let share = |figures: Option<PathFigures>| figures.map_or(0.0, |f| f.time_percent);
        share(self.compared) - share(self.baseline)
    }

    /// The change of its mean duration, in percent of the baseline's mean; `None` unless both
    /// profiles have the path (and the baseline's mean is above 0).
    pub fn mean_change_percent(&self) -> Option<f64> {
        let (baseline, compared) = (self.baseline?, self.compared?);
        (baseline.mean_ms > 0.0)
            .then(|| (compared.mean_ms - baseline.mean_ms) / baseline.mean_ms * 100.0)
    }
}

/// The key of every line: its functions from the request down, the request's own name left out
/// (so that two profiles of one endpoint compare whatever it is called).
fn path_keys(lines: &[GroupedLine]) -> Vec<Vec<String>> {
    let parents = sunburst::parents(lines);
    let mut keys: Vec<Vec<String>> = Vec::with_capacity(lines.len());
    for (index, parent) in parents.iter().enumerate() {
        let key = match parent {
            None => Vec::new(),
            Some(parent) => {
                let mut key = keys[*parent].clone();
                key.push(lines[index].code.function.clone());
                key
            }
        };
        keys.push(key);
    }
    keys
}

/// Every path of `compared` (in its order) with its change from `baseline`, then the paths only
/// `baseline` has, in the baseline's order.
pub fn diff(baseline: &GroupedProfile, compared: &GroupedProfile) -> Vec<PathChange> {
    let baseline_keys = path_keys(&baseline.lines);
    let compared_keys = path_keys(&compared.lines);
    let in_baseline: HashMap<&Vec<String>, usize> = baseline_keys
        .iter()
        .enumerate()
        .map(|(index, key)| (key, index))
        .collect();
    let in_compared: HashMap<&Vec<String>, usize> = compared_keys
        .iter()
        .enumerate()
        .map(|(index, key)| (key, index))
        .collect();
    let mut changes: Vec<PathChange> = compared
        .lines
        .iter()
        .zip(&compared_keys)
        .enumerate()
        .map(|(index, (line, key))| PathChange {
            line: Some(index),
            indent: line.indent,
            function: line.code.function.clone(),
            baseline: in_baseline
                .get(key)
                .map(|&old| PathFigures::of(&baseline.lines[old])),
            compared: Some(PathFigures::of(line)),
        })
        .collect();
    changes.extend(
        baseline
            .lines
            .iter()
            .zip(&baseline_keys)
            .filter(|(_, key)| !in_compared.contains_key(key))
            .map(|(line, _)| PathChange {
                line: None,
                indent: line.indent,
                function: line.code.function.clone(),
                baseline: Some(PathFigures::of(line)),
                compared: None,
            }),
    );
    changes
}

/// The colour of a change of share: red when the path takes more of the time, blue when less,
/// stronger the larger the change (full at 25 percentage points); pale grey for no change.
pub fn change_colour(share_change: f64) -> String {
    let strength = (share_change.abs() / 25.0).min(1.0);
    let hue = if share_change >= 0.0 { 4 } else { 218 };
    let saturation = (70.0 * strength).round();
    let lightness = (92.0 - 34.0 * strength).round();
    format!("hsl({hue}, {saturation}%, {lightness}%)")
}

/// The grouped profile as a speedscope file (<https://www.speedscope.app/>): one evented
/// profile whose paths lie side by side, each as long as its total time (children scaled down
/// when they ran concurrently and add up to more than their parent), in milliseconds.
pub fn speedscope(name: &str, profile: &GroupedProfile) -> Value {
    let lines = &profile.lines;
    let mut frames: Vec<Value> = Vec::new();
    let mut frame_of: HashMap<(&str, Option<&str>, Option<u32>), usize> = HashMap::new();
    let frame_ids: Vec<usize> = lines
        .iter()
        .map(|line| {
            let code = &line.code;
            let key = (code.function.as_str(), code.file.as_deref(), code.line);
            *frame_of.entry(key).or_insert_with(|| {
                let mut frame = json!({ "name": code.function });
                if let Some(file) = &code.file {
                    frame["file"] = json!(file);
                }
                if let Some(number) = code.line {
                    frame["line"] = json!(number);
                }
                frames.push(frame);
                frames.len() - 1
            })
        })
        .collect();
    let mut events = Vec::new();
    let end = lines.first().map_or(0.0, |root| root.total_ms);
    if !lines.is_empty() {
        let children = children(lines);
        lay_out_events(lines, &children, &frame_ids, 0, 0.0, end, &mut events);
    }
    json!({
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "name": name,
        "exporter": "axum-monitoring-dashboard",
        "shared": { "frames": frames },
        "profiles": [{
            "type": "evented",
            "name": name,
            "unit": "milliseconds",
            "startValue": 0.0,
            "endValue": end,
            "events": events,
        }],
    })
}

fn children(lines: &[GroupedLine]) -> Vec<Vec<usize>> {
    let mut children = vec![Vec::new(); lines.len()];
    for (line, parent) in sunburst::parents(lines).into_iter().enumerate() {
        if let Some(parent) = parent {
            children[parent].push(line);
        }
    }
    children
}

/// Opens `line` at `at`, lays its children out from there, and closes it at `end`.
fn lay_out_events(
    lines: &[GroupedLine],
    children: &[Vec<usize>],
    frame_ids: &[usize],
    line: usize,
    at: f64,
    end: f64,
    events: &mut Vec<Value>,
) {
    events.push(json!({ "type": "O", "frame": frame_ids[line], "at": at }));
    let kids = &children[line];
    let kids_total: f64 = kids.iter().map(|&kid| lines[kid].total_ms).sum();
    let scale = if kids_total > end - at && kids_total > 0.0 {
        (end - at) / kids_total
    } else {
        1.0
    };
    let mut start = at;
    for &kid in kids {
        let kid_end = (start + lines[kid].total_ms * scale).min(end);
        lay_out_events(lines, children, frame_ids, kid, start, kid_end, events);
        start = kid_end;
    }
    events.push(json!({ "type": "C", "frame": frame_ids[line], "at": end }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CodeFrame;

    /// A path at `indent` taking `total` of `whole` ms over `hits` requests of 10.
    fn line(indent: u16, function: &str, total: f64, hits: u64, whole: f64) -> GroupedLine {
        GroupedLine {
            indent,
            code: CodeFrame {
                function: function.to_owned(),
                module: Some("shop::orders".to_owned()),
                file: Some("src/orders.rs".to_owned()),
                line: Some(u32::from(indent) * 10),
            },
            hits,
            hits_percent: hits as f64 * 10.0,
            mean_ms: total / hits as f64,
            std_ms: 0.0,
            total_ms: total,
            time_percent: total / whole * 100.0,
            self_ms: 0.0,
        }
    }

    /// Version 1: the request (400 ms over 10 requests) spends 300 ms in `load` (of which 100 in
    /// `query`) and 100 in `render`.
    fn version_1() -> GroupedProfile {
        GroupedProfile {
            requests: 10,
            lines: vec![
                line(0, "GET /orders", 400.0, 10, 400.0),
                line(1, "load", 300.0, 10, 400.0),
                line(2, "query", 100.0, 10, 400.0),
                line(1, "render", 100.0, 10, 400.0),
            ],
        }
    }

    /// Version 2: 800 ms; `load` 200 (`query` 150), `render` 400, and a new `audit` 200 in 5
    /// requests.
    fn version_2() -> GroupedProfile {
        GroupedProfile {
            requests: 10,
            lines: vec![
                line(0, "GET /orders", 800.0, 10, 800.0),
                line(1, "load", 200.0, 10, 800.0),
                line(1, "render", 400.0, 10, 800.0),
                line(1, "audit", 200.0, 5, 800.0),
            ],
        }
    }

    #[test]
    fn the_icicle_gives_each_path_its_share_of_its_parent() {
        let boxes = layout(&version_1().lines, 0);
        let figures: Vec<(usize, usize, f64, f64)> = boxes
            .iter()
            .map(|b| (b.line, b.depth, b.start, b.width))
            .collect();
        let expected = [
            (0, 0, 0.0, 1.0),
            (1, 1, 0.0, 0.75),
            (3, 1, 0.75, 0.25),
            (2, 2, 0.0, 0.25),
        ];
        assert_eq!(figures.len(), expected.len());
        for (got, want) in figures.iter().zip(expected) {
            assert_eq!((got.0, got.1), (want.0, want.1));
            assert!((got.2 - want.2).abs() < 1e-12, "{got:?} against {want:?}");
            assert!((got.3 - want.3).abs() < 1e-12, "{got:?} against {want:?}");
        }
        // Zoomed into `load`: it fills the width, `query` a third of it.
        let zoomed = layout(&version_1().lines, 1);
        assert_eq!(zoomed.len(), 2);
        assert!((zoomed[1].width - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn search_matches_functions_and_modules_ignoring_case() {
        let lines = version_1().lines;
        assert!(matches(&lines[2], "QUER"));
        assert!(matches(&lines[2], "shop::"));
        assert!(!matches(&lines[2], "render"));
        assert!(!matches(&lines[2], "  "));
    }

    #[test]
    fn the_diff_gives_each_path_its_change_of_share_and_mean() {
        let changes = diff(&version_1(), &version_2());
        let by_function = |name: &str| {
            changes
                .iter()
                .find(|change| change.function == name)
                .unwrap_or_else(|| panic!("{name} in {changes:?}"))
        };
        // The request: 100 % in both, its mean doubled (40 → 80 ms).
        let request = by_function("GET /orders");
        assert_eq!(request.share_change(), 0.0);
        assert_eq!(request.mean_change_percent(), Some(100.0));
        // `load`: 75 % → 25 %, mean 30 → 20 ms.
        let load = by_function("load");
        assert_eq!(load.line, Some(1));
        assert!((load.share_change() + 50.0).abs() < 1e-9);
        assert!((load.mean_change_percent().unwrap() + 100.0 / 3.0).abs() < 1e-9);
        // `render`: 25 % → 50 %, mean 10 → 40 ms.
        let render = by_function("render");
        assert!((render.share_change() - 25.0).abs() < 1e-9);
        assert_eq!(render.mean_change_percent(), Some(300.0));
        // `audit` is new: 25 % of the time, no mean to compare.
        let audit = by_function("audit");
        assert_eq!(audit.baseline, None);
        assert!((audit.share_change() - 25.0).abs() < 1e-9);
        assert_eq!(audit.mean_change_percent(), None);
        // `load › query` is gone: listed after the compared paths, with its 25 % lost.
        let query = changes.last().unwrap();
        assert_eq!((query.function.as_str(), query.line), ("query", None));
        assert!((query.share_change() + 25.0).abs() < 1e-9);
        assert_eq!(changes.len(), 5);
    }

    #[test]
    fn change_colours_are_red_for_more_time_and_blue_for_less() {
        assert_eq!(change_colour(25.0), "hsl(4, 70%, 58%)");
        assert_eq!(change_colour(-50.0), "hsl(218, 70%, 58%)");
        assert_eq!(change_colour(0.0), "hsl(4, 0%, 92%)");
    }

    #[test]
    fn the_speedscope_file_nests_every_path_inside_its_parent() {
        let file = speedscope("GET /orders", &version_1());
        assert_eq!(file["profiles"][0]["endValue"], 400.0);
        let frames = file["shared"]["frames"].as_array().unwrap();
        let names: Vec<&str> = frames.iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["GET /orders", "load", "query", "render"]);
        assert_eq!(frames[1]["file"], "src/orders.rs");
        let events: Vec<(String, u64, f64)> = file["profiles"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| {
                (
                    event["type"].as_str().unwrap().to_owned(),
                    event["frame"].as_u64().unwrap(),
                    event["at"].as_f64().unwrap(),
                )
            })
            .collect();
        let expected = [
            ("O", 0, 0.0),
            ("O", 1, 0.0),
            ("O", 2, 0.0),
            ("C", 2, 100.0),
            ("C", 1, 300.0),
            ("O", 3, 300.0),
            ("C", 3, 400.0),
            ("C", 0, 400.0),
        ];
        let expected: Vec<(String, u64, f64)> = expected
            .into_iter()
            .map(|(kind, frame, at)| (kind.to_owned(), frame, at))
            .collect();
        assert_eq!(events, expected);
    }
}
