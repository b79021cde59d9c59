//! Reachability points ("sometimes" assertions): named dangerous moments
//! the simulation must show it reaches. `reach::point` counts a hit in the
//! simulation build (per thread: a seed runs on one) and compiles to
//! nothing elsewhere; a sweep prints the seeds that reached each point, and
//! the CI sweep fails when a point expected on its store is never reached,
//! so a scenario change that silently stops exercising a danger is caught.
//! The harness adds points of its own (`sim.*`, from a run's history).

/// Where a point can be reached: on every topology, or on one store's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Any,
    /// The replicated topology (the in-memory store on a database node).
    Memory,
    /// The embedded topology (SQLite in the service process).
    Sqlite,
}

/// A named point and what reaching it means.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub name: &'static str,
    pub reach: Reach,
    pub what: &'static str,
}

impl Point {
    pub const fn new(name: &'static str, reach: Reach, what: &'static str) -> Self {
        Self { name, reach, what }
    }
}

const fn p(name: &'static str, reach: Reach, what: &'static str) -> Point {
    Point::new(name, reach, what)
}

/// Every point of the service; `point` refuses names not listed here.
pub const POINTS: &[Point] = &[
    p(
        "engine.same_key_replayed_after_wait",
        Reach::Any,
        "a same-key request admitted beside another was answered by the replay of its execution",
    ),
    p("engine.same_key_waiter_timed_out", Reach::Memory, "a same-key request waited out the in-flight bound (409)"),
    p("engine.stored_refusal_replayed", Reach::Any, "a stored refusal (4xx) was replayed"),
    p(
        "engine.transient_refusal_not_stored",
        Reach::Any,
        "a missing-reference refusal was answered and rolled back, never stored",
    ),
    p(
        "engine.id_taken_after_expiry",
        Reach::Any,
        "a forgotten key's reuse met its deterministic id (answered expired, nothing written)",
    ),
    p("engine.mismatch_refused", Reach::Any, "a key reused with another payload was refused (422)"),
    p("engine.commit_failed", Reach::Memory, "COMMIT returned an error: the engine cannot know the outcome (503)"),
    p("engine.store_unavailable", Reach::Memory, "a write failed with the store unavailable (503, nothing stored)"),
    p("outbox.delivery_failed", Reach::Any, "a webhook delivery failed and its retry was scheduled"),
    p("outbox.redelivered", Reach::Any, "a workflow was claimed again after a failed or unfinished delivery"),
    p("reaper.tombstoned", Reach::Any, "an expired high-risk key was kept as a tombstone"),
    p("reaper.deleted", Reach::Any, "an expired key of another operation was deleted"),
    p("sqlite.group_commit_shared", Reach::Sqlite, "one COMMIT carried several members"),
    p(
        "sqlite.member_rolled_back_in_group",
        Reach::Sqlite,
        "a member rolled back its own writes while others waited in the group",
    ),
    p("sqlite.waiter_committed_group", Reach::Sqlite, "a waiting member found the group open and committed it itself"),
    p("sqlite.checkpoint_restart", Reach::Sqlite, "the checkpointer restarted the WAL"),
];

#[cfg(madsim)]
thread_local! {
    static HITS: std::cell::RefCell<std::collections::BTreeMap<&'static str, u64>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// Counts a hit of `name` (simulation build only).
#[inline(always)]
pub fn point(name: &'static str) {
    #[cfg(madsim)]
    {
        debug_assert!(POINTS.iter().any(|p| p.name == name), "unknown reachability point {name}");
        HITS.with(|h| *h.borrow_mut().entry(name).or_default() += 1);
    }
    #[cfg(not(madsim))]
    let _ = name;
}

/// The hits counted on this thread since the last call (simulation build).
#[cfg(madsim)]
pub fn take() -> std::collections::BTreeMap<&'static str, u64> {
    HITS.with(|h| std::mem::take(&mut *h.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_is_named_once_and_used_in_the_code() {
        let mut names: Vec<&str> = POINTS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), POINTS.len());
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut code = String::new();
        let mut dirs = vec![src];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("reach.rs") {
                    code.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        for p in POINTS {
            assert!(code.contains(&format!("reach::point(\"{}\")", p.name)), "{} is never marked", p.name);
        }
    }
}
