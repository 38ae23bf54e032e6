//! The geometry of the grouped profile's sunburst: rings by depth, angles by total time. A
//! parent's ring spans its children's arcs and, after them, an empty stretch for its own (self)
//! time; concurrent children that add up to more than their parent share its whole angle.

use std::f64::consts::TAU;

use crate::GroupedLine;

/// One path's arc: its line in the grouped profile, its ring and its angles (radians, clockwise
/// from twelve o'clock).
#[derive(Debug, Clone, PartialEq)]
pub struct SunArc {
    /// Index of the path in [`crate::GroupedProfile::lines`].
    pub line: usize,
    /// Ring: 0 for the focused path (the disc in the middle).
    pub depth: usize,
    /// Where the arc starts.
    pub start: f64,
    /// Where it ends.
    pub end: f64,
}

/// The parent of every line of a pre-order list with indents (`None` for the first).
pub fn parents(lines: &[GroupedLine]) -> Vec<Option<usize>> {
    let mut open: Vec<usize> = Vec::new();
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            open.truncate(usize::from(line.indent));
            let parent = open.last().copied();
            open.push(index);
            parent
        })
        .collect()
}

/// The arcs of `focus` and every path below it, parents before children.
pub fn layout(lines: &[GroupedLine], focus: usize) -> Vec<SunArc> {
    let parents = parents(lines);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    for (line, parent) in parents.iter().enumerate() {
        if let Some(parent) = parent {
            children[*parent].push(line);
        }
    }
    if focus >= lines.len() {
        return Vec::new();
    }
    let mut arcs = vec![SunArc {
        line: focus,
        depth: 0,
        start: 0.0,
        end: TAU,
    }];
    let mut next = 0;
    while next < arcs.len() {
        let parent = arcs[next].clone();
        next += 1;
        let kids = &children[parent.line];
        let kids_total: f64 = kids.iter().map(|&kid| lines[kid].total_ms).sum();
        let whole = lines[parent.line].total_ms.max(kids_total);
        let mut start = parent.start;
        for &kid in kids {
            let share = if whole > 0.0 {
                lines[kid].total_ms / whole
            } else {
                1.0 / kids.len() as f64
            };
            let end = start + share * (parent.end - parent.start);
            arcs.push(SunArc {
                line: kid,
                depth: parent.depth + 1,
                start,
                end,
            });
            start = end;
        }
    }
    arcs
}

/// The deepest ring of `arcs`.
pub fn depth(arcs: &[SunArc]) -> usize {
    arcs.iter().map(|arc| arc.depth).max().unwrap_or(0)
}

/// An SVG path of the ring sector between radii `inner` and `outer` from `start` to `end`
/// (centred on 0,0); a full turn is drawn as two halves, and with `inner` 0 as a disc.
pub fn sector_path(inner: f64, outer: f64, start: f64, end: f64) -> String {
    let point = |radius: f64, angle: f64| (radius * angle.sin(), -radius * angle.cos());
    if end - start >= TAU - 1e-9 {
        let half = |radius: f64, sweep: u8| {
            format!(
                "M 0 {top:.3} A {radius:.3} {radius:.3} 0 1 {sweep} 0 {bottom:.3} A {radius:.3} {radius:.3} 0 1 {sweep} 0 {top:.3} Z",
                top = -radius,
                bottom = radius,
            )
        };
        return if inner > 0.0 {
            format!("{} {}", half(outer, 1), half(inner, 0))
        } else {
            half(outer, 1)
        };
    }
    let large = u8::from(end - start > TAU / 2.0);
    let (x0, y0) = point(outer, start);
    let (x1, y1) = point(outer, end);
    let (x2, y2) = point(inner, end);
    let (x3, y3) = point(inner, start);
    format!(
        "M {x0:.3} {y0:.3} A {outer:.3} {outer:.3} 0 {large} 1 {x1:.3} {y1:.3} L {x2:.3} {y2:.3} A {inner:.3} {inner:.3} 0 {large} 0 {x3:.3} {y3:.3} Z"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CodeFrame;

    fn line(indent: u16, total_ms: f64) -> GroupedLine {
        GroupedLine {
            indent,
            code: CodeFrame {
                function: format!("f{indent}"),
                module: None,
                file: None,
                line: None,
            },
            hits: 1,
            hits_percent: 100.0,
            mean_ms: total_ms,
            std_ms: 0.0,
            total_ms,
            time_percent: 0.0,
            self_ms: 0.0,
        }
    }

    #[test]
    fn children_take_their_share_of_the_parent_and_leave_its_self_time_empty() {
        // request 100 ms: a 50 ms child (with a 25 ms child) and a 25 ms child; 25 ms self.
        let lines = [line(0, 100.0), line(1, 50.0), line(2, 25.0), line(1, 25.0)];
        let arcs = layout(&lines, 0);
        let spans: Vec<(usize, usize, f64, f64)> = arcs
            .iter()
            .map(|arc| (arc.line, arc.depth, arc.start / TAU, arc.end / TAU))
            .collect();
        assert_eq!(
            spans,
            [
                (0, 0, 0.0, 1.0),
                (1, 1, 0.0, 0.5),
                (3, 1, 0.5, 0.75),
                (2, 2, 0.0, 0.25)
            ]
        );
        assert_eq!(depth(&arcs), 2);
    }

    #[test]
    fn zooming_in_makes_the_focus_the_whole_disc() {
        let lines = [line(0, 100.0), line(1, 50.0), line(2, 25.0), line(1, 25.0)];
        let arcs = layout(&lines, 1);
        let spans: Vec<(usize, usize, f64)> = arcs
            .iter()
            .map(|arc| (arc.line, arc.depth, (arc.end - arc.start) / TAU))
            .collect();
        assert_eq!(spans, [(1, 0, 1.0), (2, 1, 0.5)]);
    }

    #[test]
    fn concurrent_children_longer_than_their_parent_share_its_whole_angle() {
        let lines = [line(0, 10.0), line(1, 10.0), line(1, 10.0)];
        let arcs = layout(&lines, 0);
        assert_eq!(
            (arcs[1].end, arcs[2].start, arcs[2].end),
            (TAU / 2.0, TAU / 2.0, TAU)
        );
    }

    #[test]
    fn sectors_and_discs_are_closed_svg_paths() {
        assert_eq!(
            sector_path(10.0, 20.0, 0.0, TAU / 4.0),
            "M 0.000 -20.000 A 20.000 20.000 0 0 1 20.000 -0.000 L 10.000 -0.000 A 10.000 10.000 0 0 0 0.000 -10.000 Z"
        );
        assert!(sector_path(0.0, 20.0, 0.0, TAU).starts_with("M 0 -20.000 A 20.000"));
        assert_eq!(sector_path(5.0, 20.0, 0.0, TAU).matches('M').count(), 2);
    }
}
