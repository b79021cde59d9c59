//! The simulation runs the outbox dispatcher and a webhook receiver: a bug
//! planted in the dispatcher (a round marked delivered before its
//! deliveries, feature `planted-dispatch-early`) must be caught — a
//! committed workflow that never reaches the receiver — and reproduced by
//! the printed seed. `ci/test.sh` runs it under `--cfg madsim`.
#![cfg(all(madsim, feature = "planted-dispatch-early"))]

use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{first_failure, repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};

/// Seeds tried per scenario before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;

#[test]
fn the_sweep_catches_a_dispatcher_that_marks_before_it_delivers() {
    for (name, store) in [("service-crash-mid-write", StoreKind::Memory), ("mixed-chaos", StoreKind::Sqlite)] {
        let s = Scenario::load(name).unwrap();
        let (seed, hash, violations) = first_failure(&s, store, 1..=SEEDS_MAX)
            .unwrap_or_else(|| panic!("{name} ({store}): the planted bug survived {SEEDS_MAX} seeds"));
        println!("{name} ({store}): caught at seed {seed}: {}", violations[0]);
        println!("  reproduce: {}", repro_command(name, seed, store));
        assert!(
            violations.iter().any(|v| matches!(v, Violation::WorkflowNotDelivered { .. })),
            "{name}: a committed workflow never delivered, got {violations:?}"
        );
        match run_seed(&s, seed, store) {
            SeedOutcome::Finished(r) => {
                assert_eq!(r.trace_hash, hash, "{name} seed {seed}: the rerun has another trace hash");
                assert_eq!(r.report.violations, violations);
            }
            SeedOutcome::Panicked(p) => panic!("rerun panicked: {p}"),
        }
    }
}
