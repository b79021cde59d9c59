//! A minimal HTTP/1.1 client over `tokio::net` (simulated TCP under madsim).
//! hyper-util's pooled client needs the real tokio runtime, so this uses
//! hyper's connection-level API directly.

use std::net::SocketAddr;
use std::time::Duration;

use accubooks_service::serve::flush::FlushWhenDirty;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub replayed: bool,
    pub body: Bytes,
}

#[derive(Debug)]
pub enum ClientError {
    Connect(String),
    Http(String),
    Timeout,
}

impl std::error::Error for ClientError {}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connect(e) => write!(f, "connect: {e}"),
            Self::Http(e) => write!(f, "http: {e}"),
            Self::Timeout => write!(f, "timed out"),
        }
    }
}

/// POSTs a JSON body on a fresh connection, bounded by `timeout` overall
/// (a partitioned link looks like a hang, never an error).
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
    timeout: Duration,
) -> Result<Response, ClientError> {
    send_json(addr, "POST", path, token, key, body, timeout).await
}

/// Sends a JSON request with `method` (POST, PUT, DELETE) on a fresh connection.
pub async fn send_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
    timeout: Duration,
) -> Result<Response, ClientError> {
    let body = serde_json::to_vec(body).expect("a Value always serialises");
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "accubooks")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| ClientError::Http(e.to_string()))?;
    tokio::time::timeout(timeout, send(addr, req)).await.map_err(|_| ClientError::Timeout)?
}

async fn send(addr: SocketAddr, req: Request<Full<Bytes>>) -> Result<Response, ClientError> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| ClientError::Connect(e.to_string()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(FlushWhenDirty::new(stream)))
        .await
        .map_err(|e| ClientError::Http(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let resp = sender.send_request(req).await.map_err(|e| ClientError::Http(e.to_string()))?;
    let status = resp.status().as_u16();
    let replayed = resp.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let body = resp.into_body().collect().await.map_err(|e| ClientError::Http(e.to_string()))?.to_bytes();
    Ok(Response { status, replayed, body })
}
