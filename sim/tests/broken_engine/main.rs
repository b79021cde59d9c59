//! The harness must catch a broken engine. Built only with
//! `--features broken-engine` (which compiles the deliberately broken
//! engine into the service) under `--cfg madsim`; `ci/test.sh` runs it.
#![cfg(all(madsim, feature = "broken-engine"))]

use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};

/// Seeds tried per scenario before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;

fn first_failure(name: &str) -> (u64, String, Vec<Violation>) {
    let s = Scenario::load(name).unwrap();
    for seed in 1..=SEEDS_MAX {
        match run_seed(&s, seed, StoreKind::Memory) {
            SeedOutcome::Finished(r) if !r.passed() => {
                return (seed, r.trace_hash.clone(), r.report.violations.clone())
            }
            SeedOutcome::Panicked(p) => panic!("{name} seed {seed} panicked: {p}"),
            _ => {}
        }
    }
    panic!("{name}: the broken engine survived {SEEDS_MAX} seeds");
}

#[test]
fn sweeps_catch_the_broken_engine_and_the_printed_seed_reproduces_it() {
    for name in ["concurrent-same-key-500", "retry-storm", "service-crash-mid-write", "mixed-chaos"] {
        let (seed, hash, violations) = first_failure(name);
        println!("{name}: caught at seed {seed} ({} seeds to detection): {}", seed, violations[0]);
        println!("  reproduce: {}", repro_command(name, seed, StoreKind::Memory));
        assert!(
            violations
                .iter()
                .any(|v| matches!(v, Violation::DuplicateExecution { .. } | Violation::DifferentBodies { .. })),
            "{name}: expected a duplicate, got {violations:?}"
        );
        // The printed command reruns the same seed: same failure, same trace.
        match run_seed(&Scenario::load(name).unwrap(), seed, StoreKind::Memory) {
            SeedOutcome::Finished(r) => {
                assert!(!r.passed(), "{name} seed {seed} passed on rerun");
                assert_eq!(r.trace_hash, hash, "{name} seed {seed}: rerun has another trace hash");
                assert_eq!(r.report.violations, violations);
            }
            SeedOutcome::Panicked(p) => panic!("rerun panicked: {p}"),
        }
    }
}
