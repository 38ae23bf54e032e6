//! The tree of one followed request: a node per code path (the same span callsite under the same
//! parent is one node, however often it is called), with its calls, exact wall time and samples
//! (both at level 3 only), and the node the request is in.

use std::time::Duration;

use super::Frame;

/// Nodes a request's tree grows to at most; spans beyond count for their parent (deep
/// recursion of an instrumented function would otherwise grow the tree without bound).
pub(crate) const MAX_NODES: usize = 1_000;

/// The index of the root node: the request itself.
pub(crate) const ROOT: usize = 0;

/// A followed request's tree.
#[derive(Debug)]
pub(crate) struct Tree {
    /// Parents come before their children; `nodes[ROOT]` is the request.
    nodes: Vec<Node>,
    /// The node the request is in: the span it entered last and has not closed.
    current: usize,
    /// Samples taken of the request.
    samples: u64,
    /// Set once the request has finished: the tree changes no more.
    stopped: bool,
}

#[derive(Debug)]
struct Node {
    /// The span's callsite; `None` for the root.
    frame: Option<Frame>,
    parent: usize,
    /// In the order of their first call.
    children: Vec<usize>,
    calls: u64,
    wall: Duration,
    /// Samples taken while the request was in this node (not in a child).
    samples: u64,
}

impl Node {
    fn new(frame: Option<Frame>, parent: usize) -> Node {
        Node {
            frame,
            parent,
            children: Vec::new(),
            calls: 0,
            wall: Duration::ZERO,
            samples: 0,
        }
    }
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            nodes: vec![Node::new(None, ROOT)],
            current: ROOT,
            samples: 0,
            stopped: false,
        }
    }
}

/// A finished request's profile: its nodes in pre-order, the root left out.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) lines: Vec<ProfileLine>,
    /// Samples taken of the request (0: the durations are exact wall times).
    pub(crate) samples: u64,
}

/// One node of a finished profile.
#[derive(Debug, Clone)]
pub(crate) struct ProfileLine {
    pub(crate) frame: Frame,
    /// Depth below the request: 0 for spans opened directly under it.
    pub(crate) indent: u16,
    pub(crate) calls: u64,
    /// Samples in this node and below ÷ all samples × the request's duration; the exact wall
    /// time when no sample was taken.
    pub(crate) duration: Duration,
    /// Exact time from creation to close, summed over its calls.
    pub(crate) wall: Duration,
}

impl Tree {
    /// Counts a call of `frame` under `parent` and returns its node; `None` once the tree has
    /// [`MAX_NODES`] and the path is new, or once the request has finished.
    pub(crate) fn open(&mut self, parent: usize, frame: Frame) -> Option<usize> {
        if self.stopped {
            return None;
        }
        let known = self.nodes[parent].children.iter().copied().find(|&child| {
            self.nodes[child]
                .frame
                .is_some_and(|known| std::ptr::eq(known, frame))
        });
        let node = match known {
            Some(node) => node,
            None if self.nodes.len() >= MAX_NODES => return None,
            None => {
                let node = self.nodes.len();
                self.nodes.push(Node::new(Some(frame), parent));
                self.nodes[parent].children.push(node);
                node
            }
        };
        self.nodes[node].calls += 1;
        Some(node)
    }

    /// The request entered `node`.
    pub(crate) fn enter(&mut self, node: usize) {
        if !self.stopped {
            self.current = node;
        }
    }

    /// A call of `node` ended after `wall`; the request is back in the parent if it was in it.
    pub(crate) fn close(&mut self, node: usize, wall: Duration) {
        if self.stopped {
            return;
        }
        self.nodes[node].wall += wall;
        if self.current == node {
            self.current = self.nodes[node].parent;
        }
    }

    /// The spans from the request (not included) to the node it is in, outermost first.
    pub(crate) fn path(&self) -> Vec<Frame> {
        let mut path: Vec<Frame> =
            std::iter::successors(Some(self.current), |&node| Some(self.nodes[node].parent))
                .take_while(|&node| node != ROOT)
                .filter_map(|node| self.nodes[node].frame)
                .collect();
        path.reverse();
        path
    }

    /// Counts a sample of where the request is; `false` once it has finished.
    pub(crate) fn sample(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        self.nodes[self.current].samples += 1;
        self.samples += 1;
        true
    }

    /// The request has finished: the tree changes no more.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
    }

    /// The profile of a request that took `duration`.
    pub(crate) fn profile(&self, duration: Duration) -> Profile {
        let mut below = self
            .nodes
            .iter()
            .map(|node| node.samples)
            .collect::<Vec<_>>();
        for node in (1..self.nodes.len()).rev() {
            below[self.nodes[node].parent] += below[node];
        }
        let mut lines = Vec::with_capacity(self.nodes.len() - 1);
        let mut pending: Vec<(usize, u16)> = self.nodes[ROOT]
            .children
            .iter()
            .rev()
            .map(|&child| (child, 0))
            .collect();
        while let Some((index, indent)) = pending.pop() {
            let node = &self.nodes[index];
            let duration = match self.samples {
                0 => node.wall,
                samples => share(duration, below[index], samples),
            };
            if let Some(frame) = node.frame {
                lines.push(ProfileLine {
                    frame,
                    indent,
                    calls: node.calls,
                    duration,
                    wall: node.wall,
                });
            }
            pending.extend(node.children.iter().rev().map(|&child| (child, indent + 1)));
        }
        Profile {
            lines,
            samples: self.samples,
        }
    }
}

/// `part` of `whole` samples × `duration`, rounded down to the nanosecond, so that the shares of
/// a node's children never add up to more than the node.
fn share(duration: Duration, part: u64, whole: u64) -> Duration {
    let nanos = duration.as_nanos() * u128::from(part) / u128::from(whole);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Three distinct callsites (span metadata exists only under a subscriber).
    fn frames() -> [Frame; 3] {
        let _default = tracing::subscriber::set_default(tracing_subscriber::registry());
        [
            tracing::info_span!("load_user").metadata().unwrap(),
            tracing::info_span!("query_items").metadata().unwrap(),
            tracing::info_span!("render").metadata().unwrap(),
        ]
    }

    fn names(profile: &Profile) -> Vec<(&'static str, u16, u64)> {
        profile
            .lines
            .iter()
            .map(|line| (line.frame.name(), line.indent, line.calls))
            .collect()
    }

    #[test]
    fn calls_of_one_callsite_under_one_parent_are_one_node_in_call_order() {
        let [load_user, query_items, render] = frames();
        let mut tree = Tree::default();
        let user = tree.open(ROOT, load_user).unwrap();
        tree.close(user, Duration::from_millis(10));
        for _ in 0..3 {
            let query = tree.open(ROOT, query_items).unwrap();
            let nested = tree.open(query, render).unwrap();
            tree.close(nested, Duration::from_millis(1));
            tree.close(query, Duration::from_millis(5));
        }
        let rendered = tree.open(ROOT, render).unwrap();
        tree.close(rendered, Duration::from_millis(8));
        let profile = tree.profile(Duration::from_millis(40));
        assert_eq!(
            names(&profile),
            [
                ("load_user", 0, 1),
                ("query_items", 0, 3),
                ("render", 1, 3),
                ("render", 0, 1)
            ]
        );
        // Not sampled: the exact wall times.
        let durations: Vec<u128> = profile
            .lines
            .iter()
            .map(|l| l.duration.as_millis())
            .collect();
        assert_eq!(durations, [10, 15, 3, 8]);
        assert_eq!(profile.samples, 0);
    }

    #[test]
    fn a_sampled_node_gets_its_share_of_the_samples_below_it_times_the_duration() {
        let [load_user, query_items, render] = frames();
        let mut tree = Tree::default();
        let sample = |tree: &mut Tree, times| (0..times).for_each(|_| assert!(tree.sample()));
        sample(&mut tree, 2); // in the handler itself
        let user = tree.open(ROOT, load_user).unwrap();
        tree.enter(user);
        sample(&mut tree, 4);
        tree.close(user, Duration::from_millis(39));
        let query = tree.open(ROOT, query_items).unwrap();
        tree.enter(query);
        sample(&mut tree, 3);
        let nested = tree.open(query, render).unwrap();
        tree.enter(nested);
        sample(&mut tree, 1);
        tree.close(nested, Duration::from_millis(11));
        tree.close(query, Duration::from_millis(41));
        tree.stop();
        let profile = tree.profile(Duration::from_millis(100));
        let durations: Vec<(u128, u128)> = profile
            .lines
            .iter()
            .map(|line| (line.duration.as_millis(), line.wall.as_millis()))
            .collect();
        assert_eq!(durations, [(40, 39), (40, 41), (10, 11)]);
        assert_eq!(profile.samples, 10);
        assert!(!tree.sample(), "a finished request is not sampled");
        tree.close(user, Duration::from_secs(1));
        assert_eq!(
            tree.open(ROOT, load_user),
            None,
            "nor changed by spans it spawned"
        );
        assert_eq!(
            tree.profile(Duration::from_millis(100)).lines[0]
                .wall
                .as_millis(),
            39
        );
    }

    #[test]
    fn the_shares_of_the_children_never_add_up_to_more_than_the_request() {
        let frames = frames();
        let mut tree = Tree::default();
        for frame in frames {
            let node = tree.open(ROOT, frame).unwrap();
            tree.enter(node);
            assert!(tree.sample());
            tree.close(node, Duration::from_nanos(1));
        }
        tree.stop();
        for nanos in [2, 140_900_001, 140_900_002] {
            let request = Duration::from_nanos(nanos);
            let profile = tree.profile(request);
            let shares: Duration = profile.lines.iter().map(|line| line.duration).sum();
            assert!(shares <= request, "{shares:?} of {request:?}");
            assert!(
                request - shares < Duration::from_nanos(3),
                "{shares:?} of {request:?}"
            );
        }
    }

    #[test]
    fn a_closed_span_returns_the_request_to_its_parent_only_when_it_was_there() {
        let [load_user, query_items, _] = frames();
        let mut tree = Tree::default();
        let user = tree.open(ROOT, load_user).unwrap();
        let query = tree.open(ROOT, query_items).unwrap();
        tree.enter(user);
        tree.enter(query); // concurrent children, as with `join!`
        tree.close(user, Duration::ZERO);
        assert_eq!(tree.current, query);
        let names: Vec<&str> = tree.path().iter().map(|frame| frame.name()).collect();
        assert_eq!(names, ["query_items"]);
        tree.close(query, Duration::ZERO);
        assert_eq!(tree.current, ROOT);
        assert!(tree.path().is_empty());
    }

    #[test]
    fn the_tree_stops_growing_at_its_limit_but_known_paths_still_count() {
        let [load_user, ..] = frames();
        let mut tree = Tree::default();
        let mut parent = ROOT;
        for _ in 1..MAX_NODES {
            parent = tree.open(parent, load_user).unwrap();
        }
        assert_eq!(
            tree.open(parent, load_user),
            None,
            "a recursion deeper than the limit"
        );
        assert_eq!(tree.open(ROOT, load_user), Some(1));
        assert_eq!(tree.profile(Duration::ZERO).lines.len(), MAX_NODES - 1);
    }
}
