//! Service replicas: the real `accubooks` binary, several times, on
//! loopback ports, sharing one database (once on a SQLite file: the store
//! is embedded in the service). A killed replica comes back on the same
//! port, so clients find it where they left it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::spawn::{ServiceProcess, SpawnError};

/// How long a restart keeps trying (Postgres may itself be restarting).
const RESTART_WAIT_MAX: Duration = Duration::from_secs(90);
const RESTART_PAUSE: Duration = Duration::from_millis(250);

pub struct Replicas {
    bin: PathBuf,
    database_url: String,
    log_dir: PathBuf,
    env: Vec<(String, String)>,
    pub addrs: Vec<SocketAddr>,
    procs: Vec<Mutex<Option<ServiceProcess>>>,
}

impl Replicas {
    pub async fn start(
        n: usize,
        bin: PathBuf,
        database_url: String,
        log_dir: PathBuf,
        env: Vec<(String, String)>,
    ) -> Result<Self, SpawnError> {
        let mut addrs = Vec::with_capacity(n);
        let mut procs = Vec::with_capacity(n);
        for i in 0..n {
            let p = ServiceProcess::start(&bin, "127.0.0.1:0", &database_url, &log_dir.join(log_name(i)), &env).await?;
            addrs.push(p.addr);
            procs.push(Mutex::new(Some(p)));
        }
        Ok(Self { bin, database_url, log_dir, env, addrs, procs })
    }

    /// SIGKILLs replica `i`; false if it was already down.
    pub async fn kill(&self, i: usize) -> bool {
        let p = self.procs[i].lock().await.take();
        match p {
            Some(p) => {
                p.kill().await;
                true
            }
            None => false,
        }
    }

    /// Starts replica `i` again on its old port, retrying until it listens.
    pub async fn restart(&self, i: usize) -> Result<(), SpawnError> {
        let mut slot = self.procs[i].lock().await;
        if slot.is_some() {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + RESTART_WAIT_MAX;
        let bind = self.addrs[i].to_string();
        loop {
            let log = self.log_dir.join(log_name(i));
            match ServiceProcess::start(&self.bin, &bind, &self.database_url, &log, &self.env).await {
                Ok(p) => {
                    *slot = Some(p);
                    return Ok(());
                }
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(RESTART_PAUSE).await,
            }
        }
    }

    pub async fn stop_all(&self) {
        for p in &self.procs {
            if let Some(p) = p.lock().await.take() {
                p.kill().await;
            }
        }
    }
}

fn log_name(i: usize) -> String {
    format!("replica-{i}.log")
}
