//! Keys expire within the `key-expiry` scenario: a bug planted in the key
//! reaper (expired high-risk keys deleted instead of kept as tombstones,
//! feature `planted-reaper-delete`) must be caught — an acknowledged
//! high-risk key without its record — on both topologies, and reproduced by
//! the printed seed. `ci/test.sh` runs it under `--cfg madsim`.
#![cfg(all(madsim, feature = "planted-reaper-delete"))]

use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{first_failure, repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};

/// Seeds tried per store before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;
const SCENARIO: &str = "key-expiry";

#[test]
fn the_sweep_catches_a_reaper_that_deletes_high_risk_keys() {
    let s = Scenario::load(SCENARIO).unwrap();
    for store in [StoreKind::Memory, StoreKind::Sqlite] {
        let (seed, hash, violations) = first_failure(&s, store, 1..=SEEDS_MAX)
            .unwrap_or_else(|| panic!("{store}: the planted bug survived {SEEDS_MAX} seeds"));
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
