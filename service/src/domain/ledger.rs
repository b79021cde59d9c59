//! The general ledger. Financial operations post balanced journal lines
//! (`ledger_line` entities whose ids derive from the posting record) in the
//! write's own transaction, so a replay or a retry can never post twice.
//! `verify` proves from the stored lines alone that every tenant's ledger
//! balances per currency; `accubooks audit verify-ledger` prints it.
//!
//! Invariant: a posting that does not balance is a bug in an operation; it
//! panics before anything is written (money invariants stay on in release).
//!
//! What posts what (system accounts by name; journal entries post to the
//! tenant's chart of accounts, by account id):
//!
//! | record  | debit               | credit              |
//! |---------|---------------------|---------------------|
//! | invoice | accounts_receivable | revenue             |
//! | payment | cash                | accounts_receivable |
//! | refund  | sales_refunds       | cash                |
//! | bill    | expenses            | accounts_payable    |
//! | void    | revenue             | accounts_receivable |
//!
//! A refund leaves its invoice paid: the money returned is recognised
//! against revenue (`sales_refunds`, a contra-revenue account), not by
//! reopening the receivable.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ids::{derived_id, TenantId};
use crate::domain::money::{Cents, Currency};
use crate::domain::time::Date;

pub const LEDGER_LINE_KIND: &str = "ledger_line";
/// The kinds of record that post ledger lines (the lines' `source_kind`).
pub const SOURCE_KINDS: [&str; 6] = ["invoice", "invoice_void", "payment", "refund", "bill", "journal_entry"];

/// Accounts the service posts to by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemAccount {
    AccountsReceivable,
    Revenue,
    Cash,
    SalesRefunds,
    Expenses,
    AccountsPayable,
}

impl SystemAccount {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountsReceivable => "accounts_receivable",
            Self::Revenue => "revenue",
            Self::Cash => "cash",
            Self::SalesRefunds => "sales_refunds",
            Self::Expenses => "expenses",
            Self::AccountsPayable => "accounts_payable",
        }
    }
}

impl From<SystemAccount> for String {
    fn from(a: SystemAccount) -> Self {
        a.as_str().to_owned()
    }
}

/// One stored journal line (`GET /v1/ledger-lines/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub id: Uuid,
    pub object: String,
    /// The record whose execution posted this line.
    pub source_id: Uuid,
    pub source_kind: String,
    pub line: u32,
    pub date: String,
    /// A system account name, or a chart-of-accounts account id.
    pub account: String,
    pub currency: String,
    pub debit_cents: Cents,
    pub credit_cents: Cents,
}

#[derive(Debug, Clone)]
struct Leg {
    account: String,
    currency: Currency,
    debit: Cents,
    credit: Cents,
}

/// The lines one record posts, built leg by leg, checked on completion.
#[derive(Debug, Clone, Default)]
pub struct Posting {
    legs: Vec<Leg>,
}

impl Posting {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn debit(mut self, account: impl Into<String>, currency: Currency, amount: Cents) -> Self {
        self.legs.push(Leg { account: account.into(), currency, debit: amount, credit: Cents::ZERO });
        self
    }

    pub fn credit(mut self, account: impl Into<String>, currency: Currency, amount: Cents) -> Self {
        self.legs.push(Leg { account: account.into(), currency, debit: Cents::ZERO, credit: amount });
        self
    }

    /// Debits equal credits in every currency (sums in i128: no overflow).
    pub fn balances(&self) -> bool {
        let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
        for l in &self.legs {
            *net.entry(l.currency).or_default() += i128::from(l.debit.0) - i128::from(l.credit.0);
        }
        net.values().all(|n| *n == 0)
    }

    /// The ledger lines of the record `source_id`, dated in a period proven
    /// open. Legs of zero are not written (a zero-total invoice posts nothing).
    pub fn lines(self, source_id: Uuid, source_kind: &str, open: &OpenPeriod) -> Vec<LedgerLine> {
        assert!(self.balances(), "the posting of {source_kind} {source_id} does not balance: {:?}", self.legs);
        let date = open.date().to_string();
        self.legs
            .into_iter()
            .filter(|l| l.debit.is_positive() || l.credit.is_positive())
            .enumerate()
            .map(|(i, l)| LedgerLine {
                id: derived_id(source_id, &format!("ledger:{i}")),
                object: LEDGER_LINE_KIND.into(),
                source_id,
                source_kind: source_kind.into(),
                line: i as u32,
                date: date.clone(),
                account: l.account,
                currency: l.currency.to_string(),
                debit_cents: l.debit,
                credit_cents: l.credit,
            })
            .collect()
    }
}

/// Proof, held by a plan, that the period of `date` was open when checked
/// and stays open until the transaction ends (its lock is held shared).
/// Only `ops::ensure_open` makes one; the ledger posts only with one.
#[derive(Debug)]
pub struct OpenPeriod {
    date: Date,
}

impl OpenPeriod {
    /// For `ops::ensure_open` alone, after it has locked the period and
    /// found no closed marker.
    pub(crate) fn checked(date: Date) -> Self {
        Self { date }
    }

    pub fn date(&self) -> Date {
        self.date
    }
}

/// A stored ledger row as the verifier reads it (the store's entity rows
/// implement it), so the domain needs nothing from the store.
pub trait StoredLine {
    fn tenant(&self) -> TenantId;
    fn row_id(&self) -> Uuid;
    fn kind(&self) -> &str;
    fn body(&self) -> &str;
}

/// One tenant's totals in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub tenant: TenantId,
    pub currency: String,
    pub lines: u64,
    pub debits: i128,
    pub credits: i128,
}

impl Balance {
    pub fn balanced(&self) -> bool {
        self.debits == self.credits
    }
}

/// A record whose own lines do not balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbalancedPosting {
    pub tenant: TenantId,
    pub source_id: Uuid,
    pub currency: String,
    pub debits: i128,
    pub credits: i128,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerReport {
    /// Ordered by tenant, then currency.
    pub balances: Vec<Balance>,
    pub unbalanced_postings: Vec<UnbalancedPosting>,
    /// Lines that cannot be read or debit and credit at once (by id).
    pub malformed: Vec<String>,
}

impl LedgerReport {
    pub fn is_balanced(&self) -> bool {
        self.balances.iter().all(Balance::balanced) && self.unbalanced_postings.is_empty() && self.malformed.is_empty()
    }

    /// The table `accubooks audit verify-ledger` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<36}  {:<8}  {:>6}  {:>20}  {:>20}  status",
            "tenant", "currency", "lines", "debits_cents", "credits_cents"
        );
        for b in &self.balances {
            let status = if b.balanced() { "balanced" } else { "UNBALANCED" };
            let _ = writeln!(
                out,
                "{:<36}  {:<8}  {:>6}  {:>20}  {:>20}  {status}",
                b.tenant.to_string(),
                b.currency,
                b.lines,
                b.debits,
                b.credits
            );
        }
        for p in &self.unbalanced_postings {
            let _ = writeln!(
                out,
                "unbalanced posting: tenant {} source {} {}: debits {} credits {}",
                p.tenant, p.source_id, p.currency, p.debits, p.credits
            );
        }
        for m in &self.malformed {
            let _ = writeln!(out, "malformed ledger line: {m}");
        }
        let tenants = self.balances.iter().map(|b| b.tenant).collect::<std::collections::BTreeSet<_>>().len();
        let lines: u64 = self.balances.iter().map(|b| b.lines).sum();
        let verdict = if self.is_balanced() { "ledger balanced" } else { "LEDGER UNBALANCED" };
        let _ = writeln!(out, "{verdict}: {tenants} tenants, {} tenant-currencies, {lines} lines", self.balances.len());
        out
    }
}

/// Checks stored ledger lines: every (tenant, currency) and every posting
/// record balances, and every line debits or credits one positive amount.
pub fn verify<L: StoredLine>(lines: &[L]) -> LedgerReport {
    let mut totals: BTreeMap<(TenantId, String), Balance> = BTreeMap::new();
    let mut postings: BTreeMap<(TenantId, Uuid, String), (i128, i128)> = BTreeMap::new();
    let mut report = LedgerReport::default();
    for e in lines.iter().filter(|e| e.kind() == LEDGER_LINE_KIND) {
        let (tenant_id, row_id) = (e.tenant(), e.row_id());
        let line: LedgerLine = match serde_json::from_str(e.body()) {
            Ok(l) => l,
            Err(err) => {
                report.malformed.push(format!("{row_id}: {err}"));
                continue;
            }
        };
        let (d, c) = (line.debit_cents.0, line.credit_cents.0);
        if d < 0 || c < 0 || (d > 0) == (c > 0) {
            report.malformed.push(format!("{row_id}: debit {d} credit {c}"));
        }
        let key = (tenant_id, line.currency.clone());
        let b = totals.entry(key).or_insert_with(|| Balance {
            tenant: tenant_id,
            currency: line.currency.clone(),
            lines: 0,
            debits: 0,
            credits: 0,
        });
        b.lines += 1;
        b.debits += i128::from(d);
        b.credits += i128::from(c);
        let p = postings.entry((tenant_id, line.source_id, line.currency)).or_default();
        p.0 += i128::from(d);
        p.1 += i128::from(c);
    }
    report.balances = totals.into_values().collect();
    report.unbalanced_postings = postings
        .into_iter()
        .filter(|(_, (d, c))| d != c)
        .map(|((tenant, source_id, currency), (debits, credits))| UnbalancedPosting {
            tenant,
            source_id,
            currency,
            debits,
            credits,
        })
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn postings_balance_per_currency() {
        let eur = Currency::parse("EUR").unwrap();
        let ok = Posting::new().debit("a", usd(), Cents(5)).credit("b", usd(), Cents(5));
        assert!(ok.balances());
        let mixed = Posting::new().debit("a", usd(), Cents(5)).credit("b", eur, Cents(5));
        assert!(!mixed.balances(), "USD debits cannot balance EUR credits");
    }

    /// A stored row as the verifier sees it.
    #[derive(Clone)]
    struct Row {
        tenant: TenantId,
        id: Uuid,
        body: String,
    }

    impl StoredLine for Row {
        fn tenant(&self) -> TenantId {
            self.tenant
        }
        fn row_id(&self) -> Uuid {
            self.id
        }
        fn kind(&self) -> &str {
            LEDGER_LINE_KIND
        }
        fn body(&self) -> &str {
            &self.body
        }
    }

    fn line(tenant: TenantId, source: Uuid, n: u32, currency: &str, d: i64, c: i64) -> Row {
        let body = LedgerLine {
            id: derived_id(source, &format!("ledger:{n}")),
            object: LEDGER_LINE_KIND.into(),
            source_id: source,
            source_kind: "test".into(),
            line: n,
            date: "2026-01-01".into(),
            account: "cash".into(),
            currency: currency.into(),
            debit_cents: Cents(d),
            credit_cents: Cents(c),
        };
        Row { tenant, id: body.id, body: serde_json::to_string(&body).unwrap() }
    }

    #[test]
    fn verify_finds_every_kind_of_imbalance() {
        let (t, s1, s2) = (TenantId(Uuid::from_u128(1)), Uuid::from_u128(10), Uuid::from_u128(11));
        let good = vec![line(t, s1, 0, "USD", 7, 0), line(t, s1, 1, "USD", 0, 7)];
        let report = verify(&good);
        assert!(report.is_balanced(), "{}", report.render());
        assert_eq!(report.balances.len(), 1);
        assert!(report.render().contains("ledger balanced: 1 tenants"));

        let mut bad = good.clone();
        bad.push(line(t, s2, 0, "USD", 3, 0));
        let report = verify(&bad);
        assert!(!report.is_balanced());
        assert_eq!(report.unbalanced_postings.len(), 1);
        assert!(report.render().contains("UNBALANCED"));

        // Two postings that each fail but cancel out in the totals are still caught.
        let cancel = vec![line(t, s1, 0, "USD", 5, 0), line(t, s2, 0, "USD", 0, 5)];
        let report = verify(&cancel);
        assert!(report.balances[0].balanced());
        assert!(!report.is_balanced());

        let both_sides = vec![line(t, s1, 0, "USD", 5, 5)];
        assert_eq!(verify(&both_sides).malformed.len(), 1);
    }
}
