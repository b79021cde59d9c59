//! Command-line interface.

use std::path::PathBuf;
use std::time::Duration;

use accubooks_stress::chaos::ChaosPlan;
use accubooks_stress::driver::{ClientLimits, Model};
use accubooks_stress::thresholds::Thresholds;
use accubooks_stress::workload::Workload;
use anyhow::{bail, Context};
use clap::{ArgGroup, Parser, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "accubooks-stress",
    version,
    about = "Load, latency and zero-duplicate verification against a live AccuBooks service",
    after_help = "Exit status: 0 passed; 1 error; 2 verification failed (duplicates, lost writes, \
                  violations); 3 a threshold broken."
)]
#[command(group(ArgGroup::new("where").required(true).args(["spawn", "target", "chaos", "restore_drill"])))]
pub struct Args {
    /// Start a local service (the `accubooks` binary) on a temporary SQLite
    /// file, or on --database-url.
    #[arg(long)]
    pub spawn: bool,
    /// Base URL of a running service, e.g. http://127.0.0.1:8080
    /// (comma-separated for several replicas). Needs --token.
    #[arg(long, value_delimiter = ',', requires = "token")]
    pub target: Vec<String>,
    /// Bearer token of the tenant to load (with --target).
    #[arg(long, env = "ACCUBOOKS_TOKEN")]
    pub token: Option<String>,
    /// Database to verify against (and, with --spawn, to serve from). Without
    /// it a --target run is verified through the read API.
    #[arg(long)]
    pub database_url: Option<String>,
    /// With --spawn and a postgres:// --database-url: create a fresh database
    /// on that server for this run and drop it afterwards.
    #[arg(long, requires = "database_url")]
    pub fresh_database: bool,
    /// Path of the `accubooks` binary (default: ACCUBOOKS_BIN, or beside this one).
    #[arg(long)]
    pub service_bin: Option<PathBuf>,

    /// Operations to drive: `all` or a comma-separated list of registered names.
    #[arg(long, default_value = "all")]
    pub operation: String,
    #[arg(long, value_enum, default_value_t = WorkloadArg::Distinct)]
    pub workload: WorkloadArg,
    /// Clients sharing one key in the storm workload (default: --concurrency).
    #[arg(long)]
    pub storm_size: Option<u32>,
    /// Keys per operation the replay workload creates and then replays.
    #[arg(long, default_value_t = 1000)]
    pub replay_keys: u64,
    /// Upper bound of the deliberately short first deadline (retry-after-timeout).
    #[arg(long, default_value_t = 20)]
    pub first_timeout_ms_max: u64,

    /// Concurrent clients (closed model), or connections (open model).
    #[arg(long, default_value_t = 64)]
    pub concurrency: u32,
    /// Open model: requests per second, latency measured from each request's
    /// intended send time (coordinated omission corrected).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Logical requests per operation (each operation runs in turn, unless --ops-at-once).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Seconds of load per operation (fractions allowed).
    #[arg(long)]
    pub duration: Option<f64>,
    /// Drive all selected operations at once instead of one after another.
    #[arg(long)]
    pub ops_at_once: bool,

    /// Deadline of one attempt, in milliseconds.
    #[arg(long, default_value_t = 15_000)]
    pub timeout_ms: u64,
    /// Attempts per logical request before it is abandoned (a verification failure).
    #[arg(long, default_value_t = 200)]
    pub attempts_max: u32,
    /// Seed of payload variants and fault times (default: random, printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Load threads, each running its share of the clients on its own
    /// event loop (default: the machine's cores).
    #[arg(long)]
    pub threads: Option<usize>,

    /// Write the report as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the latency distribution as SVG.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Fail (exit 3) if an operation's end-to-end p95 exceeds this.
    #[arg(long)]
    pub max_p95_ms: Option<f64>,
    /// Fail (exit 3) if failed attempts / attempts exceeds this (0.01 = 1 %).
    #[arg(long)]
    pub max_failure_rate: Option<f64>,
    /// No live progress on stderr.
    #[arg(long)]
    pub no_progress: bool,

    /// Real faults under load (implies --ops-at-once), on the store --store names.
    #[arg(long)]
    pub chaos: bool,
    /// The disaster-recovery drill: replicas on a private Postgres cluster
    /// that archives its WAL; an online base backup and a named restore
    /// point during --duration seconds of load on every operation
    /// [default: 20]; the primary lost, the cluster restored to that point
    /// and the replicas restarted on it; then every client retries every
    /// key twice and the drill verifies what the restore kept, erased and
    /// re-executed (docs/operations.md, "Restore drill").
    #[arg(long)]
    pub restore_drill: bool,
    /// The store of a chaos run. `postgres`: replicas on a private Postgres
    /// cluster behind a proxy; Postgres restarts, replica SIGKILLs, cut
    /// connections. `sqlite`: one service on a SQLite file (the embedded
    /// store), SIGKILLed and restarted on the same file and port.
    /// `failover`: replicas on a pg_auto_failover formation (--formation)
    /// through a multi-host URL, its primary SIGKILLed --failovers times.
    /// [default: postgres]
    #[arg(long, value_enum)]
    pub store: Option<StoreArg>,
    /// Service replicas (--store postgres) [default: 3]. SQLite runs one.
    #[arg(long)]
    pub replicas: Option<usize>,
    #[arg(long, default_value_t = 10.0)]
    pub healthy_s: f64,
    #[arg(long, default_value_t = 60.0)]
    pub fault_s: f64,
    #[arg(long, default_value_t = 20.0)]
    pub recovery_s: f64,
    /// Postgres restarts (--store postgres) [default: 6].
    #[arg(long)]
    pub postgres_restarts: Option<u32>,
    /// Replica SIGKILLs (--store postgres) [default: 4].
    #[arg(long)]
    pub replica_kills: Option<u32>,
    /// Mean milliseconds between two connection cuts in the fault phase
    /// (--store postgres) [default: 300].
    #[arg(long)]
    pub drop_interval_ms: Option<u64>,
    /// How long a killed replica stays down (--store postgres) [default: 2000].
    #[arg(long)]
    pub replica_down_ms: Option<u64>,
    /// Directory of initdb and pg_ctl for the private cluster (--store
    /// postgres) [default: /usr/lib/postgresql/15/bin].
    #[arg(long)]
    pub pg_bin_dir: Option<PathBuf>,
    /// SIGKILLs of the service (--store sqlite) [default: 24]. It is the
    /// only process: a kill due while it is still down waits until it is back.
    #[arg(long)]
    pub service_kills: Option<u32>,
    /// How long the killed service stays down (--store sqlite) [default: 500].
    #[arg(long)]
    pub service_down_ms: Option<u64>,
    /// The directory of a running formation that `ci/pg-formation.sh start`
    /// made (--store failover).
    #[arg(long)]
    pub formation: Option<PathBuf>,
    /// The script that drives the formation (--store failover).
    #[arg(long, default_value = "ci/pg-formation.sh")]
    pub formation_script: PathBuf,
    /// Primary failovers (--store failover) [default: 10]; each waits for
    /// the previous one's old primary to rejoin.
    #[arg(long)]
    pub failovers: Option<u32>,
}

/// Defaults of the chaos flags that apply to one store only.
const REPLICAS: usize = 3;
const POSTGRES_RESTARTS: u32 = 6;
const REPLICA_KILLS: u32 = 4;
const DROP_INTERVAL_MS: u64 = 300;
const REPLICA_DOWN_MS: u64 = 2000;
const PG_BIN_DIR: &str = "/usr/lib/postgresql/15/bin";
const SERVICE_KILLS: u32 = 24;
const SERVICE_DOWN_MS: u64 = 500;
const FAILOVERS: u32 = 10;
const DRILL_LOAD_S: f64 = 20.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    Postgres,
    Sqlite,
    Failover,
}

impl StoreArg {
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
            Self::Failover => "failover",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadArg {
    Distinct,
    Storm,
    RetryAfterTimeout,
    Mismatch,
    Replay,
    Mixed,
    Read,
}

impl Args {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.concurrency == 0 {
            bail!("--concurrency must be at least 1");
        }
        if let Some(r) = self.rate {
            if !(r > 0.0 && r.is_finite()) {
                bail!("--rate must be a positive number of requests per second");
            }
        }
        if let Some(d) = self.duration {
            if !(d > 0.0 && d.is_finite()) {
                bail!("--duration must be a positive number of seconds");
            }
        }
        if self.restore_drill {
            return self.validate_drill();
        }
        if !self.chaos && self.requests.is_none() && self.duration.is_none() {
            bail!("bound the run with --requests and/or --duration");
        }
        if self.workload == WorkloadArg::Storm && self.rate.is_none() {
            let k = self.storm_size();
            if k == 0 || !self.concurrency.is_multiple_of(k) {
                bail!("--concurrency ({}) must be a multiple of --storm-size ({k})", self.concurrency);
            }
        }
        if self.workload == WorkloadArg::Replay && self.replay_keys == 0 {
            bail!("--replay-keys must be at least 1");
        }
        if self.chaos {
            self.validate_chaos()?;
        } else if self.store.is_some()
            || self.service_kills.is_some()
            || self.service_down_ms.is_some()
            || self.formation.is_some()
            || self.failovers.is_some()
        {
            bail!("--store, --service-kills, --service-down-ms, --formation and --failovers are for --chaos runs");
        }
        if self.fresh_database && !self.database_url.as_deref().is_some_and(|u| u.starts_with("postgres")) {
            bail!("--fresh-database needs a postgres:// --database-url");
        }
        Ok(())
    }

    /// The drill runs its own load and faults: their flags are refused.
    fn validate_drill(&self) -> anyhow::Result<()> {
        let foreign: Vec<&str> = [
            ("--requests", self.requests.is_some()),
            ("--rate", self.rate.is_some()),
            ("--store", self.store.is_some()),
            ("--formation", self.formation.is_some()),
            ("--failovers", self.failovers.is_some()),
            ("--postgres-restarts", self.postgres_restarts.is_some()),
            ("--replica-kills", self.replica_kills.is_some()),
            ("--service-kills", self.service_kills.is_some()),
            ("--database-url", self.database_url.is_some()),
            ("--ops-at-once", self.ops_at_once),
        ]
        .iter()
        .filter(|(_, given)| *given)
        .map(|(name, _)| *name)
        .collect();
        if !foreign.is_empty() {
            bail!(
                "not for --restore-drill: {} (the drill makes its own cluster, runs every operation at once for \
                 --duration seconds, and its only fault is the restore)",
                foreign.join(", ")
            );
        }
        if !matches!(self.workload, WorkloadArg::Distinct | WorkloadArg::Mixed | WorkloadArg::RetryAfterTimeout) {
            bail!("--restore-drill retries every key it sent: --workload distinct, mixed or retry-after-timeout");
        }
        if self.replicas == Some(0) {
            bail!("--replicas must be at least 1");
        }
        Ok(())
    }

    /// Seconds of load of the restore drill.
    pub fn drill_load(&self) -> Duration {
        Duration::from_secs_f64(self.duration.unwrap_or(DRILL_LOAD_S))
    }

    /// Refuses flags of the other store and a plan the run cannot keep.
    fn validate_chaos(&self) -> anyhow::Result<()> {
        let given = |flags: &[(&'static str, bool)]| -> Vec<&'static str> {
            flags.iter().filter(|(_, given)| *given).map(|(name, _)| *name).collect()
        };
        let (foreign, why) = match self.store() {
            StoreArg::Postgres => (
                given(&[
                    ("--service-kills", self.service_kills.is_some()),
                    ("--service-down-ms", self.service_down_ms.is_some()),
                    ("--formation", self.formation.is_some()),
                    ("--failovers", self.failovers.is_some()),
                ]),
                "they belong to --store sqlite or failover; a Postgres chaos run kills replicas: --replica-kills, \
                 --replica-down-ms",
            ),
            StoreArg::Failover => (
                given(&[
                    ("--service-kills", self.service_kills.is_some()),
                    ("--service-down-ms", self.service_down_ms.is_some()),
                    ("--postgres-restarts", self.postgres_restarts.is_some()),
                    ("--drop-interval-ms", self.drop_interval_ms.is_some()),
                    ("--pg-bin-dir", self.pg_bin_dir.is_some()),
                ]),
                "a failover run has no private cluster and no proxy: the formation is ci/pg-formation.sh's, its \
                 faults are --failovers (and --replica-kills)",
            ),
            StoreArg::Sqlite => (
                given(&[
                    ("--postgres-restarts", self.postgres_restarts.is_some()),
                    ("--replica-kills", self.replica_kills.is_some()),
                    ("--drop-interval-ms", self.drop_interval_ms.is_some()),
                    ("--replica-down-ms", self.replica_down_ms.is_some()),
                    ("--pg-bin-dir", self.pg_bin_dir.is_some()),
                    ("--formation", self.formation.is_some()),
                    ("--failovers", self.failovers.is_some()),
                ]),
                "they belong to --store postgres or failover; a SQLite chaos run has no Postgres and no proxy, and kills \
                 its one service: --service-kills, --service-down-ms",
            ),
        };
        if !foreign.is_empty() {
            bail!("not for --store {}: {} ({why})", self.store().name(), foreign.join(", "));
        }
        match (self.store(), self.replicas()) {
            (StoreArg::Sqlite, n) if n != 1 => {
                bail!("--store sqlite runs one service (the store is embedded in it): --replicas must be 1, not {n}")
            }
            (_, 0) => bail!("--replicas must be at least 1"),
            _ => {}
        }
        if self.store() == StoreArg::Failover && self.formation.is_none() {
            bail!("--store failover needs --formation DIR (a formation ci/pg-formation.sh start DIR made)");
        }
        let plan = self.chaos_plan(0)?;
        if let Some(gap) = plan.service_kill_gap_min() {
            if plan.down > gap {
                bail!(
                    "{} service kills in {} s of faults may come {:.2} s apart, less than --service-down-ms ({} ms): \
                     fewer kills, a longer --fault-s or a shorter down time",
                    plan.service_kills,
                    self.fault_s,
                    gap.as_secs_f64(),
                    plan.down.as_millis()
                );
            }
        }
        Ok(())
    }

    pub fn store(&self) -> StoreArg {
        self.store.unwrap_or(StoreArg::Postgres)
    }

    pub fn replicas(&self) -> usize {
        match self.store() {
            StoreArg::Postgres | StoreArg::Failover => self.replicas.unwrap_or(REPLICAS),
            StoreArg::Sqlite => self.replicas.unwrap_or(1),
        }
    }

    pub fn pg_bin_dir(&self) -> PathBuf {
        self.pg_bin_dir.clone().unwrap_or_else(|| PathBuf::from(PG_BIN_DIR))
    }

    pub fn storm_size(&self) -> u32 {
        self.storm_size.unwrap_or(self.concurrency)
    }

    pub fn workload(&self) -> Workload {
        match self.workload {
            WorkloadArg::Distinct => Workload::Distinct,
            WorkloadArg::Storm => Workload::Storm { size: self.storm_size() },
            WorkloadArg::RetryAfterTimeout => {
                Workload::RetryAfterTimeout { first_timeout_ms_max: self.first_timeout_ms_max.max(1) }
            }
            WorkloadArg::Mismatch => Workload::Mismatch,
            WorkloadArg::Replay => Workload::Replay { keys: self.replay_keys },
            WorkloadArg::Mixed => Workload::Mixed,
            WorkloadArg::Read => Workload::Read,
        }
    }

    pub fn model(&self) -> Model {
        match self.rate {
            Some(rate) => Model::Open { rate },
            None => Model::Closed,
        }
    }

    pub fn limits(&self) -> ClientLimits {
        ClientLimits {
            attempt_timeout: Duration::from_millis(self.timeout_ms),
            attempts_max: self.attempts_max.max(1),
            ..ClientLimits::default()
        }
    }

    pub fn load_threads(&self) -> usize {
        self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
    }

    pub fn thresholds(&self) -> Thresholds {
        Thresholds { max_p95_ms: self.max_p95_ms, max_failure_rate: self.max_failure_rate }
    }

    pub fn duration(&self) -> Option<Duration> {
        self.duration.map(Duration::from_secs_f64)
    }

    pub fn chaos_plan(&self, seed: u64) -> anyhow::Result<ChaosPlan> {
        let secs = |name: &str, s: f64| {
            if s >= 0.0 && s.is_finite() {
                Ok(Duration::from_secs_f64(s))
            } else {
                Err(anyhow::anyhow!("--{name} must be a non-negative number of seconds"))
            }
        };
        let (postgres_restarts, replica_kills, service_kills, down_ms) = match self.store() {
            StoreArg::Postgres => (
                self.postgres_restarts.unwrap_or(POSTGRES_RESTARTS),
                self.replica_kills.unwrap_or(REPLICA_KILLS),
                0,
                self.replica_down_ms.unwrap_or(REPLICA_DOWN_MS),
            ),
            StoreArg::Sqlite => {
                (0, 0, self.service_kills.unwrap_or(SERVICE_KILLS), self.service_down_ms.unwrap_or(SERVICE_DOWN_MS))
            }
            StoreArg::Failover => {
                (0, self.replica_kills.unwrap_or(0), 0, self.replica_down_ms.unwrap_or(REPLICA_DOWN_MS))
            }
        };
        let failovers = match self.store() {
            StoreArg::Failover => self.failovers.unwrap_or(FAILOVERS),
            _ => 0,
        };
        Ok(ChaosPlan {
            healthy: secs("healthy-s", self.healthy_s)?,
            fault: secs("fault-s", self.fault_s).context("chaos plan")?,
            recovery: secs("recovery-s", self.recovery_s)?,
            postgres_restarts,
            replica_kills,
            service_kills,
            failovers,
            drop_interval: Duration::from_millis(self.drop_interval_ms.unwrap_or(DROP_INTERVAL_MS).max(1)),
            down: Duration::from_millis(down_ms),
            seed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("accubooks-stress").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn a_run_needs_a_place_and_a_bound() {
        assert!(Args::try_parse_from(["accubooks-stress", "--requests", "5"]).is_err(), "no --spawn/--target/--chaos");
        assert!(Args::try_parse_from(["accubooks-stress", "--target", "http://x"]).is_err(), "--target needs --token");
        assert!(parse(&["--spawn"]).validate().is_err(), "unbounded");
        parse(&["--spawn", "--requests", "10"]).validate().unwrap();
        parse(&["--chaos"]).validate().unwrap();
    }

    #[test]
    fn the_restore_drill_takes_its_size_and_refuses_other_faults() {
        let a = parse(&["--restore-drill", "--concurrency", "200", "--duration", "60", "--replicas", "3"]);
        a.validate().unwrap();
        assert_eq!((a.drill_load(), a.replicas()), (Duration::from_secs(60), 3));
        assert_eq!(parse(&["--restore-drill"]).drill_load(), Duration::from_secs(20), "bounded by default");
        parse(&["--restore-drill", "--workload", "mixed"]).validate().unwrap();
        for (flags, named) in [
            (&["--restore-drill", "--requests", "5"][..], "--requests"),
            (&["--restore-drill", "--store", "sqlite"][..], "--store"),
            (&["--restore-drill", "--failovers", "2"][..], "--failovers"),
            (&["--restore-drill", "--database-url", "postgres://x/y"][..], "--database-url"),
        ] {
            let e = refusal(flags);
            assert!(e.contains(named) && e.contains("not for --restore-drill"), "{flags:?}: {e}");
        }
        assert!(refusal(&["--restore-drill", "--workload", "storm"]).contains("retries every key"));
        assert!(refusal(&["--restore-drill", "--replicas", "0"]).contains("at least 1"));
        assert!(Args::try_parse_from(["accubooks-stress", "--restore-drill", "--chaos"]).is_err(), "one place");
    }

    #[test]
    fn storms_must_divide_the_clients() {
        assert!(parse(&[
            "--spawn",
            "--requests",
            "9",
            "--workload",
            "storm",
            "--concurrency",
            "10",
            "--storm-size",
            "3"
        ])
        .validate()
        .is_err());
        let a = parse(&["--spawn", "--requests", "9", "--workload", "storm", "--concurrency", "500"]);
        a.validate().unwrap();
        assert_eq!(a.workload(), Workload::Storm { size: 500 });
    }

    #[test]
    fn rate_selects_the_open_model() {
        let a = parse(&["--spawn", "--duration", "2.5", "--rate", "1000"]);
        assert_eq!(a.model(), Model::Open { rate: 1000.0 });
        assert_eq!(a.duration(), Some(Duration::from_millis(2500)));
        assert!(parse(&["--spawn", "--duration", "1", "--rate", "0"]).validate().is_err());
    }

    fn refusal(args: &[&str]) -> String {
        match parse(args).validate() {
            Ok(()) => panic!("{args:?} was accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn postgres_stays_the_default_chaos_store() {
        // The nightly's command.
        let a = parse(&[
            "--chaos",
            "--pg-bin-dir",
            "/opt/pg/bin",
            "--concurrency",
            "200",
            "--healthy-s",
            "10",
            "--fault-s",
            "60",
            "--recovery-s",
            "20",
            "--postgres-restarts",
            "6",
            "--replica-kills",
            "4",
            "--drop-interval-ms",
            "300",
        ]);
        a.validate().unwrap();
        assert_eq!((a.store(), a.replicas(), a.pg_bin_dir()), (StoreArg::Postgres, 3, PathBuf::from("/opt/pg/bin")));
        let plan = a.chaos_plan(1).unwrap();
        assert_eq!((plan.postgres_restarts, plan.replica_kills, plan.service_kills), (6, 4, 0));
        assert_eq!((plan.drop_interval, plan.down), (Duration::from_millis(300), Duration::from_secs(2)));
        let d = parse(&["--chaos"]);
        assert_eq!((d.replicas(), d.pg_bin_dir()), (3, PathBuf::from(PG_BIN_DIR)));
        let plan = d.chaos_plan(1).unwrap();
        assert_eq!((plan.postgres_restarts, plan.replica_kills, plan.service_kills), (6, 4, 0));
    }

    #[test]
    fn sqlite_chaos_kills_one_service() {
        let a = parse(&["--chaos", "--store", "sqlite", "--concurrency", "200", "--service-kills", "30"]);
        a.validate().unwrap();
        assert_eq!((a.store(), a.replicas()), (StoreArg::Sqlite, 1));
        let plan = a.chaos_plan(5).unwrap();
        assert_eq!((plan.postgres_restarts, plan.replica_kills, plan.service_kills), (0, 0, 30));
        assert_eq!((plan.down, plan.seed), (Duration::from_millis(500), 5));
        let d = parse(&["--chaos", "--store", "sqlite", "--replicas", "1", "--service-down-ms", "250"]);
        d.validate().unwrap();
        let plan = d.chaos_plan(5).unwrap();
        assert_eq!((plan.service_kills, plan.down), (SERVICE_KILLS, Duration::from_millis(250)));
    }

    #[test]
    fn chaos_refuses_the_other_stores_flags() {
        for (flag, value) in [
            ("--postgres-restarts", "6"),
            ("--replica-kills", "4"),
            ("--drop-interval-ms", "300"),
            ("--replica-down-ms", "2000"),
            ("--pg-bin-dir", "/usr/lib/postgresql/15/bin"),
        ] {
            let e = refusal(&["--chaos", "--store", "sqlite", flag, value]);
            assert!(e.starts_with(&format!("not for --store sqlite: {flag} (")), "{e}");
        }
        let e = refusal(&["--chaos", "--store", "sqlite", "--postgres-restarts", "0", "--replica-kills", "0"]);
        assert!(e.contains("--postgres-restarts, --replica-kills"), "every flag is named, even at 0: {e}");
        for (flag, value) in [("--service-kills", "24"), ("--service-down-ms", "500")] {
            let e = refusal(&["--chaos", flag, value]);
            assert!(e.starts_with(&format!("not for --store postgres: {flag} (")), "{e}");
        }
        for n in ["0", "3"] {
            let e = refusal(&["--chaos", "--store", "sqlite", "--replicas", n]);
            assert!(e.contains("--replicas must be 1"), "{e}");
        }
        assert!(refusal(&["--chaos", "--replicas", "0"]).contains("at least 1"));
        // The store and the service's flags mean nothing without --chaos.
        for (flag, value) in [("--store", "sqlite"), ("--service-kills", "3"), ("--service-down-ms", "9")] {
            let e = refusal(&["--spawn", "--requests", "1", flag, value]);
            assert!(e.contains("are for --chaos runs"), "{e}");
        }
        parse(&["--spawn", "--requests", "1"]).validate().unwrap();
    }

    #[test]
    fn sqlite_kills_leave_the_service_time_to_come_back() {
        // 24 kills in 10 s may come 0.21 s apart: less than 500 ms down.
        let e = refusal(&["--chaos", "--store", "sqlite", "--fault-s", "10"]);
        assert!(e.contains("0.21 s apart") && e.contains("--service-down-ms (500 ms)"), "{e}");
        // 10 kills in 10 s: at least 0.5 s apart, the down time exactly.
        parse(&["--chaos", "--store", "sqlite", "--fault-s", "10", "--service-kills", "10"]).validate().unwrap();
        parse(&["--chaos", "--store", "sqlite", "--fault-s", "10", "--service-down-ms", "200"]).validate().unwrap();
        // One kill or none: no gap to keep.
        parse(&["--chaos", "--store", "sqlite", "--fault-s", "0", "--service-kills", "0"]).validate().unwrap();
        parse(&["--chaos", "--store", "sqlite", "--fault-s", "0.1", "--service-kills", "1"]).validate().unwrap();
        assert!(refusal(&["--chaos", "--store", "sqlite", "--fault-s=-1"]).contains("--fault-s"));
    }
}
