//! The service's own accept loop: hyper's `serve_connection` over
//! `tokio::net`. Production and the simulator run this same code
//! (`axum::serve` needs the real tokio reactor, which madsim replaces).

pub mod flush;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::serve::flush::FlushWhenDirty;

#[derive(Debug, Clone, Copy)]
pub struct ServeConfig {
    /// Tasks accepting on the listener concurrently (each accept costs
    /// time; several keep connection bursts from queueing).
    pub accept_tasks: usize,
    /// Open connections at most; further clients wait in the listen backlog.
    pub connections_max: usize,
    /// How long shutdown waits for in-flight requests to finish.
    pub shutdown_grace: Duration,
    /// How long a client may take to send a request's headers before the
    /// connection is closed (a slowloris client holds a connection slot
    /// only this long).
    pub header_read_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            accept_tasks: 4,
            connections_max: 1024,
            shutdown_grace: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// hyper's timer over `tokio::time`: the workspace `tokio` is madsim's
/// under simulation, so header timeouts run on simulated time there
/// (hyper-util's `TokioTimer` needs the real tokio runtime).
#[derive(Debug, Clone, Copy, Default)]
pub struct RuntimeTimer;

/// A `tokio::time` sleep, made `Sync` for hyper. The mutex is never
/// contended: only the connection task polls it.
struct RuntimeSleep(std::sync::Mutex<Pin<Box<dyn Future<Output = ()> + Send>>>);

impl Future for RuntimeSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.get_mut().0.get_mut() {
            Ok(sleep) => sleep.as_mut().poll(cx),
            // A poisoned sleep can only come from a panic in a poll; end it.
            Err(_) => Poll::Ready(()),
        }
    }
}

impl hyper::rt::Sleep for RuntimeSleep {}

impl hyper::rt::Timer for RuntimeTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(RuntimeSleep(std::sync::Mutex::new(Box::pin(tokio::time::sleep(duration)))))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(std::time::Instant::now()))
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
        acceptors.push(tokio::spawn(accept_loop(listener, router, permits, stop, config.header_read_timeout)));
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
    header_read_timeout: Duration,
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
                .timer(RuntimeTimer)
                .header_read_timeout(header_read_timeout)
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
