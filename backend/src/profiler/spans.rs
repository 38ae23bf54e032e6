//! Following the `tracing` spans of monitored requests: a `tracing_subscriber` layer that knows,
//! for every request at level 2 or more, where the request is (the path of spans it entered last
//! and has not left for good), so that the outlier watchdog can read it from another thread, and,
//! at level 3, grows the request's profile tree.
//!
//! The dashboard's layer creates a root span per watched request ([`root_span`]) and enters it
//! whenever it polls the request; spans created under it belong to the request. A request
//! suspended at an `.await` keeps the path of the spans it is suspended in: the path changes when
//! the request enters a span and when a span on the path closes, not when it merely leaves one
//! while waiting.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use tracing::span::{Attributes, Id};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::tree::{Profile, ROOT, Tree};

/// A place in the code: the callsite of a span.
pub(crate) type Frame = &'static Metadata<'static>;

/// Spans from the request's root (not included) to the innermost, innermost last.
pub(crate) type SpanPath = Arc<Vec<Frame>>;

/// The target of the root span the dashboard opens for each watched request.
const ROOT_TARGET: &str = "axum_monitoring_dashboard::request";

/// The spans of one request, as far as the [`SpanLayer`] follows them.
#[derive(Default)]
pub(crate) struct RequestSpans {
    /// The path to the span the request entered last and has not closed; `None` before the
    /// request entered any.
    current: ArcSwapOption<Vec<Frame>>,
    /// Level 3: the request's profile tree.
    tree: Option<Mutex<Tree>>,
}

impl RequestSpans {
    /// The spans of a profiled request: followed, and grown into a tree.
    pub(crate) fn profiled() -> Self {
        RequestSpans {
            current: ArcSwapOption::empty(),
            tree: Some(Mutex::default()),
        }
    }

    fn tree(&self) -> Option<MutexGuard<'_, Tree>> {
        let tree = self.tree.as_ref()?;
        Some(tree.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Counts a sample of where a profiled request is; `false` once it has finished (or when
    /// it is not profiled).
    pub(crate) fn sample(&self) -> bool {
        self.tree().is_some_and(|mut tree| tree.sample())
    }

    /// The profile of a profiled request that took `duration`; it is sampled no more.
    pub(crate) fn finish(&self, duration: Duration) -> Option<Profile> {
        self.tree().map(|mut tree| tree.finish(duration))
    }

    /// Where the request is now, outermost first.
    pub(crate) fn current(&self) -> SpanPath {
        self.current.load_full().unwrap_or_else(empty_path)
    }
}

/// The path of the root span: no spans (shared, so that a request allocates none for it).
fn empty_path() -> SpanPath {
    static EMPTY: LazyLock<SpanPath> = LazyLock::new(SpanPath::default);
    Arc::clone(&EMPTY)
}

thread_local! {
    /// The request whose root span is being created on this thread, for the layer to pick up.
    static NEW_ROOT: RefCell<Option<Arc<RequestSpans>>> = const { RefCell::new(None) };
}

/// Opens the root span of a watched request; the [`SpanLayer`], when installed, ties every span
/// created under it to `spans`. Without a subscriber this is a disabled span and costs nothing.
pub(crate) fn root_span(spans: &Arc<RequestSpans>) -> tracing::Span {
    NEW_ROOT.with(|root| *root.borrow_mut() = Some(Arc::clone(spans)));
    let span = tracing::info_span!(target: ROOT_TARGET, "request");
    NEW_ROOT.with(|root| root.borrow_mut().take());
    span
}

/// What the layer keeps in a followed span's extensions.
struct Followed {
    request: Arc<RequestSpans>,
    /// The path to this span (empty for the root).
    path: SpanPath,
    /// The path to its parent, where the request is again once this span closes.
    parent_path: SpanPath,
    /// Its node in the request's profile tree ([`ROOT`] for the root and when not profiled).
    node: usize,
    /// When it was created, if it has a node of its own (profiled requests only).
    opened: Option<Instant>,
}

/// The `tracing_subscriber` layer that the profiler (level 3) builds each request's tree from
/// and that lets outlier snapshots (and exception reports) name the spans a request is in
/// ([`crate::Dashboard::profiler_layer`] returns one). Add it to your subscriber; without it,
/// profiles are empty and outliers and exceptions are captured without their span stack. Give
/// your log layers their own filter (as below) rather than a global one, so that this layer sees
/// the spans your logs leave out.
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// tracing_subscriber::registry()
///     .with(tracing_subscriber::fmt::layer().with_filter(tracing_subscriber::EnvFilter::new("info")))
///     .with(axum_monitoring_dashboard::SpanLayer::default())
///     .init();
/// ```
///
/// Spans that belong to no watched request cost one lookup of their parent when created and of
/// themselves when entered.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpanLayer {
    _private: (),
}

impl<S> tracing_subscriber::Layer<S> for SpanLayer
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let metadata = attrs.metadata();
        let followed = if metadata.target() == ROOT_TARGET {
            NEW_ROOT
                .with(|root| root.borrow_mut().take())
                .map(|request| Followed {
                    request,
                    path: empty_path(),
                    parent_path: empty_path(),
                    node: ROOT,
                    opened: None,
                })
        } else {
            span.parent().and_then(|parent| {
                let extensions = parent.extensions();
                let parent = extensions.get::<Followed>()?;
                let mut path = Vec::with_capacity(parent.path.len() + 1);
                path.extend_from_slice(&parent.path);
                path.push(metadata);
                let node = parent
                    .request
                    .tree()
                    .and_then(|mut tree| tree.open(parent.node, metadata));
                Some(Followed {
                    request: Arc::clone(&parent.request),
                    path: Arc::new(path),
                    parent_path: Arc::clone(&parent.path),
                    node: node.unwrap_or(parent.node),
                    opened: node.map(|_| Instant::now()),
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
        // Entering the root again (every poll) says nothing about where the request is.
        if let Some(followed) = extensions.get::<Followed>()
            && !followed.path.is_empty()
        {
            followed
                .request
                .current
                .store(Some(Arc::clone(&followed.path)));
            if followed.opened.is_some()
                && let Some(mut tree) = followed.request.tree()
            {
                tree.enter(followed.node);
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        if let Some(followed) = extensions.get::<Followed>() {
            let current = followed.request.current.load();
            if current
                .as_ref()
                .is_some_and(|current| Arc::ptr_eq(current, &followed.path))
            {
                followed
                    .request
                    .current
                    .store(Some(Arc::clone(&followed.parent_path)));
            }
            if let Some(opened) = followed.opened
                && let Some(mut tree) = followed.request.tree()
            {
                tree.close(followed.node, opened.elapsed());
            }
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
        let subscriber = tracing_subscriber::registry().with(SpanLayer::default());
        let _default = tracing::subscriber::set_default(subscriber);
        let request = Arc::new(RequestSpans::default());
        let root = root_span(&request);
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
    fn the_current_stack_ends_at_the_requests_root() {
        let subscriber = tracing_subscriber::registry().with(SpanLayer::default());
        let _default = tracing::subscriber::set_default(subscriber);
        let outer = tracing::info_span!("outside");
        let _outer = outer.enter();
        let root = root_span(&Arc::new(RequestSpans::default()));
        let _root = root.enter();
        let inner = tracing::info_span!("render");
        let _inner = inner.enter();
        assert_eq!(names(&current_stack()), ["render"]);
    }
}
