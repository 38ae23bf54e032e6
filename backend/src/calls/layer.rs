//! Seeing sqlx's statements: a `tracing_subscriber` layer that reads the `sqlx::query` events of
//! monitored requests, and the filter that keeps every other event (and every statement outside
//! a monitored request) from being built for it at all.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::span::{Attributes, Id};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::CallLog;
use crate::profiler::{self, RequestSpans, SpanLayer};

/// The target of sqlx's statement events.
const SQLX_TARGET: &str = "sqlx::query";

/// The name sqlx gives the threads of its SQLite connections (`sqlx-sqlite-worker-1`, …).
const SQLITE_WORKER: &str = "sqlx-sqlite-worker";

thread_local! {
    /// The log of the request whose root span is being created on this thread.
    static NEW_ROOT: RefCell<Option<Arc<CallLog>>> = const { RefCell::new(None) };
}

/// What the layer keeps in a request's root span: the request's log.
struct RequestLog(Arc<CallLog>);

/// Opens the root span of a monitored request, whose spans (and the statements reported inside
/// them, on any thread) belong to the request; `spans` when the profiler or the outlier watch
/// follows them.
pub(crate) fn root_span(log: &Arc<CallLog>, spans: Option<&Arc<RequestSpans>>) -> tracing::Span {
    NEW_ROOT.with(|root| *root.borrow_mut() = Some(Arc::clone(log)));
    let span = profiler::root_span(spans);
    NEW_ROOT.with(|root| root.borrow_mut().take());
    span
}

/// The log of the monitored request that `span` (or a span it is in) belongs to.
fn log_in_scope<S>(span: SpanRef<'_, S>) -> Option<Arc<CallLog>>
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    span.scope().find_map(|span| {
        span.extensions()
            .get::<RequestLog>()
            .map(|log| Arc::clone(&log.0))
    })
}

/// The layer that attributes sqlx's statement events to the monitored request they happen in.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct QueryLayer;

impl<S> tracing_subscriber::Layer<S> for QueryLayer
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().target() != profiler::ROOT_TARGET {
            return;
        }
        if let Some(log) = NEW_ROOT.with(|root| root.borrow_mut().take())
            && let Some(span) = ctx.span(id)
        {
            span.extensions_mut().insert(RequestLog(log));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != SQLX_TARGET {
            return;
        }
        let Some(log) = super::polled().or_else(|| ctx.event_span(event).and_then(log_in_scope))
        else {
            return;
        };
        let mut figures = Figures::default();
        event.record(&mut figures);
        let system = database_system();
        event.record(&mut StatementText {
            figures: &figures,
            on: |text: &str| log.query(system(text), text, figures.elapsed(), Some(figures.rows)),
        });
    }
}

/// The database of a statement reported by sqlx, when its event tells (it does not name it):
/// SQLite's statements come from sqlx's SQLite worker threads, PostgreSQL's placeholders are
/// `$1`, `$2`, …, MySQL's `?`. Statements without placeholders on a server are left to the
/// writer, which names them by the batch's other statements.
fn database_system() -> impl Fn(&str) -> Option<&'static str> {
    let sqlite = std::thread::current()
        .name()
        .is_some_and(|name| name.starts_with(SQLITE_WORKER));
    move |text| {
        if sqlite {
            Some("sqlite")
        } else if text.contains("$1") {
            Some("postgresql")
        } else if text.contains('?') {
            Some("mysql")
        } else {
            None
        }
    }
}

/// The numbers of a sqlx statement event, and which field holds the whole statement.
#[derive(Default)]
struct Figures {
    elapsed_secs: f64,
    rows: u64,
    /// sqlx puts a long statement in `db.statement` (its `summary` has the first words only)
    /// and leaves `db.statement` empty when the summary is the whole statement.
    in_db_statement: bool,
}

impl Figures {
    fn elapsed(&self) -> Duration {
        Duration::try_from_secs_f64(self.elapsed_secs).unwrap_or_default()
    }
}

impl tracing::field::Visit for Figures {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed_secs = value;
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if matches!(field.name(), "rows_returned" | "rows_affected") {
            self.rows += value;
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "db.statement" {
            self.in_db_statement = !value.trim().is_empty();
        }
    }

    fn record_debug(&mut self, _field: &tracing::field::Field, _value: &dyn fmt::Debug) {}
}

/// Hands the statement's text to `on` (the text lives only while the event is recorded).
struct StatementText<'a, F> {
    figures: &'a Figures,
    on: F,
}

impl<F: FnMut(&str)> tracing::field::Visit for StatementText<'_, F> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let wanted = if self.figures.in_db_statement {
            "db.statement"
        } else {
            "summary"
        };
        if field.name() == wanted {
            (self.on)(value.trim());
        }
    }

    fn record_debug(&mut self, _field: &tracing::field::Field, _value: &dyn fmt::Debug) {}
}

/// The filter of the dashboard's layer: every span, and sqlx's statement events only inside a
/// monitored request. No other event is enabled for them, so an application's `debug!` lines
/// (and sqlx's formatting of a statement) cost nothing more than without the dashboard.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct QueryFilter;

impl<S> Filter<S> for QueryFilter
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn enabled(&self, metadata: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        metadata.is_span()
            || (metadata.target() == SQLX_TARGET
                && (super::polling() || cx.lookup_current().and_then(log_in_scope).is_some()))
    }

    fn callsite_enabled(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.is_span() {
            Interest::always()
        } else if metadata.target() == SQLX_TARGET {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }
}

/// The dashboard's `tracing` layer ([`crate::span_layer`]): the profiler's [`SpanLayer`] for
/// every span, and the [`QueryLayer`] behind its per-layer [`QueryFilter`].
///
/// It is one layer rather than the two stacked, because a `Filtered` layer looks up the span in
/// the registry at every enter, exit and close to learn whether its filter enabled it — about
/// 95 ns per span for a layer that does nothing with spans. Here the filtered half sees only
/// what it uses (span creation, for the root span's log, and events); the filter's bookkeeping
/// stays whole, since both halves of it (`enabled` and the creation or event it decided) are
/// passed on.
pub(crate) struct DashboardLayer<S> {
    spans: SpanLayer,
    statements: tracing_subscriber::filter::Filtered<QueryLayer, QueryFilter, S>,
}

impl<S> DashboardLayer<S>
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    pub(crate) fn new() -> Self {
        use tracing_subscriber::Layer;
        DashboardLayer {
            spans: SpanLayer,
            statements: QueryLayer.with_filter(QueryFilter),
        }
    }
}

impl<S> tracing_subscriber::Layer<S> for DashboardLayer<S>
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        self.statements.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.statements.on_layer(subscriber);
    }

    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.statements.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.statements.enabled(metadata, ctx)
    }

    fn event_enabled(&self, event: &Event<'_>, ctx: Context<'_, S>) -> bool {
        self.statements.event_enabled(event, ctx)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        self.statements.on_new_span(attrs, id, ctx.clone());
        self.spans.on_new_span(attrs, id, ctx);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.statements.on_event(event, ctx);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.spans.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.spans.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.spans.on_close(id, ctx);
    }

    /// Answers for the filtered half, so that the layers around it know a per-layer filter is
    /// inside: they then leave the callsites the filter never wants disabled for good, instead
    /// of asking at every event. The one `unsafe` of the crate (`Layer`'s signature), a
    /// forwarding call with no pointer of its own.
    #[allow(unsafe_code)]
    unsafe fn downcast_raw(&self, id: std::any::TypeId) -> Option<*const ()> {
        if id == std::any::TypeId::of::<Self>() {
            return Some(std::ptr::from_ref(self).cast());
        }
        // SAFETY: forwarded as is; the pointer returned points into `self.statements`, which
        // lives as long as `self`.
        unsafe { self.statements.downcast_raw(id) }
    }
}
