use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;

pub const RECORD_PAYMENT: OpSpec = OpSpec {
    name: "record_payment",
    category: Category::Financial,
    method: Method::Post,
    route: "/v1/payments",
    workflows: &["payment_receipt"],
};

pub const PAYMENT_METHODS: &[&str] = &["bank_transfer", "card", "cash", "check", "other"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPaymentInput {
    pub invoice_id: Uuid,
    pub amount_cents: i64,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: Uuid,
    pub object: String,
    pub invoice_id: Uuid,
    pub amount_cents: i64,
    pub currency: String,
    pub method: String,
    pub created_at: String,
}

pub struct RecordPayment;

#[async_trait]
impl Operation for RecordPayment {
    type Input = RecordPaymentInput;

    fn spec(&self) -> &'static OpSpec {
        &RECORD_PAYMENT
    }

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if input.amount_cents <= 0 {
            return Err("amount_cents must be positive".into());
        }
        if !PAYMENT_METHODS.contains(&input.method.as_str()) {
            return Err(format!("method must be one of {}", PAYMENT_METHODS.join(", ")));
        }
        Ok(())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        // Locked: two payments on one invoice must not both see the old balance.
        let Some(entity) = tx.get_entity(ctx.tenant, input.invoice_id, true).await? else {
            return Ok(Err(Rejection::not_found("invoice_not_found", "no such invoice")));
        };
        if entity.kind != "invoice" {
            return Ok(Err(Rejection::not_found("invoice_not_found", "no such invoice")));
        }
        let mut invoice: Invoice = from_entity(&entity)?;
        if invoice.status != "open" {
            return Ok(Err(Rejection::rule("invoice_not_payable", format!("invoice is {}", invoice.status))));
        }
        let balance = invoice.total_cents - invoice.amount_paid_cents;
        if input.amount_cents > balance {
            return Ok(Err(Rejection::rule(
                "overpayment",
                format!("payment of {} cents exceeds the balance of {balance} cents", input.amount_cents),
            )));
        }
        invoice.amount_paid_cents += input.amount_cents;
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
        };
        let mut plan =
            created(ctx, "payment", "payments", Some(input.invoice_id), &to_value(&body), RECORD_PAYMENT.workflows);
        let updated = Entity {
            body: serde_json::to_string(&to_value(&invoice)).expect("a Value always serialises"),
            version: entity.version + 1,
            ..entity
        };
        plan.updates.push(updated);
        Ok(Ok(plan))
    }
}
