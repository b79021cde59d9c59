//! The story of a failing run's keys: for each key a violation names,
//! every attempt (client, node, virtual time, answer), the faults the
//! timeline shows around them, and what the final state holds for the key
//! (its record, its audit rows — the engine's decisions — and its entity).
//! A page a person can read instead of a 10-second run with hundreds of
//! clients.

use std::collections::BTreeSet;
use std::fmt::Write;

use accubooks_service::store::AuditStatus;
use uuid::Uuid;

use crate::checker::{FinalState, Violation};
use crate::history::{HistoryData, Outcome};
use crate::oracle;

/// Keys explained at most (the first violations' keys).
const KEYS_MAX: usize = 3;
/// Timeline lines shown before a key's first attempt.
const LEAD_MS: u64 = 2000;

/// The (tenant, key-hash) a violation is about, if it names one key.
fn key_of(v: &Violation) -> Option<(Uuid, String)> {
    let json = serde_json::to_value(v).ok()?;
    if let Some(k) = json.get("key").filter(|k| k.is_object()) {
        let tenant = k["tenant"].as_str()?.parse().ok()?;
        return Some((tenant, oracle::key_hash(k["key"].as_str()?)));
    }
    let tenant = json.get("tenant")?.as_str()?.parse().ok()?;
    let hash = json.get("key_hash").and_then(|h| h.as_str()).map(str::to_owned);
    hash.or_else(|| json.get("key")?.as_str().map(oracle::key_hash)).map(|h| (tenant, h))
}

fn answer(o: &Outcome) -> String {
    match o {
        Outcome::Ok { status, replayed, entity_id, .. } => {
            let id = entity_id.map(|i| format!(" id {i}")).unwrap_or_default();
            format!("{status}{}{id}", if *replayed { " (replayed)" } else { "" })
        }
        Outcome::Rejected { status, replayed, code, .. } => {
            format!("{status} {code}{}", if *replayed { " (replayed)" } else { "" })
        }
        Outcome::Info { reason } => format!("no answer ({reason})"),
    }
}

/// The timeline's virtual time of a line `[  1234 ms] …`.
fn line_ms(line: &str) -> Option<u64> {
    line.strip_prefix('[')?.split_once(" ms]")?.0.trim().parse().ok()
}

/// The stories of the keys `violations` name (at most `KEYS_MAX`).
pub fn story(history: &HistoryData, state: &FinalState, violations: &[Violation], timeline: &[String]) -> String {
    let mut keys: Vec<((Uuid, String), &Violation)> = Vec::new();
    for v in violations {
        if let Some(k) = key_of(v).filter(|k| keys.iter().all(|(seen, _)| seen != k)) {
            keys.push((k, v));
        }
    }
    let mut out = String::new();
    for ((tenant, hash), v) in keys.into_iter().take(KEYS_MAX) {
        let requests: Vec<_> =
            history.requests.iter().filter(|q| q.tenant == tenant && oracle::key_hash(&q.key) == hash).collect();
        let name = requests.first().map_or_else(|| format!("sha256:{}", &hash[..12]), |q| q.key.clone());
        let _ = writeln!(out, "key {name} of tenant {tenant}: {v}");
        let ids: BTreeSet<u64> = requests.iter().map(|q| q.id).collect();
        let attempts: Vec<_> = history.attempts.iter().filter(|a| ids.contains(&a.request)).collect();
        let (first, last) =
            (attempts.iter().map(|a| a.at_ms).min().unwrap_or(0), attempts.iter().map(|a| a.at_ms).max().unwrap_or(0));
        for q in &requests {
            let fp = q.fingerprint.get(..12).unwrap_or(&q.fingerprint);
            let _ = writeln!(
                out,
                "  request {} — client {}, {} {:?}, payload {fp}…",
                q.id, q.client, q.operation, q.intent
            );
            for a in attempts.iter().filter(|a| a.request == q.id) {
                let _ = writeln!(
                    out,
                    "    attempt {} → node {} at {} ms: {}",
                    a.attempt,
                    a.node,
                    a.at_ms,
                    answer(&a.outcome)
                );
            }
        }
        let around: Vec<&String> =
            timeline.iter().filter(|l| line_ms(l).is_some_and(|t| t + LEAD_MS >= first && t <= last)).collect();
        if !around.is_empty() {
            let _ = writeln!(out, "  meanwhile ({} ms before the first attempt to the last):", LEAD_MS);
            for l in around {
                let _ = writeln!(out, "    {l}");
            }
        }
        let record =
            state.keys.iter().find(|k| k.tenant_id.0 == tenant && oracle::key_hash(&k.idempotency_key) == hash);
        let stored = match record {
            Some(k) => {
                let resp =
                    k.response.as_ref().map_or_else(|| "no response (in flight)".into(), |r| r.status.to_string());
                let fp = k.fingerprint.get(..12).unwrap_or(&k.fingerprint);
                format!("{} record, fingerprint {fp}…, response {resp}", k.operation)
            }
            None => "no key record".into(),
        };
        let decisions: Vec<String> = state
            .audit
            .iter()
            .filter(|a| a.company_id.0 == tenant && a.idempotency_key_hash == hash)
            .map(|a| format!("{} {}", a.status.as_str(), a.http_status))
            .collect();
        let executed: Vec<Uuid> = state
            .audit
            .iter()
            .filter(|a| a.company_id.0 == tenant && a.idempotency_key_hash == hash && a.status == AuditStatus::New)
            .map(|a| a.deterministic_id)
            .collect();
        let entities: Vec<String> = executed
            .iter()
            .map(|id| {
                let present = state.entities.iter().any(|e| e.id == *id);
                format!("{id} {}", if present { "present" } else { "MISSING" })
            })
            .collect();
        let _ = writeln!(out, "  final state: {stored}");
        let _ = writeln!(out, "  the engine's decisions (audit rows, in commit order): {}", decisions.join(", "));
        if !entities.is_empty() {
            let _ = writeln!(out, "  entities of its executions: {}", entities.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Attempt, Intent, Request};

    #[test]
    fn a_violating_key_is_told_attempt_by_attempt_with_the_faults_around_it() {
        let tenant = Uuid::from_u128(7);
        let q = |id, intent| Request {
            id,
            client: 3,
            tenant,
            operation: "record_payment".into(),
            key: "c3-r0".into(),
            fingerprint: format!("fp-{id}-0123456789"),
            intent,
        };
        let at = |request, attempt, at_ms, outcome| Attempt { request, attempt, node: 1, outcome, at_ms };
        let history = HistoryData {
            requests: vec![q(1, Intent::Normal), q(2, Intent::Mismatch)],
            attempts: vec![
                at(1, 1, 4000, Outcome::Info { reason: "timeout".into() }),
                at(1, 2, 5000, Outcome::Ok { status: 201, replayed: false, body_hash: 1, entity_id: None }),
                at(2, 1, 6000, Outcome::Ok { status: 201, replayed: false, body_hash: 2, entity_id: None }),
            ],
            abandoned: vec![],
        };
        let key = crate::checker::KeyRef { tenant, operation: "record_payment".into(), key: "c3-r0".into() };
        let v = Violation::MismatchExecuted { key, answer: history.attempts[2].outcome.clone() };
        let timeline = vec![
            "[   1000 ms] scenario x seed 1".to_owned(),
            "[   3500 ms] kill service-1 (in-flight requests die mid-write)".to_owned(),
            "[   9000 ms] healed".to_owned(),
        ];
        let text = story(&history, &FinalState::default(), &[v], &timeline);
        assert!(text.starts_with("key c3-r0 of tenant"), "{text}");
        assert!(text.contains("attempt 1 → node 1 at 4000 ms: no answer (timeout)"), "{text}");
        assert!(text.contains("request 2 — client 3, record_payment Mismatch"), "{text}");
        assert!(text.contains("kill service-1"), "the fault around the attempts: {text}");
        assert!(!text.contains("healed") && !text.contains("scenario x"), "only what happened around them: {text}");
        assert!(text.contains("final state: no key record"), "{text}");
        assert_eq!(story(&history, &FinalState::default(), &[], &timeline), "");
    }
}
