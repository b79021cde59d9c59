//! Keys expire within the `key-expiry` scenario: a bug planted in the key
//! reaper (expired high-risk keys deleted instead of kept as tombstones,
//! feature `planted-reaper-delete`) must be caught — an acknowledged
//! high-risk key without its record — on both topologies, and reproduced by
//! the printed seed. `ci/test.sh` runs it under `--cfg madsim`.
#![cfg(all(madsim, feature = "planted-reaper-delete"))]

use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};

/// Seeds tried per store before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;
const SCENARIO: &str = "key-expiry";

#[test]
fn the_sweep_catches_a_reaper_that_deletes_high_risk_keys() {
    let s = Scenario::load(SCENARIO).unwrap();
    for store in [StoreKind::Memory, StoreKind::Sqlite] {
        let mut caught = None;
        for seed in 1..=SEEDS_MAX {
            match run_seed(&s, seed, store) {
                SeedOutcome::Finished(r) if !r.passed() => {
                    caught = Some((seed, r.trace_hash.clone(), r.report.violations.clone()));
                    break;
                }
                SeedOutcome::Panicked(p) => panic!("seed {seed} panicked: {p}"),
                _ => {}
            }
        }
        let (seed, hash, violations) =
            caught.unwrap_or_else(|| panic!("{store}: the planted bug survived {SEEDS_MAX} seeds"));
        println!("{SCENARIO} ({store}): caught at seed {seed}: {}", violations[0]);
        println!("  reproduce: {}", repro_command(SCENARIO, seed, store));
        assert!(
            violations.iter().any(|v| matches!(v, Violation::KeyRecordMissing { .. })),
            "{store}: an acknowledged high-risk key without its tombstone, got {violations:?}"
        );
        match run_seed(&s, seed, store) {
            SeedOutcome::Finished(r) => {
                assert_eq!(r.trace_hash, hash, "seed {seed}: the rerun has another trace hash");
                assert_eq!(r.report.violations, violations);
            }
            SeedOutcome::Panicked(p) => panic!("rerun panicked: {p}"),
        }
    }
}
