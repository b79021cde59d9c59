//! An in-process TCP proxy between the service replicas and Postgres that
//! can cut any live connection on demand. A cut lands wherever that
//! connection is: idle in the pool, mid-transaction, or between a COMMIT
//! and its acknowledgement (the ambiguous commit).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

struct Inner {
    upstream: SocketAddr,
    conns: Mutex<BTreeMap<u64, AbortHandle>>,
    next_id: AtomicU64,
    dropped: AtomicU64,
}

impl Inner {
    fn conns(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, AbortHandle>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Proxy {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            upstream,
            conns: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, inner.clone()));
        Ok(Self { addr, inner, accept })
    }

    /// Cuts the live connection chosen by `pick` (modulo their number).
    /// Returns false when there was none to cut.
    pub fn drop_one(&self, pick: u64) -> bool {
        let mut conns = self.inner.conns();
        let live: Vec<u64> = conns.iter().filter(|(_, h)| !h.is_finished()).map(|(id, _)| *id).collect();
        if live.is_empty() {
            return false;
        }
        let id = live[(pick % live.len() as u64) as usize];
        if let Some(h) = conns.remove(&id) {
            // Dropping the task closes both sockets.
            h.abort();
        }
        self.inner.dropped.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Connections cut so far.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// Connections currently open through the proxy.
    pub fn open(&self) -> usize {
        self.inner.conns().values().filter(|h| !h.is_finished()).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        for h in self.inner.conns().values() {
            h.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    loop {
        let Ok((client, _)) = listener.accept().await else { continue };
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        // The map is locked across the spawn, so the task cannot remove its
        // entry before it exists.
        let mut conns = inner.conns();
        let task = tokio::spawn(forward(client, inner.clone(), id));
        conns.insert(id, task.abort_handle());
    }
}

async fn forward(mut client: TcpStream, inner: Arc<Inner>, id: u64) {
    if let Ok(mut server) = TcpStream::connect(inner.upstream).await {
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
    inner.conns().remove(&id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn forwards_bytes_and_cuts_connections_on_demand() {
        let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let echo_addr = echo.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = echo.accept().await.unwrap();
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let proxy = Proxy::start(echo_addr).await.unwrap();
        let mut c = TcpStream::connect(proxy.addr).await.unwrap();
        c.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        c.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        assert_eq!(proxy.open(), 1);
        assert!(proxy.drop_one(7));
        assert_eq!(proxy.dropped(), 1);
        // The cut closes the client's side: reads end (EOF or reset), never hang.
        let n = c.read(&mut buf).await.unwrap_or(0);
        assert_eq!(n, 0);
        assert!(!proxy.drop_one(0), "nothing left to cut");
    }
}
