//! The service's own accept loop: hyper's `serve_connection` over
//! `tokio::net`. Production and the simulator run this same code
//! (`axum::serve` needs the real tokio reactor, which madsim replaces).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::io::FlushWhenDirty;

#[derive(Debug, Clone, Copy)]
pub struct ServeConfig {
    /// Tasks accepting on the listener concurrently (each accept costs
    /// time; several keep connection bursts from queueing).
    pub accept_tasks: usize,
    /// Open connections at most; further clients wait in the listen backlog.
    pub connections_max: usize,
    /// How long shutdown waits for in-flight requests to finish.
    pub shutdown_grace: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self { accept_tasks: 4, connections_max: 1024, shutdown_grace: Duration::from_secs(10) }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting, lets open connections finish their current request and
/// returns (after at most `shutdown_grace`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let listener = Arc::new(listener);
    let permits = Arc::new(Semaphore::new(config.connections_max));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut acceptors = Vec::with_capacity(config.accept_tasks);
    for _ in 0..config.accept_tasks.max(1) {
        let (listener, router, permits, stop) = (listener.clone(), router.clone(), permits.clone(), stop_rx.clone());
        acceptors.push(tokio::spawn(accept_loop(listener, router, permits, stop)));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    for a in acceptors {
        let _ = a.await;
    }
    // Every open connection holds one permit: all back means all drained.
    let all = u32::try_from(config.connections_max).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(config.shutdown_grace, permits.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("shutdown grace period over with connections still open");
    }
}

async fn accept_loop(
    listener: Arc<TcpListener>,
    router: Router,
    permits: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let permit = tokio::select! {
            _ = stop.changed() => return,
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
        };
        let accepted = tokio::select! {
            _ = stop.changed() => return,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Typically EMFILE or a reset before accept: back off briefly.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let conn = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(FlushWhenDirty::new(stream)), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(permit);
        });
    }
}
