//! What each slot of a run sends. A slot is one unit of offered load; it
//! becomes one logical request (a key and a payload, retried until it gets
//! a definitive answer) plus, in some workloads, follow-ups on the same key.
//! Everything is derived from the slot number and the seed, so workers need
//! no shared state to agree on keys, and storms agree on payloads.

use std::time::Duration;

use accubooks_sim::history::Intent;
use accubooks_sim::workload::OpGen;

use crate::rng::mix;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Every slot a fresh key.
    Distinct,
    /// `size` consecutive slots share one key and payload; in the closed
    /// model their clients start together (a barrier per round).
    Storm { size: u32 },
    /// Fresh keys whose first attempt has a deadline too short to finish,
    /// so the client gives up mid-write and retries with the same key.
    RetryAfterTimeout { first_timeout_ms_max: u64 },
    /// Fresh keys; each acknowledged key is sent again with another payload
    /// (a 422 mismatch is expected, and no second execution).
    Mismatch,
    /// A fixed set of `keys` keys per operation, created first, then only
    /// replayed: measures the replay path.
    Replay { keys: u64 },
    /// Fresh keys with some of everything: short first deadlines, replays
    /// of acknowledged keys, mismatches.
    Mixed,
    /// Reads of reference entities (`GET`): no key, nothing to verify. The
    /// cheapest request the service answers, for measuring the tool itself.
    Read,
}

impl Workload {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Distinct => "distinct",
            Self::Storm { .. } => "storm",
            Self::RetryAfterTimeout { .. } => "retry-after-timeout",
            Self::Mismatch => "mismatch",
            Self::Replay { .. } => "replay",
            Self::Mixed => "mixed",
            Self::Read => "read",
        }
    }
}

/// The mix of the `mixed` workload.
const MIXED_SHORT_TIMEOUT: f64 = 0.10;
const MIXED_REUSE: f64 = 0.10;
const MIXED_MISMATCH: f64 = 0.05;
/// Variants of mismatching payloads live far from first-use variants.
const MISMATCH_VARIANT_OFFSET: u64 = 1 << 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// The same key and payload again (a replay is expected).
    Reuse,
    /// The same key, another payload (a mismatch is expected).
    Mismatch,
}

/// One slot's plan.
#[derive(Debug, Clone)]
pub struct SlotPlan {
    pub op: &'static OpGen,
    pub key: String,
    pub intent: Intent,
    /// Reference-data choice and payload variant (see `gen::Build`).
    pub pick: u64,
    pub variant: u64,
    pub mismatch_variant: u64,
    /// A deliberately short deadline for the first attempt.
    pub first_timeout: Option<Duration>,
    pub follow_ups: Vec<FollowUp>,
}

/// Maps slots to plans for one phase of a run.
#[derive(Debug, Clone)]
pub struct Planner {
    pub workload: Workload,
    pub ops: Vec<&'static OpGen>,
    pub run_id: String,
    pub seed: u64,
    /// True while creating the keys a replay phase will replay.
    pub replay_setup: bool,
}

impl Planner {
    /// Slots that share a key (and so a payload) share a group.
    pub fn group(&self, slot: u64) -> u64 {
        match self.workload {
            Workload::Storm { size } => slot / u64::from(size.max(1)),
            Workload::Replay { keys } => slot % keys.max(1),
            _ => slot,
        }
    }

    pub fn plan(&self, slot: u64) -> SlotPlan {
        let group = self.group(slot);
        let op_ix = (group % self.ops.len() as u64) as usize;
        let op = self.ops[op_ix];
        let h = mix(self.seed ^ mix(group.wrapping_mul(31).wrapping_add(op_ix as u64)));
        let prefix = match self.workload {
            Workload::Storm { .. } => "s",
            Workload::Replay { .. } => "r",
            _ => "k",
        };
        let key = format!("{}-{}-{prefix}{group}", self.run_id, op.name());
        let per_slot = mix(h ^ slot);
        let mut plan = SlotPlan {
            op,
            key,
            intent: Intent::Normal,
            pick: group,
            variant: h % 1_000_000_000,
            mismatch_variant: MISMATCH_VARIANT_OFFSET + per_slot % 1_000_000_000,
            first_timeout: None,
            follow_ups: Vec::new(),
        };
        // Uniform in [0, 1) from independent bits of the slot's hash.
        let u = |shift: u32| ((per_slot >> shift) & 0xffff) as f64 / 65_536.0;
        match self.workload {
            Workload::Distinct | Workload::Storm { .. } | Workload::Read => {}
            Workload::RetryAfterTimeout { first_timeout_ms_max } => {
                plan.first_timeout = Some(Duration::from_millis(1 + per_slot % first_timeout_ms_max.max(1)));
            }
            Workload::Mismatch => plan.follow_ups.push(FollowUp::Mismatch),
            Workload::Replay { .. } if !self.replay_setup => plan.intent = Intent::Reuse,
            Workload::Replay { .. } => {}
            Workload::Mixed => {
                if u(0) < MIXED_SHORT_TIMEOUT {
                    plan.first_timeout = Some(Duration::from_millis(1 + per_slot % 20));
                }
                if u(16) < MIXED_REUSE {
                    plan.follow_ups.push(FollowUp::Reuse);
                }
                if u(32) < MIXED_MISMATCH {
                    plan.follow_ups.push(FollowUp::Mismatch);
                }
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accubooks_sim::workload::GENERATORS;

    fn planner(workload: Workload) -> Planner {
        Planner { workload, ops: GENERATORS.iter().collect(), run_id: "t".into(), seed: 42, replay_setup: false }
    }

    #[test]
    fn distinct_slots_get_distinct_keys() {
        let p = planner(Workload::Distinct);
        let keys: std::collections::BTreeSet<String> = (0..1000).map(|s| p.plan(s).key).collect();
        assert_eq!(keys.len(), 1000);
    }

    #[test]
    fn a_storm_group_shares_key_operation_and_payload() {
        let p = planner(Workload::Storm { size: 50 });
        let first = p.plan(100);
        for s in 100..150 {
            let q = p.plan(s);
            assert_eq!(
                (q.key.as_str(), q.op.name(), q.variant, q.pick),
                (first.key.as_str(), first.op.name(), first.variant, first.pick)
            );
        }
        assert_ne!(p.plan(150).key, first.key);
    }

    #[test]
    fn replay_reuses_a_fixed_key_set_created_by_its_setup() {
        let mut p = planner(Workload::Replay { keys: 10 });
        assert_eq!(p.plan(3).intent, Intent::Reuse);
        assert_eq!(p.plan(3).key, p.plan(13).key);
        assert_eq!(p.plan(3).variant, p.plan(13).variant);
        p.replay_setup = true;
        assert_eq!(p.plan(3).intent, Intent::Normal);
        assert_eq!(p.plan(3).key, p.plan(13).key);
    }

    #[test]
    fn workloads_shape_their_slots() {
        let p = planner(Workload::RetryAfterTimeout { first_timeout_ms_max: 5 });
        assert!((0..100).all(|s| p.plan(s).first_timeout.is_some_and(|t| t <= Duration::from_millis(5))));
        let p = planner(Workload::Mismatch);
        assert!((0..100).all(|s| p.plan(s).follow_ups == vec![FollowUp::Mismatch]));
        let p = planner(Workload::Mixed);
        let plans: Vec<_> = (0..10_000).map(|s| p.plan(s)).collect();
        let short = plans.iter().filter(|q| q.first_timeout.is_some()).count();
        let reuse = plans.iter().filter(|q| q.follow_ups.contains(&FollowUp::Reuse)).count();
        let mismatch = plans.iter().filter(|q| q.follow_ups.contains(&FollowUp::Mismatch)).count();
        assert!((800..1200).contains(&short), "{short}");
        assert!((800..1200).contains(&reuse), "{reuse}");
        assert!((350..650).contains(&mismatch), "{mismatch}");
    }
}
