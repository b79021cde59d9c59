//! Which dangerous moments a run reached: the service's reachability points
//! (`accubooks_service::reach`, counted while the seed ran) and the
//! harness's own, read from the run's history and faults. A sweep counts
//! the seeds that reached each point; with `--require-reach` it fails when
//! a point expected on its store was never reached.

use std::collections::BTreeMap;

use accubooks_service::reach::{Point, Reach, POINTS};

use crate::checker::CheckStats;
use crate::scenario::StoreKind;

const fn p(name: &'static str, reach: Reach, what: &'static str) -> Point {
    Point::new(name, reach, what)
}

/// The harness's points.
pub const SIM_POINTS: &[Point] = &[
    p(
        "sim.unknown_outcome_replayed",
        Reach::Any,
        "an attempt whose outcome the client never learned had executed: its retry got the replay",
    ),
    p(
        "sim.unknown_outcome_executed_later",
        Reach::Any,
        "an attempt whose outcome the client never learned had not executed: a retry executed it",
    ),
    p(
        "sim.missing_reference_then_executed",
        Reach::Any,
        "a request refused for a reference still being created executed once the reference existed",
    ),
    p("sim.closed_period_refusal", Reach::Any, "a write raced the close of its period and was refused"),
    p("sim.key_shared_by_tenants", Reach::Any, "tenants sent the same key string, each getting its own id"),
    p("sim.service_killed", Reach::Any, "a service node was killed while clients were sending"),
    p("sim.database_restarted", Reach::Memory, "the database node was killed and restarted"),
    p("sim.ambiguous_commit", Reach::Memory, "the database committed and dropped the acknowledgement"),
];

/// Every point, the service's then the harness's.
pub fn all_points() -> impl Iterator<Item = &'static Point> {
    POINTS.iter().chain(SIM_POINTS)
}

fn expected_on(point: &Point, store: StoreKind) -> bool {
    match point.reach {
        Reach::Any => true,
        Reach::Memory => store == StoreKind::Memory,
        Reach::Sqlite => store == StoreKind::Sqlite,
    }
}

/// The harness's points a run reached, from its stats and fault counts.
pub fn harness_hits(stats: &CheckStats, faults: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let fault = |k: &str| faults.get(k).copied().unwrap_or(0);
    [
        ("sim.unknown_outcome_replayed", stats.indeterminate_resolved_executed_once),
        ("sim.unknown_outcome_executed_later", stats.indeterminate_resolved_not_executed),
        ("sim.missing_reference_then_executed", stats.executed_after_missing_reference),
        ("sim.closed_period_refusal", stats.closed_period_refusals),
        ("sim.key_shared_by_tenants", stats.keys_shared_across_tenants),
        ("sim.service_killed", fault("service_kill")),
        ("sim.database_restarted", fault("db_restart")),
        ("sim.ambiguous_commit", fault("ambiguous_commit")),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| (k.to_owned(), n))
    .collect()
}

/// The points expected on `store` that no seed reached.
pub fn unreached(seeds_per_point: &BTreeMap<String, u64>, store: StoreKind) -> Vec<&'static str> {
    all_points()
        .filter(|p| expected_on(p, store) && seeds_per_point.get(p.name).copied().unwrap_or(0) == 0)
        .map(|p| p.name)
        .collect()
}

/// The sweep's table: every point, the seeds that reached it, whether the
/// store expects it.
pub fn table(seeds_per_point: &BTreeMap<String, u64>, store: StoreKind, seeds: u64) -> String {
    let mut out = format!("reachability points ({seeds} seeds on {store}; * = must be reached here):\n");
    for p in all_points() {
        let n = seeds_per_point.get(p.name).copied().unwrap_or(0);
        let mark = if expected_on(p, store) { "*" } else { " " };
        out.push_str(&format!("  {mark} {:<40} {n:>6}  {}\n", p.name, p.what));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_expected_on_a_store_and_never_reached_are_named() {
        let mut seen: BTreeMap<String, u64> = all_points().map(|p| (p.name.to_owned(), 1)).collect();
        assert!(unreached(&seen, StoreKind::Memory).is_empty());
        assert!(unreached(&seen, StoreKind::Sqlite).is_empty());
        seen.remove("sqlite.checkpoint_restart");
        seen.insert("sim.service_killed".into(), 0);
        assert_eq!(unreached(&seen, StoreKind::Memory), ["sim.service_killed"], "a SQLite point is not expected");
        assert_eq!(unreached(&seen, StoreKind::Sqlite), ["sqlite.checkpoint_restart", "sim.service_killed"]);
        assert!(table(&seen, StoreKind::Sqlite, 3).contains("* sqlite.checkpoint_restart"));
    }

    #[test]
    fn the_harness_reads_its_points_from_the_run() {
        let stats =
            CheckStats { closed_period_refusals: 2, indeterminate_resolved_executed_once: 1, ..Default::default() };
        let faults: BTreeMap<String, u64> = [("service_kill".to_owned(), 3), ("db_restart".to_owned(), 0)].into();
        let hits = harness_hits(&stats, &faults);
        assert_eq!(hits.get("sim.closed_period_refusal"), Some(&2));
        assert_eq!(hits.get("sim.unknown_outcome_replayed"), Some(&1));
        assert_eq!(hits.get("sim.service_killed"), Some(&3));
        assert!(!hits.contains_key("sim.database_restarted"));
        let names: Vec<&str> = all_points().map(|p| p.name).collect();
        assert!(hits.keys().all(|k| names.contains(&k.as_str())));
    }
}
