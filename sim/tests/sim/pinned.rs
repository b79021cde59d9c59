//! A run pinned as data replays as its seed did, and the file, not the
//! seed, decides the schedule and the workload. Each test runs whole seeds
//! in runtimes of their own (`run_seed`), so these are plain tests.

use accubooks_sim::runner::{run_seed, SeedOutcome};
use accubooks_sim::scenario::{Scenario, StoreKind};
use accubooks_sim::shrink::pin;
use accubooks_sim::world::RunResult;

fn finished(s: &Scenario, seed: u64, store: StoreKind) -> Box<RunResult> {
    match run_seed(s, seed, store) {
        SeedOutcome::Finished(r) => r,
        SeedOutcome::Panicked(p) => panic!("{} seed {seed} ({store}) panicked: {p}", s.name),
    }
}

/// Through the file format: what `run --write-scenario` writes.
fn pinned_file(s: &Scenario, seed: u64, r: &RunResult) -> Scenario {
    let mut p = s.clone();
    p.pinned = Some(pin(seed, r));
    Scenario::parse(&p.to_toml()).expect("a pinned file parses")
}

#[test]
fn a_pinned_run_replays_as_its_seed_did_on_both_stores() {
    for (name, seed, store) in
        [("mixed-chaos", 3, StoreKind::Memory), ("service-crash-mid-write", 3, StoreKind::Sqlite)]
    {
        let s = Scenario::load(name).unwrap();
        let original = finished(&s, seed, store);
        assert!(!original.schedule.is_empty(), "{name} seed {seed}: a run with fault events");
        let file = pinned_file(&s, seed, &original);
        let replay = finished(&file, seed, store);
        assert_eq!(replay.trace_hash, original.trace_hash, "{name} seed {seed} ({store}): the same run");
        assert_eq!(replay.schedule, original.schedule);

        // The file decides the schedule: another seed keeps its events,
        // and an event removed from the file does not happen.
        let other = finished(&file, seed + 1, store);
        assert_eq!(other.schedule, original.schedule, "{name}: the file's events, whatever the seed");
        let mut fewer = file.clone();
        fewer.pinned.as_mut().unwrap().events.truncate(1);
        assert_eq!(finished(&fewer, seed, store).schedule, original.schedule[..1]);
    }
}

#[test]
fn a_workload_pinned_request_by_request_is_sent_as_written() {
    let s = Scenario::load("baseline").unwrap();
    let original = finished(&s, 5, StoreKind::Memory);
    let mut file = pinned_file(&s, 5, &original);
    let requests = original.workload.clone();
    assert!(requests.len() > 100, "baseline's clients send hundreds of requests");
    // Keep every fifth request: the run sends exactly those.
    let kept: Vec<_> = requests.iter().step_by(5).cloned().collect();
    file.pinned.as_mut().unwrap().requests = Some(kept.clone());
    let file = Scenario::parse(&file.to_toml()).expect("a workload pinned as data parses");
    let replay = finished(&file, 9, StoreKind::Memory);
    let shape = |r: &[accubooks_sim::scenario::RequestPlan]| -> Vec<_> {
        r.iter().map(|p| (p.client, p.seq, p.tenant, p.op.clone(), p.payload, p.duplicate, p.mismatch)).collect()
    };
    assert_eq!(shape(&replay.workload), shape(&kept));
    assert!(replay.passed(), "a healthy service passes the pinned workload: {:?}", replay.report.violations.first());
    let logical: usize = kept.iter().map(|p| p.logical_requests()).sum();
    assert!(replay.report.stats.requests as usize <= logical && replay.report.stats.requests >= kept.len() as u64);
}
