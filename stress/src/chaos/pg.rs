//! A private PostgreSQL cluster for fault injection: its own data
//! directory, port and socket directory, so restarting it never touches
//! a server anyone else uses. Postgres refuses to run as root; as root the
//! tool runs its commands as the `postgres` user.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("{cmd}: {err}")]
    Spawn { cmd: String, err: std::io::Error },
    #[error("{cmd} failed ({status}): {output}")]
    Failed { cmd: String, status: String, output: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// How a restart stops the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    /// Disconnects clients, aborts their transactions, checkpoints.
    Fast,
    /// Like a crash: no checkpoint, WAL replay on start.
    Immediate,
}

impl StopMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Immediate => "immediate",
        }
    }
}

/// Limits of the private cluster.
const PG_CTL_WAIT_S: u32 = 120;
const MAX_CONNECTIONS: u32 = 300;

pub struct PgCluster {
    bin_dir: PathBuf,
    root: PathBuf,
    data: PathBuf,
    log: PathBuf,
    pub port: u16,
    /// Some("postgres") when running as root.
    run_as: Option<String>,
}

impl PgCluster {
    /// initdb + start. `root` must not exist yet; it holds data, socket and log.
    pub async fn create(bin_dir: &Path, root: &Path, port: u16) -> Result<Self, PgError> {
        std::fs::create_dir_all(root)?;
        let run_as = if is_root().await { Some("postgres".to_owned()) } else { None };
        if let Some(user) = &run_as {
            run(Command::new("chown").arg("-R").arg(format!("{user}:")).arg(root)).await?;
        }
        let c = Self {
            bin_dir: bin_dir.to_owned(),
            root: root.to_owned(),
            data: root.join("data"),
            log: root.join("postgres.log"),
            port,
            run_as,
        };
        let mut initdb = c.command("initdb");
        initdb.arg("-D").arg(&c.data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        run(&mut initdb).await?;
        // Everything in the config file, so restarts keep it.
        let conf = format!(
            "\n# accubooks-stress private cluster\nport = {port}\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nmax_connections = {MAX_CONNECTIONS}\n",
            root.display()
        );
        let conf_path = c.data.join("postgresql.conf");
        let mut existing = std::fs::read_to_string(&conf_path)?;
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing)?;
        c.pg_ctl(&["start"]).await?;
        Ok(c)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    pub async fn restart(&self, mode: StopMode) -> Result<(), PgError> {
        self.pg_ctl(&["-m", mode.as_str(), "restart"]).await
    }

    pub async fn stop(&self) -> Result<(), PgError> {
        self.pg_ctl(&["-m", "fast", "stop"]).await
    }

    /// Stops the server (if running) and deletes its directory.
    pub async fn destroy(self) {
        let _ = self.stop().await;
        let _ = std::fs::remove_dir_all(&self.root);
    }

    async fn pg_ctl(&self, args: &[&str]) -> Result<(), PgError> {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", &PG_CTL_WAIT_S.to_string()])
            .args(args);
        run(&mut cmd).await
    }

    fn command(&self, program: &str) -> Command {
        let bin = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(bin);
                c
            }
            None => Command::new(bin),
        }
    }
}

async fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().await;
    out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

async fn run(cmd: &mut Command) -> Result<(), PgError> {
    let name = format!("{:?}", cmd.as_std());
    // pg_ctl keeps the server's stdio open if it inherits pipes: give it none.
    cmd.stdin(std::process::Stdio::null());
    let out = tokio::time::timeout(Duration::from_secs(u64::from(PG_CTL_WAIT_S) + 30), cmd.output())
        .await
        .map_err(|_| PgError::Failed { cmd: name.clone(), status: "timed out".into(), output: String::new() })?
        .map_err(|err| PgError::Spawn { cmd: name.clone(), err })?;
    if out.status.success() {
        return Ok(());
    }
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Err(PgError::Failed { cmd: name, status: out.status.to_string(), output })
}
