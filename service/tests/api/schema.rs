//! The typed tables' constraints (migrations 0015) as the second line of
//! defence: for every CHECK, foreign key, unique key and trigger, a real
//! request whose record is rewritten on its way to the store (past the
//! operation's rules, `FaultyStore::rewrite_once`) so that it breaks that
//! constraint and nothing else. Each store must refuse it by that name
//! (SQLite names unique and foreign keys by their columns), answer 422
//! `constraint_violation`, store nothing, and let the same request under
//! the same key execute once the rewrite is gone.

use std::sync::Arc;

use accubooks_service::idempotency::deterministic_id;
use accubooks_service::idempotency::key::IdempotencyKey;
use accubooks_service::ops::REGISTRY;
use accubooks_service::store::AuditStatus;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures::{self, make};
use crate::support::{Kind, TestApp, TestTenant};

/// What a case sets up in the fixture's tenant before the request, and
/// hands to its rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    Nothing,
    /// A user `taken@example.com`.
    UserTaken,
    /// An account with code `7777`.
    CodeTaken,
    /// A customer, deleted.
    DeletedCustomer,
    /// An invoice, voided.
    VoidedInvoice,
}

struct Case {
    /// The constraint, as Postgres and the memory store name it.
    constraint: &'static str,
    /// As SQLite reports it, where it differs (unique and foreign keys).
    sqlite: Option<&'static str>,
    /// As Postgres reports it, where it differs: a value its column's
    /// native type cannot hold is a data exception, not a CHECK.
    postgres: Option<&'static str>,
    op: &'static str,
    /// The kind of record whose document is rewritten.
    kind: &'static str,
    setup: Setup,
    rewrite: fn(&mut Value, &Value),
}

const FK: Option<&str> = Some("FOREIGN KEY constraint failed");

fn random_id() -> Value {
    json!(Uuid::new_v4().to_string())
}

fn bump(v: &mut Value, by: i64) {
    *v = json!(v.as_i64().unwrap() + by);
}

fn cases() -> Vec<Case> {
    use Setup::*;
    let c = |constraint, op, kind, rewrite| Case {
        constraint,
        sqlite: None,
        postgres: None,
        op,
        kind,
        setup: Nothing,
        rewrite,
    };
    vec![
        c("customers_name_present", "create_customer", "customer", |d, _| d["name"] = json!("")),
        c("vendors_name_present", "create_vendor", "vendor", |d, _| d["name"] = json!("")),
        c("users_email_lower", "create_user", "user", |d, _| d["email"] = json!("Sam@Example.com")),
        c("users_role_known", "create_user", "user", |d, _| d["role"] = json!("owner")),
        Case {
            sqlite: Some("users.tenant_id, users.email"),
            setup: UserTaken,
            ..c("users_email_unique", "create_user", "user", |d, _| d["email"] = json!("taken@example.com"))
        },
        c("accounts_type_known", "create_account", "account", |d, _| d["type"] = json!("cash")),
        Case {
            sqlite: Some("accounts.tenant_id, accounts.code"),
            setup: CodeTaken,
            ..c("accounts_code_unique", "create_account", "account", |d, _| d["code"] = json!("7777"))
        },
        c("bank_accounts_numbers_masked", "create_bank_account", "bank_account", |d, _| {
            d["account_number_masked"] = json!("123456789")
        }),
        Case {
            sqlite: FK,
            ..c("bank_account_updates_bank_account_fk", "update_bank_account", "bank_account_update", |d, _| {
                d["bank_account_id"] = random_id()
            })
        },
        c("period_closes_period_month", "close_period", "period_close", |d, _| d["period"] = json!("2019-13")),
        c("closed_periods_status_closed", "close_period", "closed_period", |d, _| d["status"] = json!("open")),
        Case {
            sqlite: FK,
            ..c("invoices_customer_fk", "create_invoice", "invoice", |d, _| d["customer_id"] = random_id())
        },
        c("invoices_currency_code", "create_invoice", "invoice", |d, _| d["currency"] = json!("usd")),
        c("invoices_total_within_cap", "create_invoice", "invoice", |d, _| {
            d["total_cents"] = json!(1_000_000_000_000_001i64)
        }),
        c("invoices_paid_within_total", "create_invoice", "invoice", |d, _| {
            d["amount_paid_cents"] = json!(d["total_cents"].as_i64().unwrap() + 1)
        }),
        c("invoices_status_known", "create_invoice", "invoice", |d, _| d["status"] = json!("draft")),
        c("invoices_paid_when_settled", "create_invoice", "invoice", |d, _| d["status"] = json!("paid")),
        c("invoices_void_unpaid", "create_invoice", "invoice", |d, _| d["status"] = json!("void")),
        c("invoices_issue_before_due", "create_invoice", "invoice", |d, _| d["issue_date"] = json!("2031-01-01")),
        Case {
            postgres: Some("data_exception"),
            ..c("invoices_dates_valid", "create_invoice", "invoice", |d, _| d["due_date"] = json!("2031-02-29"))
        },
        Case {
            postgres: Some("data_exception"),
            ..c("journal_entries_date_valid", "post_journal_entry", "journal_entry", |d, _| {
                d["entry_date"] = json!("2026-04-31")
            })
        },
        c("invoice_lines_quantity_range", "create_invoice", "invoice", |d, _| {
            d["lines"][0]["quantity"] = json!(0);
            d["lines"][0]["amount_cents"] = json!(0);
        }),
        c("invoice_lines_amount_is_product", "create_invoice", "invoice", |d, _| {
            bump(&mut d["lines"][0]["amount_cents"], 1);
            bump(&mut d["total_cents"], 1);
        }),
        c("invoices_lines_sum_to_total", "create_invoice", "invoice", |d, _| bump(&mut d["total_cents"], 1)),
        Case {
            setup: DeletedCustomer,
            ..c("invoices_customer_not_deleted", "create_invoice", "invoice", |d, ctx| d["customer_id"] = ctx.clone())
        },
        c("invoices_lines_fixed", "void_invoice", "invoice", |d, _| d["lines"][0]["description"] = json!("changed")),
        Case {
            sqlite: FK,
            ..c("invoice_voids_invoice_fk", "void_invoice", "invoice_void", |d, _| d["invoice_id"] = random_id())
        },
        Case {
            sqlite: Some("invoice_voids.invoice_id"),
            setup: VoidedInvoice,
            ..c("invoice_voids_invoice_unique", "void_invoice", "invoice_void", |d, ctx| d["invoice_id"] = ctx.clone())
        },
        c("payments_refunded_within_amount", "record_payment", "payment", |d, _| {
            d["amount_refunded_cents"] = json!(d["amount_cents"].as_i64().unwrap() + 1)
        }),
        c("payments_method_known", "record_payment", "payment", |d, _| d["method"] = json!("barter")),
        c("payments_currency_code", "record_payment", "payment", |d, _| d["currency"] = json!("US")),
        c("payments_amount_within_cap", "record_payment", "payment", |d, _| d["amount_cents"] = json!(0)),
        c("invoices_paid_within_total", "record_payment", "invoice", |d, _| {
            d["amount_paid_cents"] = json!(d["total_cents"].as_i64().unwrap() + 1)
        }),
        Case { sqlite: FK, ..c("refunds_payment_fk", "issue_refund", "refund", |d, _| d["payment_id"] = random_id()) },
        c("refunds_within_payment", "issue_refund", "refund", |d, _| d["amount_cents"] = json!(601)),
        Case { sqlite: FK, ..c("bills_vendor_fk", "create_bill", "bill", |d, _| d["vendor_id"] = random_id()) },
        c("bills_status_known", "create_bill", "bill", |d, _| d["status"] = json!("approved")),
        c("bills_lines_sum_to_total", "create_bill", "bill", |d, _| bump(&mut d["total_cents"], 1)),
        c("ledger_lines_balance", "post_journal_entry", "ledger_line", |d, _| bump(&mut d["debit_cents"], 1)),
        c("ledger_lines_one_side", "post_journal_entry", "ledger_line", |d, _| d["credit_cents"] = json!(1)),
        c("ledger_lines_source_kind_known", "post_journal_entry", "ledger_line", |d, _| {
            d["source_kind"] = json!("manual")
        }),
        c("payroll_runs_approved_when_stamped", "create_payroll_run", "payroll_run", |d, _| {
            d["status"] = json!("approved")
        }),
        c("payroll_lines_gross_within_cap", "create_payroll_run", "payroll_run", |d, _| {
            d["lines"][1]["gross_cents"] = json!(0);
            bump(&mut d["total_cents"], -1);
        }),
        c("payroll_runs_period_month", "create_payroll_run", "payroll_run", |d, _| d["period"] = json!("2026-13")),
        Case {
            sqlite: FK,
            ..c("payroll_approvals_run_fk", "approve_payroll_run", "payroll_approval", |d, _| {
                d["payroll_run_id"] = random_id()
            })
        },
        c("role_changes_roles_known", "change_user_role", "role_change", |d, _| d["role"] = json!("owner")),
        Case {
            sqlite: FK,
            ..c("role_changes_user_fk", "change_user_role", "role_change", |d, _| d["user_id"] = random_id())
        },
        Case {
            sqlite: FK,
            ..c("customer_deletions_customer_fk", "delete_customer", "customer_deletion", |d, _| {
                d["customer_id"] = random_id()
            })
        },
        c("customers_name_present", "delete_customer", "customer", |d, _| d["name"] = json!("")),
    ]
}

/// Sets up what the case needs in `t`; returns what its rewrite uses.
async fn set_up(app: &TestApp, t: &TestTenant, setup: Setup) -> Value {
    match setup {
        Setup::Nothing => Value::Null,
        Setup::UserTaken => {
            fixtures::user(app, t, "taken@example.com", "viewer").await;
            Value::Null
        }
        Setup::CodeTaken => {
            fixtures::account(app, t, "7777", "asset").await;
            Value::Null
        }
        Setup::DeletedCustomer => {
            let c = fixtures::customer(app, t).await;
            make(app, t, "DELETE", &format!("/v1/customers/{c}"), json!({"reason": "gone"})).await;
            json!(c)
        }
        Setup::VoidedInvoice => {
            let c = fixtures::customer(app, t).await;
            let i = fixtures::invoice(app, t, &c, 900).await;
            make(app, t, "POST", &format!("/v1/invoices/{i}/void"), json!({})).await;
            json!(i)
        }
    }
}

pub async fn every_constraint_refuses_a_write_past_the_rules(app: TestApp) {
    let cases = cases();
    for case in &cases {
        let spec = REGISTRY.iter().find(|s| s.name == case.op).unwrap_or_else(|| panic!("no operation {}", case.op));
        let valid = fixtures::valid(&app, case.op).await.unwrap();
        let (t, r) = (&valid.tenant, &valid.request);
        let ctx = set_up(&app, t, case.setup).await;
        let before = app.store.counts().await.unwrap();
        let rewrite = case.rewrite;
        app.faulty.rewrite_once(case.kind, Arc::new(move |d: &mut Value| rewrite(d, &ctx)));
        let key = format!("schema-{}", Uuid::new_v4());
        let refused = app.request(spec.method.as_str(), &r.path, &t.token, &key, &r.body).await;
        let what = format!("{} on {} ({})", case.constraint, app.store.kind(), case.op);
        assert!(!app.faulty.rewrite_pending(), "{what}: the request wrote no {}", case.kind);
        assert_eq!(refused.status, 422, "{what}: {:?}", refused.body);
        assert_eq!(refused.code(), "constraint_violation", "{what}");

        // Nothing stored: no key, no record, no outbox row, no `new` audit row.
        let after = app.store.counts().await.unwrap();
        assert_eq!(
            (after.keys, after.entities, after.workflows, after.audit_new),
            (before.keys, before.entities, before.workflows, before.audit_new),
            "{what}: the refused write left something behind"
        );
        // The failed audit row names the constraint.
        let id = deterministic_id(t.id, spec.name, &IdempotencyKey::parse(&key).unwrap());
        let rows = app.store.audit_rows(Some(t.id)).await.unwrap();
        let failed = rows.iter().rev().find(|a| a.deterministic_id == id && a.status == AuditStatus::Failed);
        let message = failed.and_then(|a| a.error_message.clone()).unwrap_or_default();
        let name = match app.kind {
            Kind::Sqlite => case.sqlite.unwrap_or(case.constraint),
            Kind::Postgres => case.postgres.unwrap_or(case.constraint),
            Kind::Memory => case.constraint,
        };
        assert!(message.contains(name), "{what}: the audit row names {name}: {message}");

        // The key stays unused: the same request, unrewritten, executes.
        let again = app.request(spec.method.as_str(), &r.path, &t.token, &key, &r.body).await;
        assert_eq!((again.status, again.header("idempotent-replayed")), (201, None), "{what}: {:?}", again.body);
    }
    // Every named constraint of the schema that a row can break has a case.
    let names: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.constraint).collect();
    assert!(names.len() >= 40, "{} constraints covered", names.len());
}

per_store_app_suite!(every_constraint_refuses_a_write_past_the_rules);
