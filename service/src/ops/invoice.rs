//! Invoices: `create_invoice` (financial: posts receivable against revenue)
//! and `void_invoice` (high risk: only while nothing is paid; reverses the
//! posting).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::ledger::{Posting, SystemAccount};
use crate::domain::money::{Cents, Currency, AMOUNT_CENTS_MAX, CURRENCY_RULE};
use schemars::{json_schema, Schema, SchemaGenerator};

/// Bounds on an invoice (and a bill): explicit so a request cannot make the
/// row unbounded.
pub const INVOICE_LINES_MAX: usize = 200;
pub const LINE_QUANTITY_MAX: i64 = 1_000_000;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoiceInput {
    pub customer_id: Uuid,
    #[schemars(schema_with = "schema::currency")]
    pub currency: String,
    #[schemars(schema_with = "schema::date")]
    pub due_date: String,
    #[schemars(length(min = 1, max = INVOICE_LINES_MAX))]
    pub lines: Vec<InvoiceLineInput>,
    #[schemars(schema_with = "schema::optional_date")]
    /// The accounting date (its period must be open); the execution date
    /// when absent. Left out of the canonical form when absent, so requests
    /// without it keep the fingerprint they always had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLineInput {
    #[schemars(schema_with = "schema::description")]
    pub description: String,
    #[schemars(schema_with = "quantity_schema")]
    pub quantity: i64,
    #[schemars(schema_with = "schema::amount_or_zero")]
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Invoice {
    pub id: Uuid,
    pub object: String,
    pub customer_id: Uuid,
    pub currency: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLine>,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
    /// `open` until fully paid (`paid`) or voided (`void`).
    pub status: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_at: Option<String>,
}

pub fn valid_currency(c: &str) -> bool {
    Currency::parse(c).is_some()
}

/// Line checks shared by invoices and bills.
pub(super) fn validate_lines(lines: &[InvoiceLineInput], what: &str) -> Result<(), String> {
    if lines.is_empty() || lines.len() > INVOICE_LINES_MAX {
        return Err(format!("{what} has 1 to {INVOICE_LINES_MAX} lines"));
    }
    for (i, l) in lines.iter().enumerate() {
        check_text(&format!("lines[{i}].description"), &l.description, DESCRIPTION_CHARS_MAX)?;
        if !(1..=LINE_QUANTITY_MAX).contains(&l.quantity) {
            return Err(format!("lines[{i}].quantity must be 1 to {LINE_QUANTITY_MAX}"));
        }
        if !(0..=AMOUNT_CENTS_MAX).contains(&l.unit_price_cents) {
            return Err(format!("lines[{i}].unit_price_cents must be 0 to {AMOUNT_CENTS_MAX}"));
        }
    }
    Ok(())
}

/// One amount is at most AMOUNT_CENTS_MAX: every line's amount and the
/// total (sums no field's schema can bound).
pub(super) fn check_totals(lines: &[InvoiceLineInput], what: &str) -> Result<(), InputRule> {
    let too_large = || InputRule {
        code: "total_exceeds_cap",
        detail: format!("every line amount and the {what} total must be at most {AMOUNT_CENTS_MAX} cents"),
    };
    for l in lines {
        if Cents(l.unit_price_cents).checked_mul(l.quantity).is_none_or(|a| a.0 > AMOUNT_CENTS_MAX) {
            return Err(too_large());
        }
    }
    match total_cents(lines) {
        Some(total) if total <= AMOUNT_CENTS_MAX => Ok(()),
        _ => Err(too_large()),
    }
}

/// Dates shared by invoices and bills: a due date and an optional issue date.
pub(super) fn validate_dates(issue_date: Option<&str>, due_date: &str) -> Result<(), String> {
    check_date("due_date", due_date)?;
    issue_date.map_or(Ok(()), |d| check_date("issue_date", d).map(|_| ()))
}

/// The issue date, if given, is not after the due date.
pub(super) fn check_date_order(issue_date: Option<&str>, due_date: &str) -> Result<(), InputRule> {
    let (Some(issue), Some(due)) = (issue_date.and_then(Date::parse), Date::parse(due_date)) else { return Ok(()) };
    if issue > due {
        return Err(InputRule {
            code: "issue_date_after_due_date",
            detail: "issue_date must not be after due_date".into(),
        });
    }
    Ok(())
}

/// Priced lines; `check_totals` proved every product and the sum fit.
pub(super) fn priced(lines: &[InvoiceLineInput]) -> Vec<InvoiceLine> {
    lines
        .iter()
        .map(|l| InvoiceLine {
            description: l.description.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            amount_cents: l.quantity * l.unit_price_cents,
        })
        .collect()
}

/// Checked money arithmetic: None on overflow.
pub(super) fn total_cents(lines: &[InvoiceLineInput]) -> Option<i64> {
    Cents::sum(lines.iter().map(|l| Cents(l.unit_price_cents).checked_mul(l.quantity)).collect::<Option<Vec<_>>>()?)
        .map(|c| c.0)
}

pub struct CreateInvoice;

#[async_trait]
impl Operation for CreateInvoice {
    type Input = CreateInvoiceInput;
    type Record = Invoice;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_invoice",
        category: Category::Financial,
        method: Method::Post,
        route: "/v1/invoices",
        table: Table::Invoices,
        collection: "invoices",
        workflows: &["invoice_email"],
        rules: &["customer_deleted", "period_closed"],
        not_found: &["customer_not_found"],
        input_rules: &["issue_date_after_due_date", "total_exceeds_cap"],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if !valid_currency(&input.currency) {
            return Err(CURRENCY_RULE.into());
        }
        validate_dates(input.issue_date.as_deref(), &input.due_date)?;
        validate_lines(&input.lines, "an invoice")
    }

    fn check(&self, input: &Self::Input) -> Result<(), InputRule> {
        check_date_order(input.issue_date.as_deref(), &input.due_date)?;
        check_totals(&input.lines, "invoice")
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let date = date_or_today(input.issue_date.as_deref(), ctx);
        let open = proceed!(ensure_open(tx, ctx.tenant, date).await);
        // Locked: serialises with `delete_customer` on the same customer.
        let Some(entity) = referenced(tx, ctx, input.customer_id, Table::Customers, true).await? else {
            reject!(Rejection::not_found("customer_not_found", "no such customer"));
        };
        let customer: Customer = from_entity(&entity)?;
        if customer.deleted_at.is_some() {
            reject!(Rejection::rule("customer_deleted", "the customer is deleted and takes no new invoices"));
        }
        let total = total_cents(&input.lines).expect("validated");
        let body = Invoice {
            id: ctx.entity_id,
            object: "invoice".into(),
            customer_id: input.customer_id,
            currency: input.currency.clone(),
            due_date: input.due_date.clone(),
            total_cents: total,
            lines: priced(&input.lines),
            amount_paid_cents: 0,
            status: "open".into(),
            created_at: ctx.now.clone(),
            issue_date: Some(date.to_string()),
            voided_at: None,
        };
        let currency = Currency::parse(&input.currency).expect("validated");
        let posting = Posting::new().debit(SystemAccount::AccountsReceivable, currency, Cents(total)).credit(
            SystemAccount::Revenue,
            currency,
            Cents(total),
        );
        let mut plan = created(ctx, Self::SPEC, Some(input.customer_id), &to_value(&body));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        Ok(Ok(plan))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInvoiceInput {
    #[schemars(schema_with = "schema::optional_reason")]
    #[serde(default)]
    pub reason: Option<String>,
}

/// The record of one void.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InvoiceVoid {
    pub id: Uuid,
    pub object: String,
    pub invoice_id: Uuid,
    pub reason: Option<String>,
    pub currency: String,
    pub total_cents: i64,
    pub created_at: String,
}

pub struct VoidInvoice;

#[async_trait]
impl Operation for VoidInvoice {
    type Input = VoidInvoiceInput;
    type Record = InvoiceVoid;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "void_invoice",
        category: Category::HighRisk,
        method: Method::Post,
        route: "/v1/invoices/{id}/void",
        table: Table::InvoiceVoids,
        collection: "invoice-voids",
        workflows: &["invoice_voided"],
        rules: &["invoice_not_voidable", "period_closed"],
        not_found: &["invoice_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_optional_text("reason", input.reason.as_deref(), REASON_CHARS_MAX)
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        // The reversal is dated today: the period before the invoice row.
        let open = proceed!(ensure_open(tx, ctx.tenant, ctx.today()).await);
        let Some(entity) = lock_target(tx, ctx, Table::Invoices).await? else {
            reject!(Rejection::not_found("invoice_not_found", "no such invoice"));
        };
        let mut invoice: Invoice = from_entity(&entity)?;
        if invoice.status != "open" {
            reject!(Rejection::rule("invoice_not_voidable", format!("the invoice is {}", invoice.status)));
        }
        if invoice.amount_paid_cents != 0 {
            reject!(Rejection::rule(
                "invoice_not_voidable",
                format!("{} cents are paid on the invoice; refund instead", invoice.amount_paid_cents)
            ));
        }
        invoice.status = "void".into();
        invoice.voided_at = Some(ctx.now.clone());
        let record = InvoiceVoid {
            id: ctx.entity_id,
            object: "invoice_void".into(),
            invoice_id: entity.id,
            reason: input.reason.clone(),
            currency: invoice.currency.clone(),
            total_cents: invoice.total_cents,
            created_at: ctx.now.clone(),
        };
        let currency = Currency::parse(&invoice.currency)
            .ok_or_else(|| StoreError::Other(format!("invoice {} has a bad currency", entity.id)))?;
        let posting = Posting::new().debit(SystemAccount::Revenue, currency, Cents(invoice.total_cents)).credit(
            SystemAccount::AccountsReceivable,
            currency,
            Cents(invoice.total_cents),
        );
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&record));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        plan.updates.push(updated(entity, &invoice));
        Ok(Ok(plan))
    }
}

// The JSON Schema of this file's inputs (`ops/schema.rs` has the shared ones).

fn quantity_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "integer", "minimum": 1, "maximum": LINE_QUANTITY_MAX})
}
