//! Bugs planted on purpose, so the simulation can measure its own power
//! (`accubooks-sim planted`, docs/harness-power.md). Each is a small change
//! at one place of the product — the kinds of idempotency bug real teams
//! ship — switched on at run time, one at a time, in a build with the
//! test-only `planted` feature. In every other build `on` is a constant
//! `false` and the planted branches are dead code.

/// One planted bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bug {
    BrokenEngine,
    GroupAck,
    DispatchEarly,
    ReaperDelete,
    StoreMissingReference,
    RefusalReplayedAsSuccess,
    IdIgnoresTenant,
    FingerprintIgnored,
    NoReplayMarker,
    StaleWaiter,
    RandomWorkflowId,
    ReaperIgnoresTtl,
    KeyLeftIncomplete,
    PaymentNotApplied,
    AuditNewAsReplayed,
}

/// A bug of the catalogue: its name, where it lives, what it does.
#[derive(Debug, Clone, Copy)]
pub struct Planted {
    pub bug: Bug,
    pub name: &'static str,
    pub layer: &'static str,
    pub what: &'static str,
}

const fn p(bug: Bug, name: &'static str, layer: &'static str, what: &'static str) -> Planted {
    Planted { bug, name, layer, what }
}

/// Every planted bug, in the order `accubooks-sim planted` runs them.
pub const CATALOGUE: &[Planted] = &[
    p(
        Bug::BrokenEngine,
        "broken-engine",
        "engine",
        "check-then-act: the key is read outside the transaction, the id minted per execution, the key recorded after the write commits",
    ),
    p(Bug::GroupAck, "group-ack", "store (SQLite)", "a group-commit member is acknowledged before the group's COMMIT"),
    p(Bug::DispatchEarly, "dispatch-early", "jobs", "the outbox dispatcher marks a round delivered before delivering it"),
    p(Bug::ReaperDelete, "reaper-delete", "jobs", "the key reaper deletes expired high-risk keys instead of tombstoning them"),
    p(
        Bug::StoreMissingReference,
        "store-missing-reference",
        "engine",
        "a state-dependent refusal (404 of a missing reference) is stored and replayed forever",
    ),
    p(Bug::RefusalReplayedAsSuccess, "refusal-replayed-200", "engine", "a stored refusal is replayed with status 200"),
    p(Bug::IdIgnoresTenant, "id-ignores-tenant", "engine", "the deterministic id is derived without the tenant"),
    p(
        Bug::FingerprintIgnored,
        "fingerprint-ignored",
        "engine",
        "a key reused with another payload replays the first payload's response",
    ),
    p(Bug::NoReplayMarker, "no-replay-marker", "HTTP adapter", "a replay is answered without `Idempotent-Replayed: true`"),
    p(
        Bug::StaleWaiter,
        "stale-waiter",
        "store (memory)",
        "a same-key waiter decides on the key state it read before its lock wait",
    ),
    p(Bug::RandomWorkflowId, "random-workflow-id", "engine", "outbox rows get random ids instead of deterministic ones"),
    p(Bug::ReaperIgnoresTtl, "reaper-ignores-ttl", "jobs", "the key reaper expires keys as soon as they complete"),
    p(
        Bug::KeyLeftIncomplete,
        "key-left-incomplete",
        "engine",
        "the write commits without completing its key record (the response is not stored with it)",
    ),
    p(
        Bug::PaymentNotApplied,
        "payment-not-applied",
        "operations",
        "a payment is recorded without adding its amount to the invoice",
    ),
    p(Bug::AuditNewAsReplayed, "audit-new-as-replayed", "engine", "an execution's audit row is written as a replay"),
];

impl Bug {
    pub fn info(self) -> &'static Planted {
        CATALOGUE.iter().find(|p| p.bug == self).expect("every bug is in the catalogue")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn parse(name: &str) -> Option<Self> {
        CATALOGUE.iter().find(|p| p.name == name).map(|p| p.bug)
    }
}

#[cfg(feature = "planted")]
static ACTIVE: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Switches `bug` on (None: every bug off) for the whole process.
///
/// # Panics
/// When asked to plant a bug in a build without the `planted` feature.
pub fn activate(bug: Option<Bug>) {
    #[cfg(feature = "planted")]
    ACTIVE.store(bug.map_or(0, |b| b as u8 + 1), std::sync::atomic::Ordering::SeqCst);
    #[cfg(not(feature = "planted"))]
    assert!(bug.is_none(), "this build has no planted bugs (build with the `planted` feature)");
}

/// The bug switched on, if any.
pub fn active() -> Option<Bug> {
    CATALOGUE.iter().map(|p| p.bug).find(|b| on(*b))
}

/// Is `bug` switched on? Always false without the `planted` feature.
#[inline(always)]
pub fn on(bug: Bug) -> bool {
    #[cfg(feature = "planted")]
    {
        ACTIVE.load(std::sync::atomic::Ordering::Relaxed) == bug as u8 + 1
    }
    #[cfg(not(feature = "planted"))]
    {
        let _ = bug;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_names_every_bug_once() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for p in CATALOGUE {
            assert_eq!(Bug::parse(p.name), Some(p.bug));
            assert_eq!(p.bug.name(), p.name);
        }
        assert!(CATALOGUE.len() >= 12);
        assert_eq!(Bug::parse("no-such-bug"), None);
    }

    #[cfg(not(feature = "planted"))]
    #[test]
    fn without_the_feature_nothing_is_planted() {
        assert!(CATALOGUE.iter().all(|p| !on(p.bug)));
        assert_eq!(active(), None);
        activate(None);
    }
}
