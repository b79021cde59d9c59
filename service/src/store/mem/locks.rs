//! The in-memory store's lock table: who holds which lock, in which mode,
//! and who waits for an exclusive one. Pure bookkeeping (no waiting, no
//! time), so its rules are tested here directly; `mem.rs` does the waiting.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::LockMode;
use crate::domain::ids::TenantId;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum LockName {
    Key(TenantId, String),
    Entity(Uuid),
    Named(TenantId, String),
}

/// Who holds a lock.
#[derive(Debug)]
enum Holders {
    Exclusive(u64),
    Shared(BTreeSet<u64>),
}

#[derive(Debug, Default)]
pub(super) struct LockTable {
    holders: BTreeMap<LockName, Holders>,
    /// Transactions waiting for an exclusive lock. A new shared request
    /// queues behind them, so a stream of shared holders (postings into a
    /// period) cannot starve an exclusive one (its close). Postgres may let
    /// new sharers in ahead; either order is safe, since lock order
    /// (named locks before rows) rules out a cycle.
    exclusive_waiters: BTreeMap<LockName, BTreeSet<u64>>,
}

impl LockTable {
    /// Grants `name` to `tx` in `mode` if no other holder conflicts. A sole
    /// shared holder may upgrade to exclusive; an exclusive holder has both.
    pub(super) fn try_grant(&mut self, name: &LockName, tx: u64, mode: LockMode) -> bool {
        let queued_behind = self.exclusive_waiters.get(name).is_some_and(|w| w.iter().any(|t| *t != tx));
        match (self.holders.get_mut(name), mode) {
            (None, LockMode::Exclusive) => {
                self.holders.insert(name.clone(), Holders::Exclusive(tx));
                true
            }
            (None, LockMode::Shared) if !queued_behind => {
                self.holders.insert(name.clone(), Holders::Shared(BTreeSet::from([tx])));
                true
            }
            (None, LockMode::Shared) => false,
            (Some(Holders::Exclusive(owner)), _) => *owner == tx,
            (Some(Holders::Shared(set)), LockMode::Shared) => {
                if set.contains(&tx) || !queued_behind {
                    set.insert(tx);
                    true
                } else {
                    false
                }
            }
            (Some(Holders::Shared(set)), LockMode::Exclusive) => {
                let sole = set.len() == 1 && set.contains(&tx);
                if sole {
                    self.holders.insert(name.clone(), Holders::Exclusive(tx));
                }
                sole
            }
        }
    }

    /// Records that `tx` waits for `name` exclusively.
    pub(super) fn wait_exclusive(&mut self, name: &LockName, tx: u64) {
        self.exclusive_waiters.entry(name.clone()).or_default().insert(tx);
    }

    pub(super) fn stop_waiting(&mut self, name: &LockName, tx: u64) {
        if let Some(w) = self.exclusive_waiters.get_mut(name) {
            w.remove(&tx);
            if w.is_empty() {
                self.exclusive_waiters.remove(name);
            }
        }
    }

    /// Withdraws every wait of `tx` (a transaction dropped mid-wait must
    /// not keep shared requests queued behind it).
    pub(super) fn forget_waiter(&mut self, tx: u64) {
        let queued: Vec<LockName> =
            self.exclusive_waiters.iter().filter(|(_, w)| w.contains(&tx)).map(|(n, _)| n.clone()).collect();
        for name in queued {
            self.stop_waiting(&name, tx);
        }
    }

    pub(super) fn release(&mut self, name: &LockName, tx: u64) {
        let now_free = match self.holders.get_mut(name) {
            Some(Holders::Exclusive(owner)) => *owner == tx,
            Some(Holders::Shared(set)) => {
                set.remove(&tx);
                set.is_empty()
            }
            None => false,
        };
        if now_free {
            self.holders.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period() -> LockName {
        LockName::Named(TenantId(Uuid::from_u128(1)), "period:2026-01".into())
    }

    #[test]
    fn shared_holders_coexist_and_exclude_an_exclusive_one() {
        let (mut t, p) = (LockTable::default(), period());
        assert!(t.try_grant(&p, 1, LockMode::Shared));
        assert!(t.try_grant(&p, 2, LockMode::Shared));
        assert!(!t.try_grant(&p, 3, LockMode::Exclusive));
        assert!(!t.try_grant(&p, 1, LockMode::Exclusive), "no upgrade while another shares");
        t.release(&p, 2);
        assert!(t.try_grant(&p, 1, LockMode::Exclusive), "the sole sharer upgrades");
        assert!(!t.try_grant(&p, 2, LockMode::Shared));
        assert!(t.try_grant(&p, 1, LockMode::Shared), "an exclusive holder has shared too");
        t.release(&p, 1);
        assert!(t.try_grant(&p, 3, LockMode::Exclusive));
    }

    #[test]
    fn a_waiting_exclusive_request_holds_back_new_sharers() {
        let (mut t, p) = (LockTable::default(), period());
        assert!(t.try_grant(&p, 1, LockMode::Shared));
        assert!(!t.try_grant(&p, 2, LockMode::Exclusive));
        t.wait_exclusive(&p, 2);
        assert!(!t.try_grant(&p, 3, LockMode::Shared), "a new sharer queues behind the waiting close");
        assert!(t.try_grant(&p, 1, LockMode::Shared), "a holder may take what it holds again");
        t.release(&p, 1);
        assert!(t.try_grant(&p, 2, LockMode::Exclusive));
        t.stop_waiting(&p, 2);
        t.release(&p, 2);
        assert!(t.try_grant(&p, 3, LockMode::Shared));
    }

    #[test]
    fn a_dropped_waiter_stops_holding_back_sharers() {
        let (mut t, p) = (LockTable::default(), period());
        assert!(t.try_grant(&p, 1, LockMode::Shared));
        t.wait_exclusive(&p, 2);
        assert!(!t.try_grant(&p, 3, LockMode::Shared));
        t.forget_waiter(2);
        assert!(t.try_grant(&p, 3, LockMode::Shared));
    }
}
