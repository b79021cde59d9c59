//! Swarm testing: the draws a seed makes for itself after the scenario's
//! knobs (clock offsets, then the parts the scenario lists), and the names
//! of what a seed has on, which a sweep counts seeds by.

use super::{
    Draw, Faults, Resolved, Scenario, SwarmPart, DB_CALL_TIMEOUT_MS, INFLIGHT_WAIT_MS, SAME_KEY_WAITERS_MAX,
    SQLITE_GROUP_MAX,
};

impl Resolved {
    /// What this seed has on, as names a sweep counts seeds by: every
    /// operation, every fault kind that happens, and every knob away from
    /// its default.
    pub fn features(&self) -> Vec<String> {
        let mut f: Vec<String> = self.mix.iter().filter(|(_, w)| *w > 0).map(|(op, _)| format!("op:{op}")).collect();
        let faults = [
            ("service_kills", self.service_kills > 0),
            ("db_restarts", self.db_restarts > 0),
            ("partitions_client_service", self.partitions_client_service > 0),
            ("partitions_service_db", self.partitions_service_db > 0),
            ("packet_loss", self.packet_loss > 0.0),
            ("ambiguous_commit", self.ambiguous_commit > 0.0),
            ("slow_db", self.slow_db > 0.0),
            ("buggify", self.buggify),
            ("receiver_kills", self.receiver_kills > 0),
            ("receiver_partitions", self.receiver_partitions > 0),
            ("receiver_errors", self.receiver_error_rate > 0.0),
            ("clock_skew", self.clock_offsets_ms.iter().any(|o| *o != 0)),
        ];
        f.extend(faults.iter().filter(|(_, on)| *on).map(|(k, _)| format!("fault:{k}")));
        let side = |v: u64, default: u64| if v < default { "<" } else { ">" };
        if self.inflight_wait_ms != INFLIGHT_WAIT_MS {
            f.push(format!("knob:inflight_wait{}{INFLIGHT_WAIT_MS}ms", side(self.inflight_wait_ms, INFLIGHT_WAIT_MS)));
        }
        if self.db_call_timeout_ms != DB_CALL_TIMEOUT_MS {
            let s = side(self.db_call_timeout_ms, DB_CALL_TIMEOUT_MS);
            f.push(format!("knob:db_call_timeout{s}{DB_CALL_TIMEOUT_MS}ms"));
        }
        if self.same_key_waiters_max != SAME_KEY_WAITERS_MAX {
            f.push(format!("knob:same_key_waiters_max={}", self.same_key_waiters_max));
        }
        if self.sqlite_group_max != SQLITE_GROUP_MAX {
            f.push(format!("knob:sqlite_group_max={}", self.sqlite_group_max));
        }
        f
    }
}

impl Resolved {
    /// The draws made after the knobs above (so adding one here leaves
    /// every earlier draw of a seed as it was): clock offsets, then the
    /// swarm's parts.
    pub(super) fn with_draws(mut self, s: &Scenario, d: &mut impl Draw) -> Self {
        let bound = s.clock_skew_ms.unwrap_or_else(|| if d.chance(0.5) { d.range(100, 10_000) } else { 0 });
        self.clock_offsets_ms = (0..self.service_nodes).map(|_| d.range(0, 2 * bound) as i64 - bound as i64).collect();
        if s.swarm.contains(&SwarmPart::Operations) {
            let kept: Vec<bool> = self.mix.iter().map(|_| d.chance(0.5)).collect();
            let any = if kept.iter().any(|k| *k) { None } else { Some(d.below(self.mix.len() as u64) as usize) };
            for (i, (_, w)) in self.mix.iter_mut().enumerate() {
                if !kept[i] && any != Some(i) {
                    *w = 0;
                }
            }
        }
        if s.swarm.contains(&SwarmPart::Faults) {
            self.swarm_faults(&s.faults, s.clock_skew_ms.is_some(), d);
        }
        if s.swarm.contains(&SwarmPart::Knobs) {
            self.inflight_wait_ms = d.range(200, 3000);
            self.same_key_waiters_max = [1, 2, 8, SAME_KEY_WAITERS_MAX][d.below(4) as usize];
            self.db_call_timeout_ms = d.range(2000, 6000);
            self.sqlite_group_max = [1, 2, 4, SQLITE_GROUP_MAX][d.below(4) as usize];
        }
        self
    }

    /// Each fault kind the file leaves open: off (it never happens), or on
    /// (at least once, or at a rate of its own).
    fn swarm_faults(&mut self, f: &Faults, skew_fixed: bool, d: &mut impl Draw) {
        let count = |fixed: bool, v: &mut u32, d: &mut dyn FnMut() -> (bool, u64)| {
            if !fixed {
                let (on, n) = d();
                *v = if on { (*v).max(1 + n as u32 % 2) } else { 0 };
            }
        };
        let mut draw = || (d.chance(0.5), d.below(2));
        count(f.service_kills.is_some(), &mut self.service_kills, &mut draw);
        count(f.db_restarts.is_some(), &mut self.db_restarts, &mut draw);
        count(f.partitions_client_service.is_some(), &mut self.partitions_client_service, &mut draw);
        count(f.partitions_service_db.is_some(), &mut self.partitions_service_db, &mut draw);
        count(f.receiver_kills.is_some(), &mut self.receiver_kills, &mut draw);
        count(f.receiver_partitions.is_some(), &mut self.receiver_partitions, &mut draw);
        let rate = |fixed: bool, v: &mut f64, max: f64, d: &mut dyn FnMut() -> (bool, u64)| {
            if !fixed {
                let (on, n) = d();
                let drawn = max * (0.2 + 0.8 * (n as f64 + 0.5) / 2.0);
                *v = if !on {
                    0.0
                } else if *v > 0.0 {
                    *v
                } else {
                    drawn
                };
            }
        };
        rate(f.packet_loss.is_some(), &mut self.packet_loss, 0.05, &mut draw);
        rate(f.ambiguous_commit.is_some(), &mut self.ambiguous_commit, 0.1, &mut draw);
        rate(f.slow_db.is_some(), &mut self.slow_db, 0.2, &mut draw);
        rate(f.receiver_error_rate.is_some(), &mut self.receiver_error_rate, 0.2, &mut draw);
        if f.buggify.is_none() {
            self.buggify = draw().0;
        }
        if !skew_fixed && !draw().0 {
            self.clock_offsets_ms.iter_mut().for_each(|o| *o = 0);
        }
    }
}
