//! Running the real `accubooks` binary as a child process: `--spawn` starts
//! one, `--chaos` three (one with `--store sqlite`). The service prints `listening on http://ADDR` on
//! stdout once it is ready; its JSON log goes to a file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a service may take to migrate and bind.
const STARTUP_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error(
        "the accubooks binary was not found (looked at {0}); build it with \
         `cargo build --release -p accubooks-service --bin accubooks` or pass --service-bin"
    )]
    NotFound(String),
    #[error("starting {bin}: {err}")]
    Start { bin: String, err: std::io::Error },
    #[error("the service exited before it listened (status {status}); log: {log}")]
    Exited { status: String, log: String },
    #[error("the service did not report its address within {STARTUP_WAIT:?}; log: {log}")]
    Slow { log: String },
    #[error("log file {path}: {err}")]
    Log { path: String, err: std::io::Error },
}

/// Finds the service binary: an explicit path, `ACCUBOOKS_BIN`, or beside
/// this executable (cargo puts every workspace binary in one directory;
/// test executables live one level below, in `deps/`).
pub fn find_service_bin(explicit: Option<&Path>) -> Result<PathBuf, SpawnError> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os("ACCUBOOKS_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| SpawnError::NotFound(e.to_string()))?;
    let mut looked = Vec::new();
    for dir in exe.ancestors().skip(1).take(2) {
        let candidate = dir.join("accubooks");
        if candidate.is_file() {
            return Ok(candidate);
        }
        looked.push(candidate.display().to_string());
    }
    Err(SpawnError::NotFound(looked.join(", ")))
}

/// A running service process. Dropping it kills the process.
pub struct ServiceProcess {
    child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl ServiceProcess {
    /// Starts `bin serve` on `bind` (port 0 picks a free port) and waits
    /// until it reports the address it listens on.
    pub async fn start(
        bin: &Path,
        bind: &str,
        database_url: &str,
        log: &Path,
        env: &[(String, String)],
    ) -> Result<Self, SpawnError> {
        let log_err = |err| SpawnError::Log { path: log.display().to_string(), err };
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(log_err)?;
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .arg("--bind")
            .arg(bind)
            .arg("--database-url")
            .arg(database_url)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|err| SpawnError::Start { bin: bin.display().to_string(), err })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let found = tokio::time::timeout(STARTUP_WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = line.strip_prefix("listening on http://").and_then(|a| a.trim().parse().ok()) {
                    return Some(addr);
                }
            }
            None
        })
        .await;
        let log_s = log.display().to_string();
        let addr = match found {
            Ok(Some(addr)) => addr,
            Ok(None) => {
                let status = child.wait().await.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                return Err(SpawnError::Exited { status, log: log_s });
            }
            Err(_) => {
                let _ = child.start_kill();
                return Err(SpawnError::Slow { log: log_s });
            }
        };
        // Nothing more is printed on stdout, but keep the pipe drained.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, addr, log: log.to_owned() })
    }

    /// SIGKILL: requests in flight die wherever they are.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
