//! A downstream webhook receiver on a loopback port, for runs whose
//! replicas deliver their workflows (`--webhook-url`): it records every
//! delivery under the workflow id the body names, and applies each id's
//! effect once, as a consumer that dedupes by `Idempotency-Key` would.
//! The restore drill reads it before the disaster and after the restore.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use uuid::Uuid;

/// Largest delivery body accepted (a workflow's JSON is far smaller).
const BODY_BYTES_MAX: usize = 64 * 1024;

/// One workflow id as the receiver saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// Deliveries that arrived (the dispatcher promises at least one).
    pub deliveries: u32,
    /// Effects applied: one per distinct `Idempotency-Key` (dedupe by id).
    pub effects: u32,
    /// Every delivery carried the workflow id as its `Idempotency-Key`.
    pub keyed_by_id: bool,
    pub trigger_entity_id: Option<Uuid>,
    pub workflow_name: String,
}

#[derive(Default)]
struct Book {
    seen: BTreeMap<Uuid, Seen>,
    keys: std::collections::BTreeSet<String>,
    malformed: u64,
}

pub struct Receiver {
    pub addr: SocketAddr,
    book: Arc<Mutex<Book>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let book = Arc::new(Mutex::new(Book::default()));
        let b = book.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let b = b.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(b.clone(), req));
                    let _ =
                        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                });
            }
        });
        Ok(Self { addr, book, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}/workflows", self.addr)
    }

    /// Every workflow id received so far.
    pub fn snapshot(&self) -> BTreeMap<Uuid, Seen> {
        self.book.lock().unwrap_or_else(|p| p.into_inner()).seen.clone()
    }

    /// Deliveries whose body named no workflow id.
    pub fn malformed(&self) -> u64 {
        self.book.lock().unwrap_or_else(|p| p.into_inner()).malformed
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(serde::Deserialize)]
struct Delivery {
    id: Uuid,
    workflow_name: String,
    trigger_entity_id: Option<Uuid>,
}

async fn handle(book: Arc<Mutex<Book>>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = match Limited::new(req.into_body(), BODY_BYTES_MAX).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE)),
    };
    let Ok(d) = serde_json::from_slice::<Delivery>(&body) else {
        book.lock().unwrap_or_else(|p| p.into_inner()).malformed += 1;
        return Ok(answer(StatusCode::BAD_REQUEST));
    };
    let mut b = book.lock().unwrap_or_else(|p| p.into_inner());
    let first_of_key = key.as_ref().is_some_and(|k| b.keys.insert(k.clone()));
    let e = b.seen.entry(d.id).or_insert(Seen {
        deliveries: 0,
        effects: 0,
        keyed_by_id: true,
        trigger_entity_id: d.trigger_entity_id,
        workflow_name: d.workflow_name,
    });
    e.deliveries += 1;
    e.keyed_by_id &= key.as_deref() == Some(d.id.to_string().as_str());
    // Dedupe by Idempotency-Key: a key seen before has had its effect.
    e.effects += u32::from(first_of_key || key.is_none());
    Ok(answer(StatusCode::OK))
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn post(addr: SocketAddr, key: Option<&str>, body: &str) -> u16 {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        let mut req = Request::post("/workflows").header("host", addr.to_string());
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let resp = sender.send_request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap()).await.unwrap();
        resp.status().as_u16()
    }

    #[tokio::test]
    async fn deliveries_are_counted_and_deduplicated_by_their_key() {
        let r = Receiver::start().await.unwrap();
        let (a, t) = (Uuid::from_u128(1), Uuid::from_u128(9));
        let body = format!(r#"{{"id":"{a}","workflow_name":"invoice_created","trigger_entity_id":"{t}"}}"#);
        assert_eq!(post(r.addr, Some(&a.to_string()), &body).await, 200);
        assert_eq!(post(r.addr, Some(&a.to_string()), &body).await, 200);
        let b = Uuid::from_u128(2);
        let other = format!(r#"{{"id":"{b}","workflow_name":"payment_recorded"}}"#);
        assert_eq!(post(r.addr, Some("not-the-id"), &other).await, 200);
        assert_eq!(post(r.addr, None, "{}").await, 400);
        let seen = r.snapshot();
        assert_eq!(
            seen[&a],
            Seen {
                deliveries: 2,
                effects: 1,
                keyed_by_id: true,
                trigger_entity_id: Some(t),
                workflow_name: "invoice_created".into()
            }
        );
        assert_eq!((seen[&b].deliveries, seen[&b].effects, seen[&b].keyed_by_id), (1, 1, false));
        assert_eq!(r.malformed(), 1);
    }
}
