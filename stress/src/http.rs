//! A keep-alive HTTP/1.1 client: one connection per worker, reused for
//! every request until it fails, then re-established (on the next replica
//! when there are several). hyper's connection-level API keeps the per-request
//! cost to a header map and a body; there is no pool to contend on.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
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

/// A worker's connection. `addrs` holds every replica; a failure moves the
/// connection to the next one, so a killed replica costs one attempt.
pub struct Conn {
    addrs: Arc<[SocketAddr]>,
    current: usize,
    sender: Option<SendRequest<Full<Bytes>>>,
    connect_timeout: Duration,
}

impl Conn {
    pub fn new(addrs: Arc<[SocketAddr]>, first: usize, connect_timeout: Duration) -> Self {
        assert!(!addrs.is_empty(), "a target has at least one address");
        let current = first % addrs.len();
        Self { addrs, current, sender: None, connect_timeout }
    }

    /// Index of the replica the next request goes to.
    pub fn replica(&self) -> usize {
        self.current
    }

    /// Drops the connection and moves to the next replica.
    pub fn fail_over(&mut self) {
        self.sender = None;
        self.current = (self.current + 1) % self.addrs.len();
    }

    /// Sends `req`, bounded by `timeout` from connect to the last body byte.
    /// On any error the connection is dropped (a late response must never be
    /// read as the answer to the next request).
    pub async fn send(&mut self, auth: &Auth, req: &Outgoing, timeout: Duration) -> Result<Response, HttpError> {
        let result = tokio::time::timeout(timeout, self.exchange(auth, req)).await;
        let result = result.unwrap_or(Err(HttpError::Timeout));
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    async fn exchange(&mut self, auth: &Auth, req: &Outgoing) -> Result<Response, HttpError> {
        let sender = match &mut self.sender {
            Some(s) if !s.is_closed() => s,
            _ => {
                let s = self.connect().await?;
                self.sender.insert(s)
            }
        };
        sender.ready().await.map_err(|e| HttpError::Connection(e.to_string()))?;
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
        let resp = sender.send_request(request).await.map_err(|e| HttpError::Connection(e.to_string()))?;
        let status = resp.status().as_u16();
        let headers = resp.headers();
        let replayed = headers.get("idempotent-replayed").is_some_and(|v| v == "true");
        let location = headers.get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = resp.into_body().collect().await.map_err(|e| HttpError::Connection(e.to_string()))?.to_bytes();
        Ok(Response { status, replayed, location, body })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, HttpError> {
        let addr = self.addrs[self.current];
        let stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| HttpError::Connect(format!("{addr}: connect timed out")))?
            .map_err(|e| HttpError::Connect(format!("{addr}: {e}")))?;
        // Requests are small and latency is what is measured: no Nagle delay.
        let _ = stream.set_nodelay(true);
        let (sender, conn) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| HttpError::Connect(format!("{addr}: {e}")))?;
        tokio::spawn(async move {
            // Ends when the peer closes or the sender is dropped.
            let _ = conn.await;
        });
        Ok(sender)
    }
}
