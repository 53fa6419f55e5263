//! The accept loop: each connection is served by hyper (HTTP/1.1, or HTTP/2 with prior
//! knowledge) behind [`GuardedIo`],
//! with a header read timeout, an idle timeout, and a graceful shutdown that has a deadline.
//!
//! On the stop signal the loop stops accepting, asks every connection to finish its current
//! request and close, waits up to [`Timeouts::shutdown`], then drops what is left — so a client
//! stalled in the middle of a request cannot hold `sandbox serve` open. A failed `accept` (such
//! as running out of file descriptors) waits briefly and retries instead of spinning.

use super::conn_io::GuardedIo;
use crate::sandbox::config::Timeouts;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Serves `service` on `listener` until `stop` resolves, then shuts down within the deadline.
pub async fn run<S>(
    listener: TcpListener,
    service: S,
    timeouts: Timeouts,
    stop: impl std::future::Future<Output = ()>,
) where
    S: tower::Service<Request, Response = axum::response::Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let (closing_tx, closing) = watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            r = listener.accept() => r,
            // Reap finished connections as they end, so the set stays small.
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!("sandbox accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(GuardedIo::new(stream, timeouts.idle));
        let service = service.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                tower::ServiceExt::oneshot(service.clone(), req.map(axum::body::Body::new))
            });
        let mut closing = closing.clone();
        let header = timeouts.header;
        conns.spawn(async move {
            // HTTP/1.1, and HTTP/2 with prior knowledge (as axum's own server answers).
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header);
            builder.http2().timer(TokioTimer::new());
            let conn = builder.serve_connection(io, service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = closing.wait_for(|c| *c) => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(timeouts.shutdown, drain)
        .await
        .is_err()
    {
        tracing::info!(
            "sandbox: {} connection(s) still open at the shutdown deadline, closing them",
            conns.len()
        );
        conns.shutdown().await;
    }
}
