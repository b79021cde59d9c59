//! Store fidelity: the in-memory store, SQLite and Postgres must agree on
//! every behaviour the engine relies on. Proptest generates transaction
//! scripts (claim, insert, read, commit, abort) and interleavings of two
//! open transactions; every store's observations must equal a reference
//! model of READ COMMITTED with row locks. SQLite has one writer, so it runs
//! the scripts one transaction at a time; memory and Postgres also run them
//! interleaved.

use std::sync::Arc;
use std::time::Duration;

use accubooks_service::domain::ids::TenantId;
use accubooks_service::idempotency::fingerprint::FINGERPRINT_VERSION;
use accubooks_service::store::sql::SqlLimits;
use accubooks_service::store::{
    Claim, Entity, KeyClaim, KeyRecord, Store, StoreError, StoredResponse, Table, Tenant, Tx,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::{fresh_store, test_limits, Kind};

/// Short lock waits: a blocked step shows up as a timeout quickly.
const LOCK_WAIT: Duration = Duration::from_millis(150);
const KEYS: u8 = 3;
const ENTITIES: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Claim(u8),
    Insert(u8),
    Read(u8),
    Commit,
    Abort,
}

/// What a step observed. Errors are compared by class only.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Obs {
    Claimed,
    Existing(String),
    InFlight,
    Inserted,
    Duplicate,
    Blocked,
    Read(Option<String>),
    Done,
    Error(String),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..KEYS).prop_map(Op::Claim),
        2 => (0..ENTITIES).prop_map(Op::Insert),
        2 => (0..ENTITIES).prop_map(Op::Read),
        2 => Just(Op::Commit),
        1 => Just(Op::Abort),
    ]
}

/// A schedule: (transaction 0 or 1, op). A transaction begins at its first
/// op; ops after its commit or abort start a new transaction in that slot.
fn schedule() -> impl Strategy<Value = Vec<(u8, Op)>> {
    prop::collection::vec((0..2u8, op()), 1..24)
}

/// The reference model: committed keys and entities, two transaction slots.
#[derive(Default)]
struct Model {
    keys: std::collections::BTreeMap<u8, String>,
    entities: std::collections::BTreeMap<u8, String>,
    slots: [Option<Pending>; 2],
}

#[derive(Default, Clone)]
struct Pending {
    keys: std::collections::BTreeMap<u8, String>,
    entities: std::collections::BTreeMap<u8, String>,
}

impl Model {
    fn step(&mut self, t: usize, op: Op, tag: &str) -> Obs {
        let other = 1 - t;
        let pending = self.slots[t].get_or_insert_with(Pending::default).clone();
        let held_by_other = |m: &Model, f: &dyn Fn(&Pending) -> bool| m.slots[other].as_ref().is_some_and(f);
        match op {
            Op::Claim(k) => {
                if let Some(fp) = self.keys.get(&k) {
                    return Obs::Existing(fp.clone());
                }
                if pending.keys.contains_key(&k) {
                    return Obs::Error("claimed twice".into());
                }
                if held_by_other(self, &|p| p.keys.contains_key(&k)) {
                    return Obs::InFlight;
                }
                self.slots[t].as_mut().unwrap().keys.insert(k, format!("{tag}-fp{k}"));
                Obs::Claimed
            }
            Op::Insert(e) => {
                if self.entities.contains_key(&e) || pending.entities.contains_key(&e) {
                    return Obs::Duplicate;
                }
                if held_by_other(self, &|p| p.entities.contains_key(&e)) {
                    return Obs::Blocked;
                }
                self.slots[t].as_mut().unwrap().entities.insert(e, body(tag, e));
                Obs::Inserted
            }
            Op::Read(e) => Obs::Read(pending.entities.get(&e).or(self.entities.get(&e)).cloned()),
            Op::Commit => {
                let p = self.slots[t].take().unwrap();
                self.keys.extend(p.keys);
                self.entities.extend(p.entities);
                Obs::Done
            }
            Op::Abort => {
                self.slots[t] = None;
                Obs::Done
            }
        }
    }
}

struct Real {
    store: Arc<dyn Store>,
    tenant: TenantId,
    slots: [Option<Box<dyn Tx>>; 2],
}

impl Real {
    fn entity_id(tag: &str, e: u8) -> Uuid {
        Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{tag}-e{e}").as_bytes())
    }

    async fn step(&mut self, t: usize, op: Op, tag: &str) -> Obs {
        if self.slots[t].is_none() {
            match self.store.begin().await {
                Ok(tx) => self.slots[t] = Some(tx),
                Err(e) => return Obs::Error(format!("begin: {e}")),
            }
        }
        match op {
            Op::Commit => {
                let tx = self.slots[t].take().unwrap();
                return tx.commit().await.map_or_else(|e| Obs::Error(e.to_string()), |_| Obs::Done);
            }
            Op::Abort => {
                let tx = self.slots[t].take().unwrap();
                return tx.rollback().await.map_or_else(|e| Obs::Error(e.to_string()), |_| Obs::Done);
            }
            _ => {}
        }
        let tx = self.slots[t].as_mut().unwrap();
        let obs = match op {
            Op::Claim(k) => {
                let record = KeyRecord {
                    tenant_id: self.tenant,
                    idempotency_key: format!("{tag}-k{k}"),
                    operation: "fidelity".into(),
                    fingerprint: format!("{tag}-fp{k}"),
                    fingerprint_version: FINGERPRINT_VERSION,
                    entity_id: Uuid::nil(),
                    response: None,
                };
                match tx.claim_key(&KeyClaim { record, wait: LOCK_WAIT }).await {
                    Ok(Claim::Claimed) => {
                        // Committed keys always carry a response.
                        let resp = StoredResponse { status: 201, body: "{}".into(), location: None };
                        match tx.complete_key(self.tenant, &format!("{tag}-k{k}"), &resp).await {
                            Ok(()) => Obs::Claimed,
                            Err(e) => Obs::Error(e.to_string()),
                        }
                    }
                    Ok(Claim::Existing(r)) => Obs::Existing(r.fingerprint),
                    Ok(Claim::InFlight) => Obs::InFlight,
                    Err(e) => Obs::Error(e.to_string()),
                }
            }
            Op::Insert(e) => {
                let entity = Entity {
                    id: Self::entity_id(tag, e),
                    tenant_id: self.tenant,
                    kind: "journal_entry".into(),
                    parent_id: None,
                    body: body(tag, e),
                    version: 1,
                };
                match tx.insert_entity(&entity).await {
                    Ok(()) => Obs::Inserted,
                    Err(StoreError::Duplicate(_)) => Obs::Duplicate,
                    Err(StoreError::LockTimeout(_)) => Obs::Blocked,
                    Err(e) => Obs::Error(e.to_string()),
                }
            }
            Op::Read(e) => {
                match tx.get_entity(self.tenant, Table::JournalEntries, Self::entity_id(tag, e), false).await {
                    Ok(v) => Obs::Read(v.map(|x| x.body)),
                    Err(e) => Obs::Error(e.to_string()),
                }
            }
            Op::Commit | Op::Abort => unreachable!(),
        };
        // After an error Postgres aborts the transaction; the model and the
        // other stores treat a blocked step as the end of it too.
        if ends_tx(&obs) {
            if let Some(tx) = self.slots[t].take() {
                let _ = tx.rollback().await;
            }
        }
        obs
    }
}

/// Steps after which the engine rolls the transaction back (Postgres
/// aborts a transaction on any error, so nothing later would be comparable).
fn ends_tx(o: &Obs) -> bool {
    matches!(o, Obs::Blocked | Obs::InFlight | Obs::Duplicate | Obs::Error(_))
}

async fn open(kind: Kind) -> Option<Real> {
    let limits = SqlLimits { lock_wait: LOCK_WAIT, pool_acquire_wait: Duration::from_secs(30), ..test_limits() };
    let store = fresh_store(kind, limits).await?;
    let tenant = TenantId(Uuid::new_v4());
    store.create_tenant(&Tenant { id: tenant, name: "fidelity".into() }, &Uuid::new_v4().to_string()).await.unwrap();
    Some(Real { store, tenant, slots: [None, None] })
}

/// Runs `schedule` on the model and the store; returns the first divergence.
async fn compare(real: &mut Real, schedule: &[(u8, Op)], interleaved: bool, tag: &str) -> Result<(), String> {
    let mut model = Model::default();
    // Sequential mode: run all of transaction 0's ops, then transaction 1's.
    let order: Vec<(u8, Op)> = if interleaved {
        schedule.to_vec()
    } else {
        let mut v: Vec<_> = schedule.iter().filter(|(t, _)| *t == 0).copied().collect();
        v.push((0, Op::Commit));
        v.extend(schedule.iter().filter(|(t, _)| *t == 1).copied());
        v
    };
    for (i, (t, op)) in order.iter().enumerate() {
        let t = usize::from(*t);
        if real.slots[t].is_none() && matches!(op, Op::Commit | Op::Abort) && model.slots[t].is_none() {
            continue; // nothing open to end
        }
        // The engine never claims one key twice in a transaction (Postgres
        // would report its own row, memory an error): not a behaviour to compare.
        if let Op::Claim(k) = op {
            if model.slots[t].as_ref().is_some_and(|p| p.keys.contains_key(k)) {
                continue;
            }
        }
        let want = model.step(t, *op, tag);
        let got = real.step(t, *op, tag).await;
        if want != got {
            return Err(format!("step {i} (tx {t}, {op:?}): model {want:?}, store {got:?}"));
        }
        // The model mirrors the store ending a failed transaction.
        if ends_tx(&want) {
            model.slots[t] = None;
        }
    }
    for t in 0..2 {
        if let Some(tx) = real.slots[t].take() {
            tx.rollback().await.map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn run(kind: Kind, interleaved: bool) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(real) = rt.block_on(open(kind)) else { return };
    // proptest's closure is `Fn`: the store and the case counter live in cells.
    let real = std::cell::RefCell::new(real);
    let case = std::cell::Cell::new(0u32);
    let config = ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(s in schedule())| {
        case.set(case.get() + 1);
        // Each case gets its own keys and entity ids, so cases are independent.
        let tag = format!("c{}-{}", case.get(), Uuid::new_v4().simple());
        let r = rt.block_on(compare(&mut real.borrow_mut(), &s, interleaved, &tag));
        prop_assert!(r.is_ok(), "{:?} diverged on {s:?}: {}", kind, r.unwrap_err());
    });
}

macro_rules! fidelity {
    ($($name:ident: $kind:ident, $interleaved:expr;)*) => { $(
        #[test]
        fn $name() {
            run(Kind::$kind, $interleaved);
        }
    )* };
}

mod memory {
    use super::*;
    fidelity! {
        sequential: Memory, false;
        interleaved: Memory, true;
    }
}

mod sqlite {
    use super::*;
    fidelity! {
        sequential: Sqlite, false;
    }
}

mod postgres {
    use super::*;
    fidelity! {
        sequential: Postgres, false;
        interleaved: Postgres, true;
    }
}

/// A test entity's document: a journal entry (its table's generated
/// columns need a date), told apart by its memo.
fn body(tag: &str, e: u8) -> String {
    format!(r#"{{"entry_date":"2026-01-01","memo":"{tag}-body{e}"}}"#)
}
