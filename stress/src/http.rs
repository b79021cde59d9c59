//! A keep-alive HTTP/1.1 client: one connection per worker, reused for
//! every request until it fails, then re-established (on the next replica
//! when there are several). hyper's connection-level API keeps the
//! per-request cost to a header map and a body; there is no pool to contend
//! on, and the connection is driven inside the worker's own task (no
//! connection task, no channel hop, no cross-task wake-up per request).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What one request returned.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub replayed: bool,
    pub location: Option<String>,
    pub body: Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("connect: {0}")]
    Connect(String),
    /// The connection failed after it was established (reset, closed, bad framing).
    #[error("connection: {0}")]
    Connection(String),
    #[error("timed out")]
    Timeout,
}

/// Headers shared by every request of a run.
#[derive(Debug, Clone)]
pub struct Auth {
    authorization: HeaderValue,
}

impl Auth {
    pub fn bearer(token: &str) -> Result<Self, HttpError> {
        let authorization = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| HttpError::Connection("token is not a valid header value".into()))?;
        Ok(Self { authorization })
    }
}

/// One outgoing request, cheap to clone for a retry (the body is shared).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: Method,
    pub path: Arc<str>,
    pub key: Option<HeaderValue>,
    pub body: Bytes,
}

/// An open connection: the request half and the connection future that
/// moves its bytes, polled together by whoever sends.
struct Live {
    sender: SendRequest<Full<Bytes>>,
    conn: Pin<Box<Connection<TokioIo<TcpStream>, Full<Bytes>>>>,
}

/// A worker's connection. `addrs` holds every replica; a failure moves the
/// connection to the next one, so a killed replica costs one attempt.
pub struct Conn {
    addrs: Arc<[SocketAddr]>,
    current: usize,
    live: Option<Live>,
    connect_timeout: Duration,
}

impl Conn {
    pub fn new(addrs: Arc<[SocketAddr]>, first: usize, connect_timeout: Duration) -> Self {
        assert!(!addrs.is_empty(), "a target has at least one address");
        let current = first % addrs.len();
        Self { addrs, current, live: None, connect_timeout }
    }

    /// Index of the replica the next request goes to.
    pub fn replica(&self) -> usize {
        self.current
    }

    /// Drops the connection and moves to the next replica.
    pub fn fail_over(&mut self) {
        self.live = None;
        self.current = (self.current + 1) % self.addrs.len();
    }

    /// Opens the connection now (if it is not open), so the first request
    /// does not pay for it. A failure is left to the first request to meet.
    pub async fn warm_up(&mut self) {
        if self.live.is_none() {
            if let Ok(l) = self.connect().await {
                self.live = Some(l);
            }
        }
    }

    /// Sends `req`, bounded by `timeout` from connect to the last body byte.
    /// On any error the connection is dropped (a late response must never be
    /// read as the answer to the next request).
    pub async fn send(&mut self, auth: &Auth, req: &Outgoing, timeout: Duration) -> Result<Response, HttpError> {
        let result = tokio::time::timeout(timeout, self.exchange(auth, req)).await;
        let result = result.unwrap_or(Err(HttpError::Timeout));
        if result.is_err() {
            self.live = None;
        }
        result
    }

    async fn exchange(&mut self, auth: &Auth, req: &Outgoing) -> Result<Response, HttpError> {
        // A connection the peer closed while idle is noticed here (its
        // future completes when polled) and replaced, instead of failing
        // the request.
        if let Some(live) = &mut self.live {
            if poll_once(live.conn.as_mut()).await.is_some() || live.sender.is_closed() {
                self.live = None;
            }
        }
        let live = match &mut self.live {
            Some(l) => l,
            None => {
                let l = self.connect().await?;
                self.live.insert(l)
            }
        };
        let mut builder = Request::builder()
            .method(req.method.clone())
            .uri(&*req.path)
            .header(HOST, HeaderValue::from_static("accubooks"))
            .header(AUTHORIZATION, auth.authorization.clone());
        if let Some(key) = &req.key {
            builder = builder
                .header("idempotency-key", key.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let request = builder.body(Full::new(req.body.clone())).map_err(|e| HttpError::Connection(e.to_string()))?;
        let Live { sender, conn } = live;
        let exchange = async {
            sender.ready().await.map_err(|e| HttpError::Connection(e.to_string()))?;
            let resp = sender.send_request(request).await.map_err(|e| HttpError::Connection(e.to_string()))?;
            let status = resp.status().as_u16();
            let headers = resp.headers();
            let replayed = headers.get("idempotent-replayed").is_some_and(|v| v == "true");
            let location = headers.get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = resp.into_body().collect().await.map_err(|e| HttpError::Connection(e.to_string()))?.to_bytes();
            Ok(Response { status, replayed, location, body })
        };
        tokio::select! {
            r = exchange => r,
            c = conn.as_mut() => Err(HttpError::Connection(match c {
                Ok(()) => "connection closed".to_owned(),
                Err(e) => e.to_string(),
            })),
        }
    }

    async fn connect(&self) -> Result<Live, HttpError> {
        let addr = self.addrs[self.current];
        let stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| HttpError::Connect(format!("{addr}: connect timed out")))?
            .map_err(|e| HttpError::Connect(format!("{addr}: {e}")))?;
        // Requests are small and latency is what is measured: no Nagle delay.
        let _ = stream.set_nodelay(true);
        let (sender, conn) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| HttpError::Connect(format!("{addr}: {e}")))?;
        Ok(Live { sender, conn: Box::pin(conn) })
    }
}

/// Polls `f` once: Some(output) if it was ready.
async fn poll_once<F: Future + Unpin>(mut f: F) -> Option<F::Output> {
    std::future::poll_fn(|cx| match Pin::new(&mut f).poll(cx) {
        Poll::Ready(v) => Poll::Ready(Some(v)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}
