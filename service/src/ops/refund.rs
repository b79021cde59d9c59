//! `issue_refund`: money returned against a payment (financial: posts
//! sales refunds against cash). The refunds of one payment never sum to
//! more than the payment: the payment row is locked, so concurrent refunds
//! serialise and each sees the amount already refunded.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::ledger::{Posting, SystemAccount};
use crate::domain::money::{Cents, Currency, AMOUNT_CENTS_MAX};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRefundInput {
    pub payment_id: Uuid,
    #[schemars(schema_with = "schema::amount")]
    pub amount_cents: i64,
    #[schemars(schema_with = "schema::optional_reason")]
    #[serde(default)]
    pub reason: Option<String>,
    #[schemars(schema_with = "schema::optional_date")]
    /// The accounting date; the execution date when absent.
    #[serde(default)]
    pub refund_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Refund {
    pub id: Uuid,
    pub object: String,
    pub payment_id: Uuid,
    pub invoice_id: Uuid,
    pub amount_cents: i64,
    pub currency: String,
    pub reason: Option<String>,
    pub refund_date: String,
    pub created_at: String,
}

pub struct IssueRefund;

#[async_trait]
impl Operation for IssueRefund {
    type Input = IssueRefundInput;
    type Record = Refund;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "issue_refund",
        category: Category::Financial,
        method: Method::Post,
        route: "/v1/refunds",
        table: Table::Refunds,
        collection: "refunds",
        workflows: &["refund_payout"],
        rules: &["refund_exceeds_payment", "period_closed"],
        not_found: &["payment_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if !Cents(input.amount_cents).is_valid_amount() {
            return Err(format!("amount_cents must be 1 to {AMOUNT_CENTS_MAX}"));
        }
        check_optional_text("reason", input.reason.as_deref(), REASON_CHARS_MAX)?;
        input.refund_date.as_deref().map_or(Ok(()), |d| check_date("refund_date", d).map(|_| ()))
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let date = date_or_today(input.refund_date.as_deref(), ctx);
        let open = proceed!(ensure_open(tx, ctx.tenant, date).await);
        let Some(entity) = referenced(tx, ctx, input.payment_id, Table::Payments, true).await? else {
            reject!(Rejection::not_found("payment_not_found", "no such payment"));
        };
        let mut payment: Payment = from_entity(&entity)?;
        let refunded = Cents(payment.amount_refunded_cents);
        let refundable = Cents(payment.amount_cents).checked_sub(refunded).expect("refunds never exceed the payment");
        let amount = Cents(input.amount_cents);
        if amount > refundable {
            reject!(Rejection::rule(
                "refund_exceeds_payment",
                format!("a refund of {amount} exceeds the {refundable} not yet refunded on this payment")
            ));
        }
        payment.amount_refunded_cents = refunded.checked_add(amount).expect("bounded by the payment").0;
        assert!(payment.amount_refunded_cents <= payment.amount_cents, "a payment is never over-refunded");
        let body = Refund {
            id: ctx.entity_id,
            object: "refund".into(),
            payment_id: entity.id,
            invoice_id: payment.invoice_id,
            amount_cents: input.amount_cents,
            currency: payment.currency.clone(),
            reason: input.reason.clone(),
            refund_date: date.to_string(),
            created_at: ctx.now.clone(),
        };
        let currency = Currency::parse(&payment.currency)
            .ok_or_else(|| StoreError::Other(format!("payment {} has a bad currency", entity.id)))?;
        let posting = Posting::new().debit(SystemAccount::SalesRefunds, currency, amount).credit(
            SystemAccount::Cash,
            currency,
            amount,
        );
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&body));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        plan.updates.push(updated(entity, &payment));
        Ok(Ok(plan))
    }
}
