//! The books' properties: the service's ledger verifier, invoices paid
//! exactly by their payments, refunds within their payment, and nothing
//! posted into a closed period.

use std::collections::BTreeMap;

use accubooks_service::domain::ledger;
use accubooks_service::store::{AuditStatus, Entity};
use uuid::Uuid;

use super::{FinalState, Violation};

/// Nothing posts into a closed period: no ledger line dated in a period
/// whose close committed before the line's posting did. Commit order is
/// the audit log's (rows in id order; a write's `new` row commits with it);
/// a node's clock plays no part.
pub(super) fn closed_period_violations(state: &FinalState) -> Vec<Violation> {
    let committed_at: BTreeMap<(Uuid, Uuid), usize> = state
        .audit
        .iter()
        .enumerate()
        .filter(|(_, a)| a.status == AuditStatus::New)
        .map(|(i, a)| ((a.company_id.0, a.deterministic_id), i))
        .collect();
    let body = |e: &Entity| serde_json::from_str::<serde_json::Value>(&e.body).unwrap_or_default();
    // (tenant, "YYYY-MM") → where its close committed.
    let mut closed: BTreeMap<(Uuid, String), usize> = BTreeMap::new();
    for e in state.entities.iter().filter(|e| e.kind == "period_close") {
        let (Some(period), Some(at)) =
            (body(e)["period"].as_str().map(str::to_owned), committed_at.get(&(e.tenant_id.0, e.id)))
        else {
            continue;
        };
        let first = closed.entry((e.tenant_id.0, period)).or_insert(*at);
        *first = (*first).min(*at);
    }
    let mut v = Vec::new();
    for e in state.entities.iter().filter(|e| e.kind == ledger::LEDGER_LINE_KIND) {
        let b = body(e);
        let (Some(date), Some(source)) = (b["date"].as_str(), b["source_id"].as_str().and_then(|s| s.parse().ok()))
        else {
            continue;
        };
        let period = date.get(..7).unwrap_or(date).to_owned();
        let (Some(close), Some(posted)) =
            (closed.get(&(e.tenant_id.0, period.clone())), committed_at.get(&(e.tenant_id.0, source)))
        else {
            continue;
        };
        if posted > close {
            v.push(Violation::PostedIntoClosedPeriod { tenant: e.tenant_id.0, period, source, line: e.id });
        }
    }
    v
}

/// The books: the service's ledger verifier over every stored line, and
/// refunds within their payment (their sum is what the payment records).
pub(super) fn books_violations(entities: &[Entity]) -> Vec<Violation> {
    let mut v = Vec::new();
    let report = ledger::verify(entities);
    if !report.is_balanced() {
        v.push(Violation::LedgerUnbalanced {
            unbalanced_balances: report.balances.iter().filter(|b| !b.balanced()).count() as u64,
            unbalanced_postings: report.unbalanced_postings.len() as u64,
            malformed: report.malformed.len() as u64,
        });
    }
    let mut refunded: BTreeMap<Uuid, i64> = BTreeMap::new();
    for e in entities.iter().filter(|e| e.kind == "refund") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let payment = body["payment_id"].as_str().and_then(|p| p.parse::<Uuid>().ok()).unwrap_or_default();
        *refunded.entry(payment).or_default() += body["amount_cents"].as_i64().unwrap_or(0);
    }
    for e in entities.iter().filter(|e| e.kind == "payment") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let amount = body["amount_cents"].as_i64().unwrap_or(-1);
        let recorded = body["amount_refunded_cents"].as_i64().unwrap_or(0);
        let sum = refunded.get(&e.id).copied().unwrap_or(0);
        if sum != recorded || sum > amount {
            v.push(Violation::RefundsExceedPayment { payment: e.id, amount, recorded, refunds_sum: sum });
        }
    }
    v
}

/// Domain invariant: an invoice's `amount_paid_cents` is the sum of its
/// payments and never exceeds its total.
pub(super) fn ledger_violations(entities: &[Entity]) -> Vec<Violation> {
    let mut paid: BTreeMap<Uuid, i64> = BTreeMap::new();
    for e in entities.iter().filter(|e| e.kind == "payment") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let (Some(inv), Some(amount)) = (body["invoice_id"].as_str(), body["amount_cents"].as_i64()) else {
            return vec![Violation::PaymentUnreadable { payment: e.id }];
        };
        let inv: Uuid = inv.parse().unwrap_or_default();
        *paid.entry(inv).or_default() += amount;
    }
    let mut v = Vec::new();
    for e in entities.iter().filter(|e| e.kind == "invoice") {
        let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
        let recorded = body["amount_paid_cents"].as_i64().unwrap_or(-1);
        let total = body["total_cents"].as_i64().unwrap_or(-1);
        let sum = paid.get(&e.id).copied().unwrap_or(0);
        if recorded != sum || recorded > total {
            v.push(Violation::InvoicePaidWrongly { invoice: e.id, recorded, payments_sum: sum, total });
        }
    }
    v
}
