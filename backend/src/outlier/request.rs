//! The parts of a watched request that a snapshot needs after the handler took the request: a
//! copy of its head, and the first bytes of a JSON or form body as the handler reads them.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method, Uri, Version};
use http_body::Frame;
use pin_project_lite::pin_project;

use super::redact::{BodyKind, MAX_BODY_BYTES};

/// The head of a request, copied when a watched request starts.
pub(crate) struct RequestCopy {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) peer: Option<SocketAddr>,
    /// A JSON or form body's kind and its first [`MAX_BODY_BYTES`] bytes, as read so far.
    pub(crate) body: Option<(BodyKind, Arc<BodyCopy>)>,
}

/// The first bytes of a body, and whether it was longer.
#[derive(Default)]
pub(crate) struct BodyCopy {
    state: Mutex<BodyBytes>,
}

#[derive(Default)]
struct BodyBytes {
    bytes: Vec<u8>,
    cut: bool,
}

impl BodyCopy {
    fn keep(&self, data: &[u8]) {
        if let Ok(mut state) = self.state.lock() {
            let room = MAX_BODY_BYTES - state.bytes.len();
            if data.len() > room {
                state.cut = true;
            }
            state.bytes.extend_from_slice(&data[..data.len().min(room)]);
        }
    }

    /// The bytes read so far and whether the whole body fit.
    pub(crate) fn read(&self) -> (Vec<u8>, bool) {
        self.state
            .lock()
            .map(|state| (state.bytes.clone(), !state.cut))
            .unwrap_or_default()
    }
}

impl RequestCopy {
    /// Copies the head of `request`; a JSON or form body is replaced by one that keeps a copy of
    /// its first [`MAX_BODY_BYTES`] bytes as the handler reads it.
    pub(crate) fn take(request: &mut Request) -> RequestCopy {
        let body = BodyKind::of(request.headers()).map(|kind| {
            let copy = Arc::new(BodyCopy::default());
            let inner = std::mem::take(request.body_mut());
            *request.body_mut() = Body::new(CopyingBody {
                inner,
                copy: Arc::clone(&copy),
            });
            (kind, copy)
        });
        RequestCopy {
            method: request.method().clone(),
            uri: request.uri().clone(),
            version: request.version(),
            headers: request.headers().clone(),
            peer: request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| *peer),
            body,
        }
    }
}

pin_project! {
    /// A body that keeps a copy of its first bytes.
    struct CopyingBody {
        #[pin]
        inner: Body,
        copy: Arc<BodyCopy>,
    }
}

impl http_body::Body for CopyingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.copy.keep(data);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn the_handler_reads_the_whole_body_and_the_copy_keeps_its_start() {
        let long = "x".repeat(MAX_BODY_BYTES + 10);
        let mut request = Request::builder()
            .uri("/items?q=1")
            .header("content-type", "application/json")
            .body(Body::from(long.clone()))
            .unwrap_or_default();
        let copy = RequestCopy::take(&mut request);
        let read = request.into_body().collect().await.map(|b| b.to_bytes());
        assert_eq!(read.ok().map(|b| b.len()), Some(long.len()));
        let (bytes, complete) = copy
            .body
            .as_ref()
            .map(|(_, body)| body.read())
            .unwrap_or_default();
        assert_eq!((bytes.len(), complete), (MAX_BODY_BYTES, false));
        assert_eq!(copy.uri.query(), Some("q=1"));
    }
}
