//! The simulation runs the SQLite store that ships: a bug planted in its
//! group commit (a member acknowledged before the group's COMMIT, feature
//! `planted-group-ack`) must be caught by the `sqlite` sweep, reproduced by
//! the printed seed, and stay invisible to the `memory` sweep, which never
//! runs that code. `ci/test.sh` runs it under `--cfg madsim`.
#![cfg(all(madsim, feature = "planted-group-ack"))]

use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{first_failure, repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};

/// Seeds tried before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;
const SCENARIO: &str = "service-crash-mid-write";

#[test]
fn the_sqlite_sweep_catches_an_acknowledgement_before_the_group_commit() {
    let s = Scenario::load(SCENARIO).unwrap();
    let (seed, hash, violations) = first_failure(&s, StoreKind::Sqlite, 1..=SEEDS_MAX)
        .unwrap_or_else(|| panic!("the planted bug survived {SEEDS_MAX} seeds"));
    println!("caught at seed {seed}: {}", violations[0]);
    println!("  reproduce: {}", repro_command(SCENARIO, seed, StoreKind::Sqlite));
    // The crash took an acknowledged write with its key: the write is
    // missing, or its key's record or `new` row is, or a later request on
    // the forgotten key executed again.
    assert!(
        violations.iter().any(|v| matches!(
            v,
            Violation::LostWrite { .. }
                | Violation::KeyRecordMissing { .. }
                | Violation::ExecutionNotAudited { .. }
                | Violation::MismatchExecuted { .. }
                | Violation::DuplicateExecution { .. }
        )),
        "an acknowledged write lost in the crash, got {violations:?}"
    );
    match run_seed(&s, seed, StoreKind::Sqlite) {
        SeedOutcome::Finished(r) => {
            assert_eq!(r.trace_hash, hash, "seed {seed}: the rerun has another trace hash");
            assert_eq!(r.report.violations, violations);
        }
        SeedOutcome::Panicked(p) => panic!("rerun panicked: {p}"),
    }
}

#[test]
fn the_memory_sweep_never_runs_the_sqlite_store() {
    let s = Scenario::load(SCENARIO).unwrap();
    for seed in 1..=SEEDS_MAX {
        match run_seed(&s, seed, StoreKind::Memory) {
            SeedOutcome::Finished(r) => assert!(r.passed(), "seed {seed}: {:?}", r.report.violations),
            SeedOutcome::Panicked(p) => panic!("seed {seed} panicked: {p}"),
        }
    }
}
