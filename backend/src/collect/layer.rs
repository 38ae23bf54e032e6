//! The tower `Layer` and `Service` that measure requests.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::response::Response;
use chrono::{DateTime, Utc};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use super::measurement::Extra;
use super::{Collector, EndpointRef, GroupValue, Measurement, endpoint_method};
use crate::calls::{self, CallLog};
use crate::config::MonitorLevel;
use crate::endpoint::EndpointState;
use crate::exception::{self, Occurrence};
use crate::metrics::InFlight;
use crate::outlier::Watch;

/// Measures every request to the routes it wraps. Made by [`crate::Dashboard::layer`];
/// [`crate::Dashboard::bind`] applies it for you.
#[derive(Clone)]
pub struct MonitorLayer {
    collector: Arc<Collector>,
}

impl fmt::Debug for MonitorLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MonitorLayer").finish_non_exhaustive()
    }
}

impl MonitorLayer {
    pub(crate) fn new(collector: Arc<Collector>) -> Self {
        MonitorLayer { collector }
    }
}

impl<S> Layer<S> for MonitorLayer {
    type Service = MonitorService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MonitorService {
            inner,
            collector: Arc::clone(&self.collector),
        }
    }
}

/// The service made by [`MonitorLayer`].
#[derive(Clone)]
pub struct MonitorService<S> {
    inner: S,
    collector: Arc<Collector>,
}

impl<S: fmt::Debug> fmt::Debug for MonitorService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MonitorService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S> Service<Request> for MonitorService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let pending = self.begin(&mut request);
        ResponseFuture {
            inner: self.inner.call(request),
            pending,
        }
    }
}

/// Marks a request that an outer application of the layer measures already.
#[derive(Clone, Copy)]
struct Measured;

impl<S> MonitorService<S> {
    /// Starts measuring a request, unless an outer application of the layer measures it already
    /// (so `.layer(monitor.layer())` may be applied again after adding routes) or it is one of
    /// the dashboard's own routes. Requests that match no route count only in the metrics.
    fn begin(&self, request: &mut Request) -> Option<Pending> {
        if request.extensions().get::<Measured>().is_some() {
            return None;
        }
        let route = request.extensions().get::<MatchedPath>().cloned();
        if route
            .as_ref()
            .is_some_and(|route| self.collector.is_own_route(route.as_str()))
        {
            return None;
        }
        let metrics = self.collector.metrics.as_ref();
        if route.is_none() && metrics.is_none() {
            return None;
        }
        request.extensions_mut().insert(Measured);
        let started = Instant::now();
        let in_flight = metrics.map(|metrics| {
            metrics.begin(request.method(), route.as_ref().map(MatchedPath::as_str))
        });
        let kept = route.and_then(|route| self.facts(route, request, started));
        if kept.is_some() {
            self.collector.in_flight.fetch_add(1, Ordering::Relaxed);
        }
        Some(Pending {
            collector: Arc::clone(&self.collector),
            started,
            in_flight,
            kept,
        })
    }

    /// Decides, once, what the dashboard keeps of a request, and takes the facts known before
    /// the handler runs. At level 0 that is only the time: no user function, no address.
    /// `None` for a new endpoint past `MAX_ENDPOINTS` (counted as dropped).
    fn facts(&self, route: MatchedPath, request: &mut Request, started: Instant) -> Option<Kept> {
        let time_requested = Utc::now();
        let method = endpoint_method(request.method());
        let endpoint = match self.collector.endpoints.get(&method, route.as_str()) {
            Some(state) if state.level() == MonitorLevel::DISABLED => {
                return Some(Kept::LastRequest(state, time_requested));
            }
            Some(state) => EndpointRef::Known(state),
            None if self.collector.admits_new_endpoint() => EndpointRef::New {
                method,
                route: Arc::from(route.as_str()),
            },
            None => return None,
        };
        let level = match &endpoint {
            EndpointRef::Known(state) => state.level(),
            EndpointRef::New { .. } => self.collector.default_level,
        };
        let spans = (level >= MonitorLevel::OUTLIERS).then(|| {
            if level >= MonitorLevel::PROFILER {
                self.collector.profiler.follow()
            } else {
                Arc::default()
            }
        });
        let calls = Arc::new(CallLog::new(
            level >= MonitorLevel::OUTLIERS,
            self.collector.slow_query,
            self.collector.slow_call,
        ));
        let root = calls::root_span(&calls, spans.as_ref());
        let watch = spans.map(|spans| {
            let known = match &endpoint {
                EndpointRef::Known(state) => Some(&**state),
                EndpointRef::New { .. } => None,
            };
            self.collector
                .outliers
                .watch(request, known, started, spans, Arc::clone(&calls))
        });
        let group_by = self.collector.group_by.as_ref().and_then(|group_by| {
            catch_unwind(AssertUnwindSafe(|| {
                group_by(request).map(GroupValue::render)
            }))
            .unwrap_or_else(|_| {
                tracing::warn!(
                    route = route.as_str(),
                    "the group_by function panicked; the request is recorded without a group"
                );
                None
            })
        });
        Some(Kept::Measurement(RequestFacts {
            endpoint,
            time_requested,
            group_by,
            ip: client_ip(request, &self.collector.trusted_proxies),
            watch,
            root,
            calls,
            occurrences: Vec::new(),
        }))
    }
}

/// The client's address: the peer, or the forwarded client when the peer is a trusted proxy.
fn client_ip(request: &Request, trusted_proxies: &[ipnet::IpNet]) -> Option<IpAddr> {
    let ConnectInfo(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>()?;
    super::client_ip(peer.ip(), request.headers(), trusted_proxies)
}

/// A request whose response is not ready yet.
struct Pending {
    collector: Arc<Collector>,
    started: Instant,
    /// The Prometheus part, when metrics are on.
    in_flight: Option<InFlight>,
    /// The dashboard's part, for requests that matched a route.
    kept: Option<Kept>,
}

/// What the dashboard keeps of a request that matched a route.
enum Kept {
    /// Level 0: the time, noted in the endpoint's entry (no queue).
    LastRequest(Arc<EndpointState>, DateTime<Utc>),
    /// Level 1 and up (or an endpoint not registered yet): a measurement for the writer.
    Measurement(RequestFacts),
}

/// What the dashboard records of a request besides its duration and status.
struct RequestFacts {
    endpoint: EndpointRef,
    time_requested: DateTime<Utc>,
    group_by: Option<String>,
    ip: Option<IpAddr>,
    /// Level 2 and up: the watched request.
    watch: Option<Arc<Watch>>,
    /// The request's root span: its spans and the statements reported in them are its own.
    root: tracing::Span,
    /// The statements and calls it made.
    calls: Arc<CallLog>,
    /// Errors reported or panics seen while serving it.
    occurrences: Vec<Occurrence>,
}

impl RequestFacts {
    /// Polls the handler inside the request's scope: its root span is entered (so its spans
    /// belong to it), its statements and calls go to its log and [`crate::capture_error`] adds
    /// to its occurrences.
    fn poll_within<T>(&mut self, poll: impl FnOnce() -> T) -> T {
        let _entered = self.root.enter();
        let occurrences = &mut self.occurrences;
        calls::while_polling(&self.calls, || exception::while_polling(occurrences, poll))
    }
}

impl Pending {
    fn finish(self, status: u16) {
        let duration = self.started.elapsed();
        if let Some(in_flight) = self.in_flight {
            in_flight.finish(status, duration);
        }
        if self.kept.is_some() {
            self.collector.in_flight.fetch_sub(1, Ordering::Relaxed);
        }
        match self.kept {
            None => {}
            Some(Kept::LastRequest(endpoint, time)) => endpoint.touch(time),
            Some(Kept::Measurement(mut facts)) => {
                let watch = facts.watch;
                let snapshot = watch.as_ref().and_then(|watch| watch.finish());
                if status >= 500 && facts.occurrences.is_empty() {
                    facts
                        .occurrences
                        .push(Occurrence::status(status, facts.calls.so_far()));
                }
                let profiled = watch
                    .as_ref()
                    .is_some_and(|watch| watch.spans.is_profiled());
                let extra =
                    (snapshot.is_some() || profiled || !facts.occurrences.is_empty()).then(|| {
                        Box::new(Extra {
                            watch,
                            snapshot,
                            occurrences: facts.occurrences,
                        })
                    });
                self.collector.submit(Measurement {
                    endpoint: facts.endpoint,
                    time_requested: facts.time_requested,
                    duration,
                    status,
                    group_by: facts.group_by,
                    ip: facts.ip,
                    version: None,
                    calls: Some(facts.calls.take())
                        .filter(|calls| !calls.is_empty())
                        .map(Box::new),
                    extra,
                });
            }
        }
    }
}

/// The status recorded for a request whose client went away before the answer (nginx's
/// "client closed request").
pub(crate) const CLIENT_CLOSED_REQUEST: u16 = 499;

pin_project! {
    /// The response future of [`MonitorService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }

    impl<F> PinnedDrop for ResponseFuture<F> {
        /// A future dropped before its answer was ready: the client closed the connection (a
        /// load balancer's timeout, a closed tab). The request is recorded with its duration up
        /// to now and status 499, so the slowest requests do not vanish.
        fn drop(this: Pin<&mut Self>) {
            if let Some(pending) = this.project().pending.take() {
                pending.finish(CLIENT_CLOSED_REQUEST);
            }
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("measured", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let poll = || catch_unwind(AssertUnwindSafe(|| inner.poll(cx)));
        let mut facts = match this
            .pending
            .as_mut()
            .and_then(|pending| pending.kept.as_mut())
        {
            Some(Kept::Measurement(facts)) => Some(facts),
            _ => None,
        };
        let polled = match facts.as_mut() {
            Some(facts) => facts.poll_within(poll),
            None => poll(),
        };
        // A panicking handler answers 500 and is recorded as such; the service keeps serving.
        let output = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => output,
            Err(panic) => {
                let message = crate::exception::panic_message(panic.as_ref());
                tracing::error!(panic = %message, "a request handler panicked; answered 500");
                if let Some(facts) = facts {
                    let calls = facts.calls.so_far();
                    facts.occurrences.push(Occurrence::panic(message, calls));
                }
                let mut response = Response::new(axum::body::Body::empty());
                *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                Ok(response)
            }
        };
        if let Some(pending) = this.pending.take() {
            let status = match &output {
                Ok(response) => response.status().as_u16(),
                Err(_) => 500,
            };
            pending.finish(status);
        }
        Poll::Ready(output)
    }
}
