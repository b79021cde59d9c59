//! The harness's self-tests on bugs of the planted catalogue (feature
//! `planted`, switched on at run time; `accubooks-sim planted` hunts them
//! all). Each test plants one bug, finds the first failing seed of a
//! scenario, checks the violation names the promise the bug breaks, and
//! reruns the seed: same violations, same trace hash. `ci/test.sh` runs it
//! under `--cfg madsim`. The bug switch is process-wide: tests take turns.
#![cfg(all(madsim, feature = "planted"))]

use std::sync::Mutex;

use accubooks_service::planted::{self, Bug};
use accubooks_sim::checker::Violation;
use accubooks_sim::runner::{first_failure, repro_command, run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};
use accubooks_sim::shrink::{shrink, Options};

/// Seeds tried per scenario before declaring the bug undetected.
const SEEDS_MAX: u64 = 50;

static TURN: Mutex<()> = Mutex::new(());

/// With `bug` planted: the first failing seed of `name` on `store` (within
/// `SEEDS_MAX`), after checking that its printed command reproduces it.
fn caught(bug: Bug, name: &str, store: StoreKind) -> Vec<Violation> {
    let s = Scenario::load(name).unwrap();
    let (seed, hash, violations) = first_failure(&s, store, 1..=SEEDS_MAX)
        .unwrap_or_else(|| panic!("{} survived {SEEDS_MAX} seeds of {name} ({store})", bug.name()));
    println!("{} — {name} ({store}): caught at seed {seed}: {}", bug.name(), violations[0]);
    println!("  reproduce: {}", repro_command(name, seed, store));
    assert!(repro_command(name, seed, store).ends_with(&format!("--planted {}", bug.name())));
    match run_seed(&s, seed, store) {
        SeedOutcome::Finished(r) => {
            assert_eq!(r.trace_hash, hash, "{name} seed {seed}: the rerun has another trace hash");
            assert_eq!(r.report.violations, violations);
        }
        SeedOutcome::Panicked(p) => panic!("rerun panicked: {p}"),
    }
    violations
}

fn planting(bug: Bug) -> std::sync::MutexGuard<'static, ()> {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    planted::activate(Some(bug));
    turn
}

#[test]
fn a_broken_engine_is_caught_as_duplicates() {
    let _turn = planting(Bug::BrokenEngine);
    for name in ["concurrent-same-key-500", "retry-storm", "service-crash-mid-write", "mixed-chaos"] {
        let v = caught(Bug::BrokenEngine, name, StoreKind::Memory);
        assert!(
            v.iter().any(|v| matches!(v, Violation::DuplicateExecution { .. } | Violation::DifferentBodies { .. })),
            "{name}: expected a duplicate, got {v:?}"
        );
    }
}

/// The simulation runs the SQLite store that ships: a member acknowledged
/// before its group's COMMIT is caught by the `sqlite` sweep and stays
/// invisible to the `memory` sweep, which never runs that code.
#[test]
fn an_acknowledgement_before_the_group_commit_is_caught_on_sqlite_only() {
    let _turn = planting(Bug::GroupAck);
    let name = "service-crash-mid-write";
    // The crash took an acknowledged write with its key: the write is
    // missing, or its key's record or `new` row is, or a later request on
    // the forgotten key executed again.
    let v = caught(Bug::GroupAck, name, StoreKind::Sqlite);
    assert!(
        v.iter().any(|v| matches!(
            v,
            Violation::LostWrite { .. }
                | Violation::KeyRecordMissing { .. }
                | Violation::ExecutionNotAudited { .. }
                | Violation::MismatchExecuted { .. }
                | Violation::DuplicateExecution { .. }
        )),
        "an acknowledged write lost in the crash, got {v:?}"
    );
    let s = Scenario::load(name).unwrap();
    assert_eq!(first_failure(&s, StoreKind::Memory, 1..=SEEDS_MAX).map(|f| f.0), None, "the memory sweep");
}

#[test]
fn a_dispatcher_that_marks_before_it_delivers_is_caught() {
    let _turn = planting(Bug::DispatchEarly);
    for (name, store) in [("service-crash-mid-write", StoreKind::Memory), ("mixed-chaos", StoreKind::Sqlite)] {
        let v = caught(Bug::DispatchEarly, name, store);
        assert!(
            v.iter().any(|v| matches!(v, Violation::WorkflowNotDelivered { .. })),
            "{name}: a committed workflow never delivered, got {v:?}"
        );
    }
}

#[test]
fn a_reaper_that_deletes_high_risk_keys_is_caught() {
    let _turn = planting(Bug::ReaperDelete);
    for store in [StoreKind::Memory, StoreKind::Sqlite] {
        let v = caught(Bug::ReaperDelete, "key-expiry", store);
        assert!(
            v.iter().any(|v| matches!(v, Violation::KeyRecordMissing { .. })),
            "{store}: an acknowledged high-risk key without its tombstone, got {v:?}"
        );
    }
}

/// The shrinker takes the broken engine's first failure (baseline seed 1,
/// hundreds of requests) down to a handful that fail the same way; the
/// file it writes replays the violation; shrinking is deterministic.
#[test]
fn the_broken_engines_first_failure_shrinks_to_a_handful_of_requests() {
    let _turn = planting(Bug::BrokenEngine);
    let s = Scenario::load("baseline").unwrap();
    let k = shrink(&s, 1, StoreKind::Memory, Options::default()).expect("baseline seed 1 fails");
    println!("broken-engine, baseline seed 1: {} → {} ({} runs)", k.before, k.after, k.runs);
    assert_eq!(k.property, "duplicate_execution");
    assert!(k.before.requests > 100, "the seed's run is the whole scenario: {}", k.before);
    assert!(k.after.events <= 5 && k.after.requests <= 10, "shrunk to {}", k.after);
    // The file, as written, parses and fails the same way.
    let file = Scenario::parse(&k.file_text("scenarios/repro/x.toml")).expect("the written file parses");
    let pinned = file.pinned.as_ref().expect("pinned");
    assert_eq!(pinned.planted.as_deref(), Some("broken-engine"));
    match run_seed(&file, k.seed, StoreKind::Memory) {
        SeedOutcome::Finished(r) => assert!(
            r.report.violations.iter().any(|v| v.property() == "duplicate_execution"),
            "the shrunk file replays without a duplicate: {:?}",
            r.report.violations
        ),
        SeedOutcome::Panicked(p) => panic!("the shrunk file panicked: {p}"),
    }
    let again = shrink(&s, 1, StoreKind::Memory, Options { jobs: 1, ..Options::default() }).unwrap();
    assert_eq!(again.scenario.to_toml(), k.scenario.to_toml(), "one thread or two, the same file");
}

/// Every shrunk file kept in `scenarios/repro/` still fails with the
/// property it was shrunk for, with the bug it names planted.
#[test]
fn every_kept_repro_file_replays_its_violation() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/repro");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/repro exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "one file per planted bug at least: {}", files.len());
    for path in files {
        let s = Scenario::load(path.to_str().unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let p = s.pinned.clone().unwrap_or_else(|| panic!("{} is not pinned", path.display()));
        let bug = p.planted.as_deref().map(|b| Bug::parse(b).expect("a catalogue bug"));
        let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        planted::activate(bug);
        let out = run_seed(&s, p.seed, p.run.store);
        planted::activate(None);
        let want = p.violation.as_deref().expect("a repro file names its violation");
        match out {
            SeedOutcome::Finished(r) => assert!(
                r.report.violations.iter().any(|v| v.property() == want),
                "{}: {want} no longer reproduces ({:?})",
                path.display(),
                r.report.violations.first()
            ),
            SeedOutcome::Panicked(e) => panic!("{}: panicked: {e}", path.display()),
        }
        println!("{}: {want} reproduced", path.display());
    }
}
