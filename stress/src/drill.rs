//! The restore drill's judgement: what a point-in-time restore may and may
//! not do to the keys the clients were answered for.
//!
//! Every key acknowledged with a stored answer before the load is split by
//! the restore point (created at `[rp_start, rp_end]` ms into the load):
//!
//! - **before**: its answer arrived before the restore point was asked
//!   for, so its commit precedes it: the restored database must hold the
//!   key, and the client's retry must replay the original answer byte for
//!   byte (status and body hash) without executing anything.
//! - **after**: its first attempt was sent after the restore point
//!   existed, so its commit follows it: the restored database must not hold
//!   it, and the retry executes it afresh, once; a success must carry the
//!   same deterministic id as the answer the restore erased.
//! - **straddling**: in flight while the restore point was made: either is
//!   right, and which one happened is counted.
//!
//! Then every key's second retry must replay its first retry's answer
//! (exactly once). The checker of the simulations judges the rest
//! (duplicates, lost writes, the ledger, the outbox and the deliveries).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use accubooks_sim::history::{HistoryData, Intent, Outcome};
use serde::Serialize;
use uuid::Uuid;

/// Violations kept in the report; the count is always exact.
const VIOLATIONS_KEPT_MAX: usize = 200;

/// When a logical request was first sent and when its definitive answer
/// arrived, in ms since the load started (the history's own clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub request: u64,
    pub first_sent_ms: u64,
    pub done_ms: u64,
}

/// Definitive answers as they arrive (the driver records into it).
#[derive(Debug, Default)]
pub struct AckLog {
    acks: Mutex<Vec<Ack>>,
}

impl AckLog {
    pub fn push(&self, a: Ack) {
        self.acks.lock().unwrap_or_else(|p| p.into_inner()).push(a);
    }

    pub fn take(&self) -> Vec<Ack> {
        std::mem::take(&mut *self.acks.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Before,
    After,
    Straddling,
}

/// Which side of the restore point `[rp_start, rp_end]` an answer is on.
pub fn side(first_sent_ms: u64, done_ms: u64, rp_start_ms: u64, rp_end_ms: u64) -> Side {
    if done_ms < rp_start_ms {
        Side::Before
    } else if first_sent_ms > rp_end_ms {
        Side::After
    } else {
        Side::Straddling
    }
}

/// What the drill saw, key by key, summed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DrillCounts {
    /// Keys the load's clients were answered for (first use of a key).
    pub acknowledged: u64,
    /// Of those, answered with nothing stored (a refusal a retry
    /// re-evaluates): outside the drill's claims.
    pub not_stored: u64,
    pub before: u64,
    pub after: u64,
    pub straddling: u64,
    /// Keys the restored database holds, of the before / straddling keys.
    pub restored_before: u64,
    pub restored_straddling: u64,
    /// After-keys the restored database (wrongly) holds.
    pub restored_after: u64,
    /// Before-keys whose retry replayed the original answer byte for byte.
    pub before_replayed_identical: u64,
    /// After-keys executed afresh by their retry, and of those the
    /// successes with the erased answer's deterministic id.
    pub after_reexecuted: u64,
    pub after_same_id: u64,
    /// After-keys whose fresh execution answered otherwise than the erased
    /// one did (a success now refused, or the reverse): the state it met
    /// differs after the restore. Reported, not a violation.
    pub after_outcome_changed: u64,
    pub straddling_replayed: u64,
    pub straddling_reexecuted: u64,
    /// Keys whose second retry replayed their first retry's answer (or,
    /// for a refusal nothing stored, was refused the same way again).
    pub second_retry_identical: u64,
    pub second_retry_checked: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DrillJudgement {
    pub counts: DrillCounts,
    pub violation_count: u64,
    pub violations: Vec<String>,
}

impl DrillJudgement {
    fn violate(&mut self, v: String) {
        self.violation_count += 1;
        if self.violations.len() < VIOLATIONS_KEPT_MAX {
            self.violations.push(v);
        }
    }
}

/// Each key's first definitive answer to its first-use request (`Normal`),
/// with the request's id.
pub fn first_answers(h: &HistoryData) -> BTreeMap<String, (u64, Outcome)> {
    let normal: BTreeMap<u64, &str> =
        h.requests.iter().filter(|q| q.intent == Intent::Normal).map(|q| (q.id, q.key.as_str())).collect();
    let mut out = BTreeMap::new();
    for a in h.attempts.iter().filter(|a| a.outcome.is_definitive()) {
        if let Some(key) = normal.get(&a.request) {
            out.entry((*key).to_owned()).or_insert((a.request, a.outcome.clone()));
        }
    }
    out
}

/// The inputs of the judgement.
pub struct DrillInput<'a> {
    pub load: &'a HistoryData,
    pub acks: &'a [Ack],
    pub rp_start_ms: u64,
    pub rp_end_ms: u64,
    /// Keys with a stored answer just before the disaster.
    pub stored_before_disaster: &'a BTreeSet<String>,
    /// Keys with a stored answer in the restored database.
    pub restored: &'a BTreeSet<String>,
    /// The two retry passes after the restore.
    pub first_retry: &'a HistoryData,
    pub second_retry: &'a HistoryData,
}

pub fn judge(i: &DrillInput<'_>) -> DrillJudgement {
    let mut j = DrillJudgement::default();
    let acks: BTreeMap<u64, &Ack> = i.acks.iter().map(|a| (a.request, a)).collect();
    let r1 = first_answers(i.first_retry);
    let r2 = first_answers(i.second_retry);
    for (key, (request, original)) in first_answers(i.load) {
        let c = &mut j.counts;
        c.acknowledged += 1;
        if !i.stored_before_disaster.contains(&key) {
            c.not_stored += 1;
            continue;
        }
        let Some(ack) = acks.get(&request) else {
            j.violate(format!("{key}: answered, but its answer's time was not recorded"));
            continue;
        };
        let side = side(ack.first_sent_ms, ack.done_ms, i.rp_start_ms, i.rp_end_ms);
        let restored = i.restored.contains(&key);
        match side {
            Side::Before => {
                c.before += 1;
                c.restored_before += u64::from(restored);
            }
            Side::After => {
                c.after += 1;
                c.restored_after += u64::from(restored);
            }
            Side::Straddling => {
                c.straddling += 1;
                c.restored_straddling += u64::from(restored);
            }
        }
        match side {
            Side::Before if !restored => j.violate(format!(
                "{key}: answered {} ms before the restore point, missing from the restored database",
                i.rp_start_ms - ack.done_ms
            )),
            Side::After if restored => j.violate(format!(
                "{key}: first sent {} ms after the restore point, yet in the restored database",
                ack.first_sent_ms - i.rp_end_ms
            )),
            _ => {}
        }
        let Some((_, retry)) = r1.get(&key) else {
            j.violate(format!("{key}: no definitive answer to its retry after the restore"));
            continue;
        };
        let was_replayed = replayed(retry);
        let identical = was_replayed && same_answer(&original, retry);
        let c = &mut j.counts;
        match side {
            Side::Before if identical => c.before_replayed_identical += 1,
            Side::Before => j.violate(format!(
                "{key}: acknowledged before the restore point, its retry answered {} instead of replaying {}",
                show(retry),
                show(&original)
            )),
            Side::After if was_replayed => j.violate(format!(
                "{key}: erased by the restore, yet its retry was answered as a replay ({})",
                show(retry)
            )),
            Side::After => {
                c.after_reexecuted += 1;
                c.after_outcome_changed += u64::from(kind(&original) != kind(retry));
                match (entity_id(&original), entity_id(retry)) {
                    (Some(a), Some(b)) if a == b => c.after_same_id += 1,
                    (Some(a), Some(b)) => j.violate(format!(
                        "{key}: re-executed after the restore under id {b}, the erased answer had {a}"
                    )),
                    _ => {}
                }
            }
            Side::Straddling if identical => c.straddling_replayed += 1,
            Side::Straddling if was_replayed => j.violate(format!(
                "{key}: its retry replayed {} but the client had been answered {}",
                show(retry),
                show(&original)
            )),
            Side::Straddling => c.straddling_reexecuted += 1,
        }
        match r2.get(&key) {
            None => j.violate(format!("{key}: no definitive answer to its second retry")),
            Some((_, second)) => {
                // A success (or a replay) is stored: the second retry must
                // replay it. A fresh refusal may be one a retry re-evaluates
                // (nothing stored): then it must be refused the same way.
                let replays_it = replayed(second) && same_answer(retry, second);
                let good = if matches!(retry, Outcome::Ok { .. }) || was_replayed {
                    replays_it
                } else {
                    replays_it || (!replayed(second) && kind(second) == kind(retry))
                };
                j.counts.second_retry_checked += 1;
                if good {
                    j.counts.second_retry_identical += 1;
                } else {
                    j.violate(format!(
                        "{key}: second retry answered {} after the first retry's {}",
                        show(second),
                        show(retry)
                    ));
                }
            }
        }
    }
    j
}

fn replayed(o: &Outcome) -> bool {
    matches!(o, Outcome::Ok { replayed: true, .. } | Outcome::Rejected { replayed: true, .. })
}

/// Same status and same body bytes (by hash).
fn same_answer(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Ok { body_hash: x, .. }, Outcome::Ok { body_hash: y, .. }) => x == y,
        (Outcome::Rejected { status: s, body_hash: x, .. }, Outcome::Rejected { status: t, body_hash: y, .. }) => {
            s == t && x == y
        }
        _ => false,
    }
}

fn entity_id(o: &Outcome) -> Option<Uuid> {
    match o {
        Outcome::Ok { entity_id, .. } => *entity_id,
        _ => None,
    }
}

/// A success, or a refusal by its code.
fn kind(o: &Outcome) -> String {
    match o {
        Outcome::Ok { .. } => "ok".into(),
        Outcome::Rejected { code, .. } => code.clone(),
        Outcome::Info { .. } => "indeterminate".into(),
    }
}

fn show(o: &Outcome) -> String {
    match o {
        Outcome::Ok { status, replayed, body_hash, .. } => {
            format!("{status}{} (body {body_hash:016x})", if *replayed { " replayed" } else { "" })
        }
        Outcome::Rejected { status, replayed, code, .. } => {
            format!("{status} {code}{}", if *replayed { " replayed" } else { "" })
        }
        Outcome::Info { reason } => format!("indeterminate ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use accubooks_sim::history::{Attempt, Request};

    use super::*;

    fn ok(replayed: bool, hash: u64, id: u128) -> Outcome {
        Outcome::Ok {
            status: if replayed { 200 } else { 201 },
            replayed,
            body_hash: hash,
            entity_id: Some(Uuid::from_u128(id)),
        }
    }

    fn refused(replayed: bool, code: &str, hash: u64) -> Outcome {
        Outcome::Rejected { status: 422, replayed, code: code.into(), body_hash: hash }
    }

    /// One Normal request per key, answered as given.
    fn history(answers: &[(&str, Outcome)]) -> HistoryData {
        let mut h = HistoryData::default();
        for (i, (key, o)) in answers.iter().enumerate() {
            h.requests.push(Request {
                id: i as u64,
                client: 0,
                tenant: Uuid::nil(),
                operation: "create_invoice".into(),
                key: (*key).into(),
                fingerprint: String::new(),
                intent: Intent::Normal,
            });
            h.attempts.push(Attempt {
                request: i as u64,
                attempt: 1,
                node: 0,
                outcome: Outcome::Info { reason: "timeout".into() },
                at_ms: 0,
            });
            h.attempts.push(Attempt { request: i as u64, attempt: 2, node: 0, outcome: o.clone(), at_ms: 1 });
        }
        h
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn sides_of_the_restore_point() {
        assert_eq!(side(10, 99, 100, 120), Side::Before);
        assert_eq!(side(121, 130, 100, 120), Side::After);
        assert_eq!(side(90, 100, 100, 120), Side::Straddling, "answered as the point was asked for");
        assert_eq!(side(120, 125, 100, 120), Side::Straddling, "sent as the point was made");
    }

    /// Keys: b (before), a (after), s (straddling), r (refused, not stored).
    fn input_parts() -> (HistoryData, Vec<Ack>) {
        let load = history(&[
            ("b", ok(false, 1, 1)),
            ("a", ok(false, 2, 2)),
            ("s", ok(false, 3, 3)),
            ("r", refused(false, "customer_not_found", 4)),
        ]);
        let acks = vec![
            Ack { request: 0, first_sent_ms: 10, done_ms: 50 },
            Ack { request: 1, first_sent_ms: 130, done_ms: 140 },
            Ack { request: 2, first_sent_ms: 95, done_ms: 125 },
            Ack { request: 3, first_sent_ms: 5, done_ms: 6 },
        ];
        (load, acks)
    }

    /// The judgement of `input_parts`' load (restore point at 100–120 ms,
    /// b, a and s stored before the disaster) after the given retries.
    fn judged(restored: &[&str], r1: &HistoryData, r2: &HistoryData) -> DrillJudgement {
        let (load, acks) = input_parts();
        judge(&DrillInput {
            load: &load,
            acks: &acks,
            rp_start_ms: 100,
            rp_end_ms: 120,
            stored_before_disaster: &set(&["b", "a", "s"]),
            restored: &set(restored),
            first_retry: r1,
            second_retry: r2,
        })
    }

    #[test]
    fn a_correct_restore_passes_and_is_counted() {
        let r1 = history(&[("b", ok(true, 1, 1)), ("a", ok(false, 22, 2)), ("s", ok(true, 3, 3))]);
        let r2 = history(&[("b", ok(true, 1, 1)), ("a", ok(true, 22, 2)), ("s", ok(true, 3, 3))]);
        let j = judged(&["b", "s"], &r1, &r2);
        assert!(j.violations.is_empty(), "{:?}", j.violations);
        let c = &j.counts;
        assert_eq!((c.acknowledged, c.not_stored, c.before, c.after, c.straddling), (4, 1, 1, 1, 1));
        assert_eq!((c.restored_before, c.restored_after, c.restored_straddling), (1, 0, 1));
        assert_eq!((c.before_replayed_identical, c.after_reexecuted, c.after_same_id), (1, 1, 1));
        assert_eq!((c.straddling_replayed, c.straddling_reexecuted, c.after_outcome_changed), (1, 0, 0));
        assert_eq!((c.second_retry_checked, c.second_retry_identical), (3, 3));
    }

    #[test]
    fn every_way_a_restore_can_go_wrong_is_reported() {
        // b lost and re-executed with another body; a still present and
        // replayed; s (in flight) re-executed, but its second retry differs.
        let r1 = history(&[("b", ok(false, 9, 1)), ("a", ok(true, 2, 2)), ("s", ok(false, 33, 3))]);
        let r2 = history(&[("b", ok(true, 9, 1)), ("a", ok(true, 2, 2)), ("s", ok(false, 34, 3))]);
        let j = judged(&["a", "s"], &r1, &r2);
        let all = j.violations.join("\n");
        assert_eq!(j.violation_count, 5, "{all}");
        assert!(all.contains("b: answered 50 ms before the restore point, missing"), "{all}");
        assert!(all.contains("b: acknowledged before the restore point, its retry answered 201"), "{all}");
        assert!(all.contains("a: first sent 10 ms after the restore point, yet in the restored database"), "{all}");
        assert!(all.contains("a: erased by the restore, yet its retry was answered as a replay"), "{all}");
        assert!(all.contains("s: second retry answered 201"), "{all}");

        // A re-execution under another id, and a key never answered again.
        let r1 = history(&[("b", ok(true, 1, 1)), ("a", ok(false, 22, 7))]);
        let r2 = history(&[("b", ok(true, 1, 1)), ("a", ok(true, 22, 7))]);
        let j = judged(&["b"], &r1, &r2);
        let all = j.violations.join("\n");
        assert_eq!(j.violation_count, 2, "{all}");
        assert!(all.contains(&format!("a: re-executed after the restore under id {}", Uuid::from_u128(7))), "{all}");
        assert!(all.contains("s: no definitive answer to its retry after the restore"), "{all}");
    }

    #[test]
    fn a_refusal_now_for_an_erased_success_is_counted_not_failed() {
        let r1 = history(&[("b", ok(true, 1, 1)), ("a", refused(false, "overpayment", 5)), ("s", ok(true, 3, 3))]);
        let r2 = history(&[("b", ok(true, 1, 1)), ("a", refused(true, "overpayment", 5)), ("s", ok(true, 3, 3))]);
        let j = judged(&["b", "s"], &r1, &r2);
        assert!(j.violations.is_empty(), "{:?}", j.violations);
        assert_eq!((j.counts.after_reexecuted, j.counts.after_outcome_changed, j.counts.after_same_id), (1, 1, 0));
        assert_eq!((j.counts.second_retry_checked, j.counts.second_retry_identical), (3, 3));
    }
}
