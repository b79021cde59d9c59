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
#[command(group(ArgGroup::new("where").required(true).args(["spawn", "target", "chaos"])))]
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

    /// Real faults: replicas on a private Postgres cluster (implies --ops-at-once).
    #[arg(long)]
    pub chaos: bool,
    #[arg(long, default_value_t = 3)]
    pub replicas: usize,
    #[arg(long, default_value_t = 10.0)]
    pub healthy_s: f64,
    #[arg(long, default_value_t = 60.0)]
    pub fault_s: f64,
    #[arg(long, default_value_t = 20.0)]
    pub recovery_s: f64,
    #[arg(long, default_value_t = 6)]
    pub postgres_restarts: u32,
    #[arg(long, default_value_t = 4)]
    pub replica_kills: u32,
    /// Mean milliseconds between two connection cuts in the fault phase.
    #[arg(long, default_value_t = 300)]
    pub drop_interval_ms: u64,
    #[arg(long, default_value_t = 2000)]
    pub replica_down_ms: u64,
    /// Directory of initdb and pg_ctl for the private cluster.
    #[arg(long, default_value = "/usr/lib/postgresql/15/bin")]
    pub pg_bin_dir: PathBuf,
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
        if self.chaos && self.replicas == 0 {
            bail!("--replicas must be at least 1");
        }
        if self.fresh_database && !self.database_url.as_deref().is_some_and(|u| u.starts_with("postgres")) {
            bail!("--fresh-database needs a postgres:// --database-url");
        }
        Ok(())
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
        Ok(ChaosPlan {
            healthy: secs("healthy-s", self.healthy_s)?,
            fault: secs("fault-s", self.fault_s).context("chaos plan")?,
            recovery: secs("recovery-s", self.recovery_s)?,
            postgres_restarts: self.postgres_restarts,
            replica_kills: self.replica_kills,
            drop_interval: Duration::from_millis(self.drop_interval_ms.max(1)),
            replica_down: Duration::from_millis(self.replica_down_ms),
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
}
