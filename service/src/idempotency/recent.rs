//! The keys this instance saw complete (executed, or replayed), remembered
//! as 64-bit hashes and forgotten oldest first past a bound. Only a hint for
//! the engine's replay fast path: the store verifies every hit against the
//! key row, so a collision, an expired key or a key completed elsewhere costs
//! at most one statement before the transactional path decides.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use crate::domain::ids::TenantId;

pub struct RecentKeys {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    set: HashSet<u64>,
    order: VecDeque<u64>,
}

impl RecentKeys {
    /// At most `capacity` keys (0: remember nothing, no fast path).
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    fn hash(tenant: TenantId, key: &str) -> u64 {
        // Fixed keys: the same in every run (deterministic simulation).
        let mut h = DefaultHasher::new();
        tenant.hash(&mut h);
        key.hash(&mut h);
        h.finish()
    }

    pub fn contains(&self, tenant: TenantId, key: &str) -> bool {
        self.capacity > 0 && self.lock().set.contains(&Self::hash(tenant, key))
    }

    pub fn insert(&self, tenant: TenantId, key: &str) {
        if self.capacity == 0 {
            return;
        }
        let h = Self::hash(tenant, key);
        let mut inner = self.lock();
        if !inner.set.insert(h) {
            return;
        }
        inner.order.push_back(h);
        while inner.order.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.set.remove(&old);
            }
        }
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the set inconsistent
        // with anything that matters: it is a hint.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn remembers_per_tenant_and_forgets_oldest_first() {
        let (a, b) = (TenantId(Uuid::from_u128(1)), TenantId(Uuid::from_u128(2)));
        let r = RecentKeys::new(2);
        r.insert(a, "k1");
        assert!(r.contains(a, "k1"));
        assert!(!r.contains(b, "k1"), "tenant-scoped");
        r.insert(a, "k1");
        assert_eq!(r.len(), 1, "no duplicates");
        r.insert(a, "k2");
        r.insert(a, "k3");
        assert_eq!(r.len(), 2);
        assert!(!r.contains(a, "k1"), "the oldest went first");
        assert!(r.contains(a, "k2") && r.contains(a, "k3"));
    }

    #[test]
    fn capacity_zero_remembers_nothing() {
        let r = RecentKeys::new(0);
        r.insert(TenantId(Uuid::nil()), "k");
        assert!(!r.contains(TenantId(Uuid::nil()), "k"));
        assert!(r.is_empty());
    }
}
