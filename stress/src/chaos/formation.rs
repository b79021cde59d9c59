//! A pg_auto_failover formation (monitor + two data nodes) that
//! `ci/pg-formation.sh` started: the failover chaos mode asks it for the
//! service's multi-host URL, which node is primary, to SIGKILL the
//! primary (postmaster and keeper), to start it again once the standby is
//! promoted, and to wait until it has rejoined.
//! The script owns the formation (its caller stops it in a trap); the tool
//! only drives it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use super::pg::PgError;

/// How long the formation may take to have a primary and a secondary again
/// after a kill (promotion, then the old primary's rewind and rejoin).
pub const REJOIN_WAIT_MAX: Duration = Duration::from_secs(180);
/// How often the primary is looked for while a failover is under way.
const POLL_EVERY: Duration = Duration::from_millis(100);

pub struct Formation {
    script: PathBuf,
    dir: PathBuf,
}

/// One failover as the formation lived it, in seconds from the load's start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Failover {
    pub killed_port: u16,
    pub promoted_port: u16,
    pub killed_at_s: f64,
    /// The monitor names another node primary.
    pub promoted_at_s: f64,
    /// A primary and a secondary again: the old primary has rejoined.
    pub rejoined_at_s: f64,
}

impl Formation {
    pub fn new(script: &Path, dir: &Path) -> Self {
        Self { script: script.to_owned(), dir: dir.to_owned() }
    }

    /// The service's URL: both data nodes, `target_session_attrs=read-write`.
    pub async fn url(&self) -> Result<String, PgError> {
        self.run(&["url"]).await
    }

    /// The primary's port; None while there is none.
    pub async fn primary(&self) -> Option<u16> {
        self.run(&["primary"]).await.ok()?.trim().parse().ok()
    }

    /// SIGKILLs the primary's postmaster and keeper (the node dies as a
    /// machine would); returns its port and the node's name.
    pub async fn kill_primary(&self) -> Result<(u16, String), PgError> {
        let port = self.primary().await.ok_or_else(|| PgError::Failed {
            cmd: "pg-formation.sh primary".into(),
            status: "no primary".into(),
            output: String::new(),
        })?;
        let node = self.run(&["kill-primary"]).await?;
        Ok((port, node))
    }

    /// Kills the primary, waits for the standby's promotion, starts the
    /// killed node again and follows the formation until it has rejoined
    /// as secondary; times are measured from `start`.
    pub async fn fail_over(&self, start: tokio::time::Instant) -> Result<Failover, PgError> {
        let at = |t: tokio::time::Instant| t.saturating_duration_since(start).as_secs_f64();
        let killed_at = tokio::time::Instant::now();
        let (killed_port, node) = self.kill_primary().await?;
        let deadline = killed_at + REJOIN_WAIT_MAX;
        let promoted_port = loop {
            match self.primary().await {
                Some(p) if p != killed_port => break p,
                _ if tokio::time::Instant::now() >= deadline => {
                    return Err(PgError::Failed {
                        cmd: "failover".into(),
                        status: format!("no new primary {} s after the kill", REJOIN_WAIT_MAX.as_secs()),
                        output: self.run(&["status"]).await.unwrap_or_default(),
                    })
                }
                _ => tokio::time::sleep(POLL_EVERY).await,
            }
        };
        let promoted_at = tokio::time::Instant::now();
        self.run(&["restart", &node]).await?;
        let left = deadline.saturating_duration_since(promoted_at).as_secs().max(1).to_string();
        self.run(&["wait-stable", &left]).await?;
        Ok(Failover {
            killed_port,
            promoted_port,
            killed_at_s: at(killed_at),
            promoted_at_s: at(promoted_at),
            rejoined_at_s: at(tokio::time::Instant::now()),
        })
    }

    async fn run(&self, args: &[&str]) -> Result<String, PgError> {
        let (cmd, rest) = args.split_first().expect("a command");
        let mut c = Command::new(&self.script);
        c.arg(cmd).arg(&self.dir).args(rest).stdin(std::process::Stdio::null());
        let name = format!("{} {cmd}", self.script.display());
        let out = c.output().await.map_err(|err| PgError::Spawn { cmd: name.clone(), err })?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned());
        }
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        Err(PgError::Failed { cmd: name, status: out.status.to_string(), output })
    }
}
