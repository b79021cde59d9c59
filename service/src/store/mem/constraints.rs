//! The typed tables' constraints (migrations 0015), enforced on the maps:
//! the same checks under the same names as Postgres reports them, so the
//! simulation and the conformance suite see the refusals the SQL stores
//! give. A record's typed columns are its document's fields, read here as
//! the database generates them.

use serde_json::Value;
use uuid::Uuid;

use super::super::{ColumnType, ConstraintKind, ConstraintViolation, Entity, Table};
use crate::domain::ledger::SOURCE_KINDS;

/// The amount cap (`domain::money::AMOUNT_CENTS_MAX`) as the schema states it.
const CAP: i64 = 1_000_000_000_000_000;
const ROLES: [&str; 4] = ["admin", "accountant", "approver", "viewer"];

/// What the checks may look up: a record as the transaction sees it
/// (its own writes over the committed ones), and a table's records.
pub(super) trait Rows {
    fn get(&self, id: Uuid) -> Option<Entity>;
    fn of_table(&self, table: Table) -> Vec<Entity>;
}

fn violation(kind: ConstraintKind, name: &str, detail: String) -> ConstraintViolation {
    ConstraintViolation::new(kind, name, format!("{name}: {detail}"))
}

fn check(ok: bool, name: &str, e: &Entity) -> Result<(), ConstraintViolation> {
    if ok {
        Ok(())
    } else {
        Err(violation(ConstraintKind::Check, name, format!("row {} violates it", e.id)))
    }
}

fn text<'a>(doc: &'a Value, field: &str) -> Option<&'a str> {
    doc.get(field).and_then(Value::as_str)
}

fn int(doc: &Value, field: &str) -> Option<i64> {
    doc.get(field).and_then(Value::as_i64)
}

fn id(doc: &Value, field: &str) -> Option<Uuid> {
    text(doc, field).and_then(|s| Uuid::parse_str(s).ok())
}

/// `YYYY-MM-DD` naming a day that exists (SQLite's `date(x) = x`).
fn is_calendar_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()].iter().all(u8::is_ascii_digit).then(|| s[r].parse::<u32>().ok()).flatten()
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn currency_code(doc: &Value) -> bool {
    text(doc, "currency").is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
}

fn month(doc: &Value) -> bool {
    text(doc, "period").is_some_and(|p| {
        let b = p.as_bytes();
        b.len() == 7
            && b[4] == b'-'
            && p[..4].bytes().all(|c| c.is_ascii_digit())
            && matches!(p[5..].parse::<u8>(), Ok(1..=12))
    })
}

fn within(v: Option<i64>, lo: i64, hi: i64) -> bool {
    v.is_some_and(|v| (lo..=hi).contains(&v))
}

/// A reference to a record of `table` in the same tenant.
fn foreign_key(
    rows: &dyn Rows,
    e: &Entity,
    name: &str,
    target: Option<Uuid>,
    table: Table,
) -> Result<(), ConstraintViolation> {
    let found = target.and_then(|t| rows.get(t)).is_some_and(|p| p.tenant_id == e.tenant_id && p.kind == table.kind());
    if found {
        Ok(())
    } else {
        Err(violation(ConstraintKind::ForeignKey, name, format!("{target:?} is not a row of {}", table.name())))
    }
}

/// No other record of `table` in the tenant has the same value of `key`
/// (every unique key is per tenant, or over ids, which are).
fn unique(
    rows: &dyn Rows,
    e: &Entity,
    name: &str,
    table: Table,
    key: impl Fn(&Entity) -> Option<String>,
) -> Result<(), ConstraintViolation> {
    let mine = key(e);
    let taken = rows.of_table(table).iter().any(|o| o.id != e.id && o.tenant_id == e.tenant_id && key(o) == mine);
    if taken {
        return Err(violation(ConstraintKind::Unique, name, format!("{mine:?} is taken")));
    }
    Ok(())
}

fn doc_of(e: &Entity) -> Value {
    serde_json::from_str(&e.body).unwrap_or(Value::Null)
}

/// Lines of an invoice or a bill (`t`: the lines' table): each a product
/// within the bounds, and together the document's total.
fn priced_lines(t: &str, doc: &Value, e: &Entity) -> Result<(), ConstraintViolation> {
    let lines = doc.get("lines").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut sum: i64 = 0;
    for l in &lines {
        let (q, p, a) = (int(l, "quantity"), int(l, "unit_price_cents"), int(l, "amount_cents"));
        check(within(q, 1, 1_000_000), &format!("{t}_quantity_range"), e)?;
        check(within(p, 0, CAP), &format!("{t}_price_within_cap"), e)?;
        check(q.zip(p).and_then(|(q, p)| q.checked_mul(p)) == a, &format!("{t}_amount_is_product"), e)?;
        sum = sum.saturating_add(a.unwrap_or(0));
    }
    let header = format!("{}s", t.trim_end_matches("_lines"));
    check(Some(sum) == int(doc, "total_cents"), &format!("{header}_lines_sum_to_total"), e)
}

/// Checks a record about to be inserted (`old` None) or to replace `old`.
pub(super) fn check_write(rows: &dyn Rows, e: &Entity, old: Option<&Entity>) -> Result<(), ConstraintViolation> {
    let table = Table::of_kind(&e.kind)
        .ok_or_else(|| violation(ConstraintKind::Other, "records_table", format!("no table holds kind {}", e.kind)))?;
    let t = table.name();
    check(e.version >= 1, &format!("{t}_version_positive"), e)?;
    let doc = doc_of(e);
    let d = &doc;
    match table {
        Table::Customers | Table::Vendors => check(
            text(d, "name").is_some_and(|n| (1..=200).contains(&n.chars().count())),
            &format!("{t}_name_present"),
            e,
        )?,
        Table::Users => {
            check(text(d, "email").is_some_and(|m| m == m.to_lowercase()), "users_email_lower", e)?;
            check(text(d, "role").is_some_and(|r| ROLES.contains(&r)), "users_role_known", e)?;
            unique(rows, e, "users_email_unique", table, |o| text(&doc_of(o), "email").map(str::to_owned))?;
        }
        Table::Accounts => {
            let types = ["asset", "liability", "equity", "revenue", "expense"];
            check(text(d, "type").is_some_and(|a| types.contains(&a)), "accounts_type_known", e)?;
            unique(rows, e, "accounts_code_unique", table, |o| text(&doc_of(o), "code").map(str::to_owned))?;
        }
        Table::BankAccounts => {
            let masked =
                |f| text(d, f).is_some_and(|n| n.as_bytes().windows(5).all(|w| !w.iter().all(u8::is_ascii_digit)));
            check(
                masked("account_number_masked") && masked("routing_number_masked"),
                "bank_accounts_numbers_masked",
                e,
            )?;
        }
        Table::BankAccountUpdates => {
            foreign_key(rows, e, "bank_account_updates_bank_account_fk", id(d, "bank_account_id"), Table::BankAccounts)?
        }
        Table::PeriodCloses => check(month(d), "period_closes_period_month", e)?,
        Table::ClosedPeriods => {
            check(month(d), "closed_periods_period_month", e)?;
            check(text(d, "status") == Some("closed"), "closed_periods_status_closed", e)?;
            unique(rows, e, "closed_periods_period_unique", table, |o| text(&doc_of(o), "period").map(str::to_owned))?;
            foreign_key(rows, e, "closed_periods_period_close_fk", id(d, "period_close_id"), Table::PeriodCloses)?;
        }
        Table::Invoices => {
            let customer = id(d, "customer_id");
            foreign_key(rows, e, "invoices_customer_fk", customer, Table::Customers)?;
            check(currency_code(d), "invoices_currency_code", e)?;
            let (total, paid, status) = (int(d, "total_cents"), int(d, "amount_paid_cents"), text(d, "status"));
            check(within(total, 0, CAP), "invoices_total_within_cap", e)?;
            check(total.is_some_and(|t| within(paid, 0, t)), "invoices_paid_within_total", e)?;
            check(status.is_some_and(|s| ["open", "paid", "void"].contains(&s)), "invoices_status_known", e)?;
            check(status != Some("paid") || paid == total, "invoices_paid_when_settled", e)?;
            let voided = d.get("voided_at").is_some_and(|v| !v.is_null());
            check(status != Some("void") || (paid == Some(0) && voided), "invoices_void_unpaid", e)?;
            let issue = text(d, "issue_date");
            check(
                issue.is_none_or(|i| text(d, "due_date").is_some_and(|due| i <= due)),
                "invoices_issue_before_due",
                e,
            )?;
            match old {
                None => {
                    priced_lines("invoice_lines", d, e)?;
                    let deleted = customer
                        .and_then(|c| rows.get(c))
                        .is_some_and(|c| doc_of(&c).get("deleted_at").is_some_and(|v| !v.is_null()));
                    check(!deleted, "invoices_customer_not_deleted", e)?;
                }
                Some(old) => lines_fixed(t, d, old, e)?,
            }
        }
        Table::InvoiceVoids => {
            foreign_key(rows, e, "invoice_voids_invoice_fk", id(d, "invoice_id"), Table::Invoices)?;
            unique(rows, e, "invoice_voids_invoice_unique", table, |o| {
                text(&doc_of(o), "invoice_id").map(str::to_owned)
            })?;
            check(within(int(d, "total_cents"), 0, CAP), "invoice_voids_total_within_cap", e)?;
        }
        Table::Payments => {
            foreign_key(rows, e, "payments_invoice_fk", id(d, "invoice_id"), Table::Invoices)?;
            let amount = int(d, "amount_cents");
            check(within(amount, 1, CAP), "payments_amount_within_cap", e)?;
            check(
                amount.is_some_and(|a| within(int(d, "amount_refunded_cents"), 0, a)),
                "payments_refunded_within_amount",
                e,
            )?;
            check(currency_code(d), "payments_currency_code", e)?;
            let methods = ["bank_transfer", "card", "cash", "check", "other"];
            check(text(d, "method").is_some_and(|m| methods.contains(&m)), "payments_method_known", e)?;
        }
        Table::Refunds => {
            foreign_key(rows, e, "refunds_payment_fk", id(d, "payment_id"), Table::Payments)?;
            foreign_key(rows, e, "refunds_invoice_fk", id(d, "invoice_id"), Table::Invoices)?;
            check(within(int(d, "amount_cents"), 1, CAP), "refunds_amount_within_cap", e)?;
        }
        Table::Bills => {
            foreign_key(rows, e, "bills_vendor_fk", id(d, "vendor_id"), Table::Vendors)?;
            check(currency_code(d), "bills_currency_code", e)?;
            check(within(int(d, "total_cents"), 0, CAP), "bills_total_within_cap", e)?;
            check(text(d, "status") == Some("pending_approval"), "bills_status_known", e)?;
            let ordered = text(d, "issue_date").zip(text(d, "due_date")).is_some_and(|(i, due)| i <= due);
            check(ordered, "bills_issue_before_due", e)?;
            match old {
                None => priced_lines("bill_lines", d, e)?,
                Some(old) => lines_fixed(t, d, old, e)?,
            }
        }
        Table::JournalEntries => {}
        Table::LedgerLines => {
            let known = text(d, "source_kind").is_some_and(|k| SOURCE_KINDS.contains(&k));
            check(known, "ledger_lines_source_kind_known", e)?;
            check(currency_code(d), "ledger_lines_currency_code", e)?;
            let (debit, credit) = (int(d, "debit_cents"), int(d, "credit_cents"));
            let one_side =
                within(debit, 0, CAP) && within(credit, 0, CAP) && ((debit == Some(0)) != (credit == Some(0)));
            check(one_side, "ledger_lines_one_side", e)?;
        }
        Table::PayrollRuns => {
            check(month(d), "payroll_runs_period_month", e)?;
            check(currency_code(d), "payroll_runs_currency_code", e)?;
            check(within(int(d, "total_cents"), 0, CAP), "payroll_runs_total_within_cap", e)?;
            let status = text(d, "status");
            check(status.is_some_and(|s| ["draft", "approved"].contains(&s)), "payroll_runs_status_known", e)?;
            let stamped = d.get("approved_at").is_some_and(|v| !v.is_null());
            check((status == Some("approved")) == stamped, "payroll_runs_approved_when_stamped", e)?;
            match old {
                None => {
                    let lines = d.get("lines").and_then(Value::as_array).cloned().unwrap_or_default();
                    let mut sum: i64 = 0;
                    for l in &lines {
                        check(within(int(l, "gross_cents"), 1, CAP), "payroll_lines_gross_within_cap", e)?;
                        sum = sum.saturating_add(int(l, "gross_cents").unwrap_or(0));
                    }
                    check(Some(sum) == int(d, "total_cents"), "payroll_runs_lines_sum_to_total", e)?;
                }
                Some(old) => lines_fixed(t, d, old, e)?,
            }
        }
        Table::PayrollApprovals => {
            foreign_key(rows, e, "payroll_approvals_run_fk", id(d, "payroll_run_id"), Table::PayrollRuns)?;
            unique(rows, e, "payroll_approvals_run_unique", table, |o| {
                text(&doc_of(o), "payroll_run_id").map(str::to_owned)
            })?;
        }
        Table::RoleChanges => {
            foreign_key(rows, e, "role_changes_user_fk", id(d, "user_id"), Table::Users)?;
            let known = |f| text(d, f).is_some_and(|r| ROLES.contains(&r));
            check(known("role") && known("previous_role"), "role_changes_roles_known", e)?;
        }
        Table::CustomerDeletions => {
            foreign_key(rows, e, "customer_deletions_customer_fk", id(d, "customer_id"), Table::Customers)?;
            unique(rows, e, "customer_deletions_customer_unique", table, |o| {
                text(&doc_of(o), "customer_id").map(str::to_owned)
            })?;
        }
    }
    // Dates are calendar dates (SQLite's `<table>_date(s)_valid`; Postgres's
    // `date` columns refuse any other value as a data exception).
    let dates: Vec<&str> = table.columns().iter().filter(|c| c.ty == ColumnType::Date).map(|c| c.field).collect();
    if !dates.is_empty() {
        let name = if dates.len() > 1 { format!("{t}_dates_valid") } else { format!("{t}_date_valid") };
        check(dates.iter().all(|f| text(d, f).is_none_or(is_calendar_date)), &name, e)?;
    }
    Ok(())
}

/// A document's lines and total are fixed once written.
fn lines_fixed(t: &str, doc: &Value, old: &Entity, e: &Entity) -> Result<(), ConstraintViolation> {
    let before = doc_of(old);
    let same = doc.get("lines") == before.get("lines") && int(doc, "total_cents") == int(&before, "total_cents");
    check(same, &format!("{t}_lines_fixed"), e)
}

/// The checks across rows, on a transaction's whole write set at commit
/// (Postgres's deferred constraint triggers): the ledger lines of every
/// source it wrote balance per currency, and the refunds of every payment
/// it refunded do not exceed it.
pub(super) fn check_commit(rows: &dyn Rows, written: &[Entity]) -> Result<(), ConstraintViolation> {
    use std::collections::BTreeMap;
    let mut net: BTreeMap<(Uuid, String), i128> = BTreeMap::new();
    let sources: Vec<Uuid> =
        written.iter().filter(|e| e.kind == Table::LedgerLines.kind()).filter_map(|e| e.parent_id).collect();
    if !sources.is_empty() {
        for line in
            rows.of_table(Table::LedgerLines).iter().filter(|l| l.parent_id.is_some_and(|p| sources.contains(&p)))
        {
            let d = doc_of(line);
            let key = (line.parent_id.unwrap_or_default(), text(&d, "currency").unwrap_or_default().to_owned());
            *net.entry(key).or_default() +=
                i128::from(int(&d, "debit_cents").unwrap_or(0)) - i128::from(int(&d, "credit_cents").unwrap_or(0));
        }
        if let Some(((source, _), _)) = net.iter().find(|(_, n)| **n != 0) {
            return Err(violation(
                ConstraintKind::Check,
                "ledger_lines_balance",
                format!("the ledger lines of {source} do not balance"),
            ));
        }
    }
    let payments: Vec<Uuid> =
        written.iter().filter(|e| e.kind == Table::Refunds.kind()).filter_map(|e| e.parent_id).collect();
    for payment in payments {
        let refunded: i64 = rows
            .of_table(Table::Refunds)
            .iter()
            .filter(|r| r.parent_id == Some(payment))
            .map(|r| int(&doc_of(r), "amount_cents").unwrap_or(0))
            .sum();
        let amount = rows.get(payment).and_then(|p| int(&doc_of(&p), "amount_cents")).unwrap_or(0);
        if refunded > amount {
            return Err(violation(
                ConstraintKind::Check,
                "refunds_within_payment",
                format!("the refunds of payment {payment} exceed it"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_calendar_date;

    #[test]
    fn calendar_dates_are_days_that_exist() {
        for ok in ["2026-01-31", "2024-02-29", "2000-02-29", "2026-12-01"] {
            assert!(is_calendar_date(ok), "{ok}");
        }
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20260101",
            "2026-01-0a",
        ] {
            assert!(!is_calendar_date(bad), "{bad}");
        }
    }
}
