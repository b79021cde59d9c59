//! Same-key admission: at most one executing request plus a bounded number
//! of waiters per (tenant, key) reach the store from one engine. A client
//! that floods one key gets 409 + `Retry-After` at once instead of piling
//! up lock waits (each holding a pooled connection).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::ids::TenantId;

#[derive(Debug)]
pub struct KeyGate {
    /// Requests admitted per key at most: one executing + the waiters bound.
    admitted_max: usize,
    /// Only looked up by key, never iterated: order cannot leak.
    counts: Mutex<HashMap<(TenantId, String), usize>>,
}

/// An admitted request; leaving (drop) frees its place.
#[derive(Debug)]
pub struct KeyPass {
    gate: Arc<KeyGate>,
    slot: (TenantId, String),
    /// Another request with this key was admitted when this one was.
    pub beside_others: bool,
}

impl KeyGate {
    pub fn new(same_key_waiters_max: usize) -> Arc<Self> {
        Arc::new(Self { admitted_max: same_key_waiters_max.saturating_add(1), counts: Mutex::default() })
    }

    /// A place for one request on `key`, or `None` if the key already has
    /// one executing request and `same_key_waiters_max` waiters.
    pub fn enter(self: &Arc<Self>, tenant: TenantId, key: &str) -> Option<KeyPass> {
        let slot = (tenant, key.to_owned());
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(slot.clone()).or_default();
        if *n >= self.admitted_max {
            return None;
        }
        let beside_others = *n > 0;
        *n += 1;
        Some(KeyPass { gate: self.clone(), slot, beside_others })
    }

    /// Keys with requests admitted now (a leak shows here).
    pub fn keys_admitted(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for KeyPass {
    fn drop(&mut self) {
        let mut counts = self.gate.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.slot) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_one_plus_the_waiters_bound_then_refuses_until_one_leaves() {
        let gate = KeyGate::new(2);
        let t = TenantId(uuid::Uuid::nil());
        let passes: Vec<_> = (0..3).map(|_| gate.enter(t, "k").expect("admitted")).collect();
        assert!(gate.enter(t, "k").is_none(), "a fourth request on one key is refused");
        assert!(gate.enter(t, "other").is_some(), "other keys are unaffected");
        drop(passes);
        assert_eq!(gate.keys_admitted(), 0);
        assert!(gate.enter(t, "k").is_some());
    }
}
