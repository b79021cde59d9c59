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

/// The WAL archive's directory under the cluster's root.
const WAL_ARCHIVE: &str = "wal-archive";
/// The restore drill's named restore point.
pub const RESTORE_POINT: &str = "accubooks_drill";
/// How long a point-in-time recovery may take to reach its target.
const RECOVERY_WAIT: Duration = Duration::from_secs(300);

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
        Self::create_with(bin_dir, root, port, "").await
    }

    /// initdb + start with every completed WAL segment copied to
    /// `root/wal-archive` (`archive_mode`), so that a base backup plus the
    /// archive can restore the cluster to any moment since the backup.
    pub async fn create_archiving(bin_dir: &Path, root: &Path, port: u16) -> Result<Self, PgError> {
        let archive = root.join(WAL_ARCHIVE);
        std::fs::create_dir_all(&archive)?;
        let conf = format!(
            "wal_level = replica\narchive_mode = on\n\
             archive_command = 'test ! -f {a}/%f && cp %p {a}/%f'\n",
            a = archive.display()
        );
        Self::create_with(bin_dir, root, port, &conf).await
    }

    async fn create_with(bin_dir: &Path, root: &Path, port: u16, extra_conf: &str) -> Result<Self, PgError> {
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
             unix_socket_directories = '{}'\nmax_connections = {MAX_CONNECTIONS}\n{extra_conf}",
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

    /// A SIGKILL-like stop (no checkpoint): the disaster of the restore drill.
    pub async fn stop_immediate(&self) -> Result<(), PgError> {
        self.pg_ctl(&["-m", "immediate", "stop"]).await
    }

    /// An online base backup (`pg_basebackup`, its WAL streamed alongside)
    /// into `root/name`, taken while the cluster serves load.
    pub async fn base_backup(&self, name: &str) -> Result<PathBuf, PgError> {
        let dest = self.root.join(name);
        let mut cmd = self.command("pg_basebackup");
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-D"]).arg(&dest).args([
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        ]);
        run(&mut cmd).await?;
        Ok(dest)
    }

    /// Point-in-time recovery: the data directory is replaced by the base
    /// backup at `backup` (the lost one is kept beside it as `data.lost`),
    /// the archive replayed up to the named restore point `target`, and the
    /// cluster promoted and open for writes on a new timeline. Returns once
    /// it is out of recovery.
    pub async fn restore_to(&self, backup: &Path, target: &str) -> Result<(), PgError> {
        let lost = self.root.join("data.lost");
        std::fs::rename(&self.data, &lost)?;
        let mut cp = Command::new("cp");
        cp.arg("-a").arg(backup).arg(&self.data);
        run(&mut cp).await?;
        let archive = self.root.join(WAL_ARCHIVE);
        let conf = format!(
            "\n# restore drill: point-in-time recovery\nrestore_command = 'cp {a}/%f %p'\n\
             recovery_target_name = '{target}'\nrecovery_target_action = 'promote'\n",
            a = archive.display()
        );
        let auto = self.data.join("postgresql.auto.conf");
        let mut existing = std::fs::read_to_string(&auto).unwrap_or_default();
        existing.push_str(&conf);
        std::fs::write(&auto, existing)?;
        std::fs::write(self.data.join("recovery.signal"), "")?;
        if let Some(user) = &self.run_as {
            run(Command::new("chown").arg("-R").arg(format!("{user}:")).arg(&self.data)).await?;
        }
        self.pg_ctl(&["start"]).await?;
        let deadline = tokio::time::Instant::now() + RECOVERY_WAIT;
        loop {
            match self.query_bool("SELECT pg_is_in_recovery()").await {
                Ok(false) => return Ok(()),
                _ if tokio::time::Instant::now() >= deadline => {
                    return Err(PgError::Failed {
                        cmd: "point-in-time recovery".into(),
                        status: format!("still in recovery after {RECOVERY_WAIT:?}"),
                        output: format!("see {}", self.log.display()),
                    })
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Runs one query answering one boolean, through psql (no pool).
    async fn query_bool(&self, sql: &str) -> Result<bool, PgError> {
        let out = self.psql(sql).await?;
        Ok(out.trim() == "t")
    }

    /// Runs `sql` with psql against the `postgres` database; its output, unaligned.
    pub async fn psql(&self, sql: &str) -> Result<String, PgError> {
        let mut cmd = Command::new(self.bin_dir.join("psql"));
        cmd.args(["-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]).arg(self.url("postgres"));
        cmd.stdin(std::process::Stdio::null());
        let name = format!("psql -c {sql:?}");
        let out = cmd.output().await.map_err(|err| PgError::Spawn { cmd: name.clone(), err })?;
        if !out.status.success() {
            return Err(PgError::Failed {
                cmd: name,
                status: out.status.to_string(),
                output: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Creates the named restore point the drill recovers to.
    pub async fn create_restore_point(&self, name: &str) -> Result<(), PgError> {
        self.psql(&format!("SELECT pg_create_restore_point('{name}')")).await.map(drop)
    }

    /// Closes the current WAL segment and waits until the archive has it,
    /// so the archive holds everything committed so far.
    pub async fn archive_everything(&self) -> Result<String, PgError> {
        let segment = self.psql("SELECT pg_walfile_name(pg_switch_wal())").await?.trim().to_owned();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let archived = self.root.join(WAL_ARCHIVE).join(&segment);
        while !archived.exists() {
            if tokio::time::Instant::now() >= deadline {
                return Err(PgError::Failed {
                    cmd: "WAL archiving".into(),
                    status: format!("{segment} not archived within 60 s"),
                    output: format!("see {}", self.log.display()),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(segment)
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
