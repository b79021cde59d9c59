//! The harness's measure of its own power: each bug of the service's
//! planted catalogue (`accubooks_service::planted`) is switched on in turn
//! and hunted over the CI seed range — seed 1 of every scenario on every
//! store it runs on, then seed 2, … — until a seed fails. A bug that
//! survives the whole range escaped. Needs a build with the `planted`
//! feature (`SIM_FEATURES=planted ci/sim-sweep.sh planted`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use accubooks_service::planted::{self, Bug};

use crate::checker::Violation;
use crate::runner::{run_seed, SeedOutcome};
use crate::scenario::{Scenario, StoreKind};

/// Where a hunt found its bug.
#[derive(Debug, Clone)]
pub struct Caught {
    pub scenario: String,
    pub store: StoreKind,
    pub seed: u64,
    /// Runs (scenario × store × seed) up to and including the failing one.
    pub runs: usize,
    pub violations: Vec<Violation>,
    /// The seed panicked instead of finishing (a panic is a failure too).
    pub panic: Option<String>,
}

/// One hunt's result.
#[derive(Debug, Clone)]
pub struct Hunt {
    pub bug: Bug,
    pub caught: Option<Caught>,
    pub runs: usize,
}

/// The CI seed range in hunting order: by seed, then scenario, then store.
pub fn ci_order(scenarios: &[Scenario], seeds_max: Option<u64>) -> Vec<(usize, StoreKind, u64)> {
    let top = scenarios.iter().map(|s| u64::from(s.ci_seeds)).max().unwrap_or(0);
    let top = seeds_max.map_or(top, |m| m.min(top));
    let mut work = Vec::new();
    for seed in 1..=top {
        for (i, s) in scenarios.iter().enumerate().filter(|(_, s)| seed <= u64::from(s.ci_seeds)) {
            for store in &s.stores {
                work.push((i, *store, seed));
            }
        }
    }
    work
}

/// Hunts `bug` over `work` on `jobs` threads. The result is the first
/// failing run in `work`'s order, whatever the threads' timing: runs are
/// taken in order and every run before a failure has finished when the
/// threads are joined.
pub fn hunt(bug: Bug, scenarios: &[Scenario], work: &[(usize, StoreKind, u64)], jobs: usize) -> Hunt {
    planted::activate(Some(bug));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let failures: Mutex<Vec<(usize, Caught)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(s, store, seed)) = work.get(i) else { return };
                let scenario = &scenarios[s];
                let caught = |violations, panic| Caught {
                    scenario: scenario.name.clone(),
                    store,
                    seed,
                    runs: i + 1,
                    violations,
                    panic,
                };
                let failed = match run_seed(scenario, seed, store) {
                    SeedOutcome::Finished(r) if !r.passed() => Some(caught(r.report.violations, None)),
                    SeedOutcome::Finished(_) => None,
                    SeedOutcome::Panicked(p) => Some(caught(Vec::new(), Some(p))),
                };
                if let Some(c) = failed {
                    failures.lock().unwrap_or_else(|p| p.into_inner()).push((i, c));
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
    });
    planted::activate(None);
    let mut found = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    found.sort_by_key(|(i, _)| *i);
    let caught = found.into_iter().next().map(|(_, c)| c);
    let runs = caught.as_ref().map_or(work.len(), |c| c.runs);
    Hunt { bug, caught, runs }
}

/// What a failure showed first: its first violation's property, or the panic.
pub fn first_sign(c: &Caught) -> String {
    match (&c.panic, c.violations.first()) {
        (Some(p), _) => format!("panic: {}", p.lines().next().unwrap_or_default()),
        (None, Some(v)) => v.property().to_owned(),
        (None, None) => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ci_range_is_hunted_seed_by_seed_over_every_scenario_and_store() {
        let all = Scenario::all();
        let work = ci_order(&all, None);
        let expected: usize = all.iter().map(|s| s.ci_seeds as usize * s.stores.len()).sum();
        assert_eq!(work.len(), expected, "every CI run once");
        assert!(work.windows(2).all(|w| w[0].2 <= w[1].2), "seed 1 of everything first");
        let first_seed = work.iter().take_while(|w| w.2 == 1).count();
        assert_eq!(first_seed, all.iter().map(|s| s.stores.len()).sum::<usize>());
        assert_eq!(ci_order(&all, Some(2)).len(), 2 * first_seed);
    }
}
