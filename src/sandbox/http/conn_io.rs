//! [`GuardedIo`]: the sandbox's wrapper around each accepted TCP connection.
//!
//! It does two things hyper cannot be configured to do:
//! - **JSON for parser errors.** hyper answers a request it cannot parse (bad bytes in the
//!   request line or path → 400, a URL over its limit → 414, too many or too large headers → 431)
//!   itself, with an empty body. Such an answer is the only one on this connection that is a
//!   4xx head with `content-length: 0` (every handler error carries a JSON body), so the wrapper
//!   recognises it as it is written and sends m3ter's `{"message"}` error body instead.
//! - **Idle timeout.** A connection that neither reads nor writes a byte for the idle limit is
//!   closed, so silent sockets (an idle keep-alive, a client that connected and stopped) cannot
//!   pile up; hyper's header timeout covers a client that trickles its headers.

use crate::m3ter::ErrorBody;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

pub struct GuardedIo<T> {
    inner: T,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    /// A replacement answer being written: bytes, how many are out, the length hyper wrote.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<T> GuardedIo<T> {
    pub fn new(inner: T, idle: Duration) -> Self {
        Self {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            pending: None,
        }
    }

    fn touch(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }
}

/// The JSON answer for one of hyper's bodiless parser-error answers, if `head` is one.
fn json_for_parser_error(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() > 1024 || !head.starts_with(b"HTTP/1.1 4") || !head.ends_with(b"\r\n\r\n") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?.to_ascii_lowercase();
    if !text.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let (status, reason, message) = match text.get(9..12)? {
        "400" => (
            400,
            "Bad Request",
            "the request could not be parsed: the request line, the path or a header is malformed (a path may hold only URL characters; percent-encode others)",
        ),
        "414" => (
            414,
            "URI Too Long",
            "the URL is too long for this server; send long filters in several requests",
        ),
        "431" => (
            431,
            "Request Header Fields Too Large",
            "the request has too many headers or they are too large (at most 100 headers)",
        ),
        _ => return None,
    };
    let body = serde_json::to_string(&ErrorBody {
        message: message.into(),
        field: None,
    })
    .ok()?;
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.touch();
                Poll::Ready(r)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            if let Some(json) = json_for_parser_error(buf) {
                this.pending = Some((json, 0, buf.len()));
            }
        }
        if let Some((bytes, done, claimed)) = &mut this.pending {
            while *done < bytes.len() {
                match Pin::new(&mut this.inner).poll_write(cx, &bytes[*done..]) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Poll::Ready(Ok(n)) => *done += n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            let claimed = *claimed;
            this.pending = None;
            this.touch();
            return Poll::Ready(Ok(claimed));
        }
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if r.is_ready() {
            this.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodiless_parser_errors_are_replaced() {
        let hyper_431 =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let json = String::from_utf8(json_for_parser_error(hyper_431).unwrap()).unwrap();
        assert!(json.starts_with("HTTP/1.1 431 "), "{json}");
        assert!(json.contains("content-type: application/json"), "{json}");
        assert!(json.ends_with("}"), "{json}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n";
        assert!(json_for_parser_error(ours).is_none());
        assert!(json_for_parser_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
