//! Running seeds: one at a time, swept over a range on several threads,
//! or twice for a determinism check. Each seed gets its own runtime.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use madsim::runtime::Runtime;

use crate::scenario::{Scenario, StoreKind};
use crate::world::{run, RunResult};

/// What one seed produced: a result, or the panic that ended it.
pub enum SeedOutcome {
    Finished(Box<RunResult>),
    Panicked(String),
}

impl SeedOutcome {
    pub fn passed(&self) -> bool {
        matches!(self, Self::Finished(r) if r.passed())
    }

    pub fn trace_hash(&self) -> Option<&str> {
        match self {
            Self::Finished(r) => Some(&r.trace_hash),
            Self::Panicked(_) => None,
        }
    }
}

/// Runs one seed. A seed's virtual time is bounded, so a retry storm fails
/// the seed instead of running forever.
pub fn run_seed(scenario: &Scenario, seed: u64, store: StoreKind) -> SeedOutcome {
    let mut rt = Runtime::with_seed_and_config(seed, madsim::Config::default());
    let limit = scenario.fault_phase_ms + scenario.liveness_ms + 60_000;
    rt.set_time_limit(Duration::from_millis(limit));
    let scenario = scenario.clone();
    let result =
        std::panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(async move { run(&scenario, seed, store).await })));
    match result {
        Ok(r) => SeedOutcome::Finished(Box::new(r)),
        Err(p) => SeedOutcome::Panicked(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panic".into()),
        ),
    }
}

/// The first of `seeds` whose run of `scenario` on `store` fails: its seed,
/// trace hash and violations (what the self-tests of planted bugs look for).
/// A panicking seed panics here, naming it.
pub fn first_failure(
    scenario: &Scenario,
    store: StoreKind,
    seeds: std::ops::RangeInclusive<u64>,
) -> Option<(u64, String, Vec<crate::checker::Violation>)> {
    for seed in seeds {
        match run_seed(scenario, seed, store) {
            SeedOutcome::Finished(r) if !r.passed() => return Some((seed, r.trace_hash, r.report.violations)),
            SeedOutcome::Panicked(p) => panic!("{} seed {seed} ({store}) panicked: {p}", scenario.name),
            SeedOutcome::Finished(_) => {}
        }
    }
    None
}

/// The one command that reproduces `seed` of `scenario` on `store`.
pub fn repro_command(scenario: &str, seed: u64, store: StoreKind) -> String {
    // A run with a planted bug needs the build that has them, and the bug.
    let (features, bug) = match accubooks_service::planted::active() {
        Some(b) => ("SIM_FEATURES=planted ", format!(" --planted {}", b.name())),
        None => ("", String::new()),
    };
    let store = if store == StoreKind::Memory { String::new() } else { format!(" --store {store}") };
    format!("{features}ci/sim-sweep.sh run --scenario {scenario} --seed {seed}{store}{bug}")
}
