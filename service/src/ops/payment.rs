//! `record_payment`: money received against an open invoice (financial:
//! posts cash against the receivable). Never more than the balance.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::ledger::{Posting, SystemAccount};
use crate::domain::money::{Cents, Currency, AMOUNT_CENTS_MAX};
use schemars::{Schema, SchemaGenerator};

pub const PAYMENT_METHODS: &[&str] = &["bank_transfer", "card", "cash", "check", "other"];

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPaymentInput {
    pub invoice_id: Uuid,
    #[schemars(schema_with = "schema::amount")]
    pub amount_cents: i64,
    #[schemars(schema_with = "payment_method_schema")]
    pub method: String,
    #[schemars(schema_with = "schema::optional_date")]
    /// The accounting date; the execution date when absent (and then left
    /// out of the canonical form, so older requests keep their fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Payment {
    pub id: Uuid,
    pub object: String,
    pub invoice_id: Uuid,
    pub amount_cents: i64,
    pub currency: String,
    pub method: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
    /// Raised by `issue_refund`; never above `amount_cents`.
    #[serde(default)]
    pub amount_refunded_cents: i64,
}

pub struct RecordPayment;

#[async_trait]
impl Operation for RecordPayment {
    type Input = RecordPaymentInput;
    type Record = Payment;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "record_payment",
        category: Category::Financial,
        method: Method::Post,
        route: "/v1/payments",
        table: Table::Payments,
        collection: "payments",
        workflows: &["payment_receipt"],
        rules: &["invoice_not_payable", "overpayment", "period_closed"],
        not_found: &["invoice_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if !Cents(input.amount_cents).is_valid_amount() {
            return Err(format!("amount_cents must be 1 to {AMOUNT_CENTS_MAX}"));
        }
        if !PAYMENT_METHODS.contains(&input.method.as_str()) {
            return Err(format!("method must be one of {}", PAYMENT_METHODS.join(", ")));
        }
        input.payment_date.as_deref().map_or(Ok(()), |d| check_date("payment_date", d).map(|_| ()))
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let date = date_or_today(input.payment_date.as_deref(), ctx);
        let open = proceed!(ensure_open(tx, ctx.tenant, date).await);
        // Locked: two payments on one invoice must not both see the old balance.
        let Some(entity) = referenced(tx, ctx, input.invoice_id, Table::Invoices, true).await? else {
            reject!(Rejection::not_found("invoice_not_found", "no such invoice"));
        };
        let mut invoice: Invoice = from_entity(&entity)?;
        if invoice.status != "open" {
            reject!(Rejection::rule("invoice_not_payable", format!("invoice is {}", invoice.status)));
        }
        let balance = invoice.total_cents - invoice.amount_paid_cents;
        if input.amount_cents > balance {
            reject!(Rejection::rule(
                "overpayment",
                format!("payment of {} cents exceeds the balance of {balance} cents", input.amount_cents),
            ));
        }
        // PLANTED BUG (`payment-not-applied`): the invoice never learns of it.
        if !crate::planted::on(crate::planted::Bug::PaymentNotApplied) {
            invoice.amount_paid_cents += input.amount_cents;
        }
        assert!(invoice.amount_paid_cents <= invoice.total_cents, "an invoice is never overpaid");
        if invoice.amount_paid_cents == invoice.total_cents {
            invoice.status = "paid".into();
        }
        let body = Payment {
            id: ctx.entity_id,
            object: "payment".into(),
            invoice_id: input.invoice_id,
            amount_cents: input.amount_cents,
            currency: invoice.currency.clone(),
            method: input.method.clone(),
            created_at: ctx.now.clone(),
            payment_date: Some(date.to_string()),
            amount_refunded_cents: 0,
        };
        let currency = Currency::parse(&invoice.currency)
            .ok_or_else(|| StoreError::Other(format!("invoice {} has a bad currency", entity.id)))?;
        let amount = Cents(input.amount_cents);
        let posting = Posting::new().debit(SystemAccount::Cash, currency, amount).credit(
            SystemAccount::AccountsReceivable,
            currency,
            amount,
        );
        let mut plan = created(ctx, Self::SPEC, Some(input.invoice_id), &to_value(&body));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        plan.updates.push(updated(entity, &invoice));
        Ok(Ok(plan))
    }
}

// The JSON Schema of this file's inputs (`ops/schema.rs` has the shared ones).

fn payment_method_schema(_: &mut SchemaGenerator) -> Schema {
    schema::one_of(PAYMENT_METHODS)
}
