//! Following the `tracing` spans of monitored requests: a `tracing_subscriber` layer that grows,
//! for every request at level 2 or more, a tree of its code paths and knows which one the request
//! is in (the span it entered last and has not left for good), so that the outlier watchdog can
//! read it from another thread; at level 3 it also times the spans for the profile.
//!
//! The dashboard's layer creates a root span per watched request ([`root_span`]) and enters it
//! whenever it polls the request; spans created under it belong to the request. A request
//! suspended at an `.await` keeps the path of the spans it is suspended in: the path changes when
//! the request enters a span and when a span on the path closes, not when it merely leaves one
//! while waiting.

use std::cell::RefCell;
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tracing::span::{Attributes, Id};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::tree::{Profile, ROOT, Tree};

/// A place in the code: the callsite of a span.
pub(crate) type Frame = &'static Metadata<'static>;

/// The target of the root span the dashboard opens for each monitored request.
pub(crate) const ROOT_TARGET: &str = "axum_monitoring_dashboard::request";

/// The spans of one request, as far as the [`SpanLayer`] follows them: a tree of its code paths
/// that knows which one the request is in. At level 3 the spans are also timed and the request
/// is sampled.
#[derive(Default)]
pub(crate) struct RequestSpans {
    tree: Mutex<Tree>,
    profiled: bool,
}

impl RequestSpans {
    /// The spans of a profiled request: timed, and sampled until it finishes.
    pub(crate) fn profiled() -> Self {
        RequestSpans {
            tree: Mutex::default(),
            profiled: true,
        }
    }

    fn tree(&self) -> MutexGuard<'_, Tree> {
        self.tree.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where the request is now: the spans from its root (not included) to the one it is in,
    /// outermost first.
    pub(crate) fn current(&self) -> Vec<Frame> {
        self.tree().path()
    }

    /// Counts a sample of where a profiled request is; `false` once it has finished.
    pub(crate) fn sample(&self) -> bool {
        self.tree().sample()
    }

    /// The request has finished: spans closing later (in tasks it spawned) change nothing, and
    /// it is sampled no more.
    pub(crate) fn stop(&self) {
        self.tree().stop();
    }

    /// The profile of a profiled request that took `duration`.
    pub(crate) fn profile(&self, duration: Duration) -> Option<Profile> {
        self.profiled.then(|| self.tree().profile(duration))
    }

    /// Whether the request is profiled (level 3).
    pub(crate) fn is_profiled(&self) -> bool {
        self.profiled
    }
}

thread_local! {
    /// The request whose root span is being created on this thread, for the layer to pick up.
    static NEW_ROOT: RefCell<Option<Arc<RequestSpans>>> = const { RefCell::new(None) };
    /// The followed spans entered on this thread and not exited, innermost last. While there
    /// are none, a span created here under the current span belongs to no request, and the
    /// layer need not look its parent up.
    static ENTERED: RefCell<Vec<NonZeroU64>> = const { RefCell::new(Vec::new()) };
}

/// Whether a followed span is entered on this thread.
fn inside_followed_span() -> bool {
    ENTERED.with(|entered| !entered.borrow().is_empty())
}

/// Opens the root span of a monitored request; the [`SpanLayer`], when installed, ties every
/// span created under it to `spans` (a request at level 2 or more; at level 1 nothing follows
/// its spans). Without a subscriber this is a disabled span and costs nothing.
pub(crate) fn root_span(spans: Option<&Arc<RequestSpans>>) -> tracing::Span {
    NEW_ROOT.with(|root| *root.borrow_mut() = spans.cloned());
    let span = tracing::info_span!(target: ROOT_TARGET, "request");
    NEW_ROOT.with(|root| root.borrow_mut().take());
    span
}

/// What the layer keeps in a followed span's extensions.
struct Followed {
    request: Arc<RequestSpans>,
    /// The node of the request's tree this span counts for: its own, or its parent's once the
    /// tree is full (and [`ROOT`] for the root span).
    node: usize,
    /// Whether `node` is its own, so that entering and closing it moves the request.
    own_node: bool,
    /// When it was created, if the request is profiled and the span has a node of its own.
    opened: Option<Instant>,
}

/// The `tracing_subscriber` layer that the profiler (level 3) builds each request's tree from
/// and that lets outlier snapshots (and exception reports) name the spans a request is in;
/// [`crate::span_layer`] adds it, with the statements' layer, to an application's subscriber.
///
/// A span that belongs to no watched request costs a look at a thread-local list when created
/// and exited, and a lookup of itself when entered and closed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SpanLayer;

impl<S> tracing_subscriber::Layer<S> for SpanLayer
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let metadata = attrs.metadata();
        let is_root = metadata.target() == ROOT_TARGET;
        // A span whose parent is the current one belongs to no request when no followed span is
        // entered here: most spans outside requests stop at this check.
        if !is_root && attrs.parent().is_none() && !inside_followed_span() {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let followed = if is_root {
            NEW_ROOT
                .with(|root| root.borrow_mut().take())
                .map(|request| Followed {
                    request,
                    node: ROOT,
                    own_node: false,
                    opened: None,
                })
        } else {
            span.parent().and_then(|parent| {
                let extensions = parent.extensions();
                let parent = extensions.get::<Followed>()?;
                let request = Arc::clone(&parent.request);
                let node = request.tree().open(parent.node, metadata);
                let opened = node.filter(|_| request.profiled).map(|_| Instant::now());
                Some(Followed {
                    node: node.unwrap_or(parent.node),
                    own_node: node.is_some(),
                    opened,
                    request,
                })
            })
        };
        if let Some(followed) = followed {
            span.extensions_mut().insert(followed);
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(followed) = extensions.get::<Followed>() else {
            return;
        };
        ENTERED.with(|entered| entered.borrow_mut().push(id.into_non_zero_u64()));
        // Entering the root again (every poll) says nothing about where the request is.
        if followed.own_node {
            followed.request.tree().enter(followed.node);
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        ENTERED.with(|entered| {
            let mut entered = entered.borrow_mut();
            // Exits come in the reverse order of entries, so this is nearly always the last.
            if let Some(position) = entered
                .iter()
                .rposition(|&span| span == id.into_non_zero_u64())
            {
                entered.remove(position);
            }
        });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        if let Some(followed) = extensions.get::<Followed>()
            && followed.own_node
        {
            let wall = followed
                .opened
                .map_or(Duration::ZERO, |opened| opened.elapsed());
            followed.request.tree().close(followed.node, wall);
        }
    }
}

/// The spans the current thread is in, outermost first, up to (not including) a watched
/// request's root span. Empty when the subscriber keeps no span registry.
pub(crate) fn current_stack() -> Vec<Frame> {
    tracing::dispatcher::get_default(|dispatch| {
        let current = dispatch.current_span();
        let (Some(id), Some(registry)) = (
            current.id(),
            dispatch.downcast_ref::<tracing_subscriber::Registry>(),
        ) else {
            return Vec::new();
        };
        let Some(span) = registry.span(id) else {
            return Vec::new();
        };
        let mut stack: Vec<Frame> = span
            .scope()
            .map(|span| span.metadata())
            .take_while(|metadata| metadata.target() != ROOT_TARGET)
            .collect();
        stack.reverse();
        stack
    })
}

#[cfg(test)]
mod tests {
    use tracing::Instrument;
    use tracing_subscriber::prelude::*;

    use super::*;

    fn names(path: &[Frame]) -> Vec<&'static str> {
        path.iter().map(|frame| frame.name()).collect()
    }

    #[tokio::test]
    async fn a_suspended_request_is_where_it_waits_and_moves_back_out_when_a_span_closes() {
        let subscriber = tracing_subscriber::registry().with(SpanLayer);
        let _default = tracing::subscriber::set_default(subscriber);
        let request = Arc::new(RequestSpans::default());
        let root = root_span(Some(&request));
        let (release, entered) = tokio::sync::oneshot::channel::<()>();
        let (reached, waiting) = tokio::sync::oneshot::channel::<()>();
        let inside = Arc::clone(&request);
        // Spans are created while the request is polled, as `#[instrument]` functions do.
        let handler = async move {
            let work = async {
                async {
                    let _ = reached.send(());
                    let _ = entered.await;
                }
                .instrument(tracing::info_span!("load_user"))
                .await;
                assert_eq!(
                    names(&inside.current()),
                    ["handler"],
                    "back out of the closed span"
                );
            };
            work.instrument(tracing::info_span!("handler")).await
        };
        tokio::join!(handler.instrument(root), async {
            let _ = waiting.await;
            // The request is suspended inside `load_user`: no span is entered now.
            assert_eq!(names(&request.current()), ["handler", "load_user"]);
            let _ = release.send(());
        });
        assert_eq!(names(&request.current()), Vec::<&str>::new());
    }

    #[test]
    fn a_span_with_an_explicit_parent_belongs_to_the_parents_request_wherever_it_is_created() {
        let subscriber = tracing_subscriber::registry().with(SpanLayer);
        let _default = tracing::subscriber::set_default(subscriber);
        let request = Arc::new(RequestSpans::default());
        let root = root_span(Some(&request));
        let elsewhere = tracing::info_span!("elsewhere");
        let _elsewhere = elsewhere.enter();
        // Nothing of the request is entered on this thread.
        let child = tracing::info_span!(parent: &root, "explicit");
        drop(child.enter());
        assert_eq!(names(&request.current()), ["explicit"]);
        // Back in `elsewhere` only: a span created now is no child of the request's.
        let unrelated = tracing::info_span!("unrelated");
        drop(unrelated.enter());
        assert_eq!(
            names(&request.current()),
            ["explicit"],
            "a span of no request changes nothing"
        );
    }

    #[test]
    fn the_current_stack_ends_at_the_requests_root() {
        let subscriber = tracing_subscriber::registry().with(SpanLayer);
        let _default = tracing::subscriber::set_default(subscriber);
        let outer = tracing::info_span!("outside");
        let _outer = outer.enter();
        let root = root_span(Some(&Arc::new(RequestSpans::default())));
        let _root = root.enter();
        let inner = tracing::info_span!("render");
        let _inner = inner.enter();
        assert_eq!(names(&current_stack()), ["render"]);
    }
}
