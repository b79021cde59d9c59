use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::time::Date;

pub const CREATE_INVOICE: OpSpec = OpSpec {
    name: "create_invoice",
    category: Category::Financial,
    method: Method::Post,
    route: "/v1/invoices",
    workflows: &["invoice_email"],
};

/// Bounds on an invoice: explicit so a request cannot make the row unbounded.
pub const INVOICE_LINES_MAX: usize = 200;
pub const LINE_QUANTITY_MAX: i64 = 1_000_000;
/// 10^12 cents per unit price keeps quantity × price far inside i64.
pub const UNIT_PRICE_CENTS_MAX: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoiceInput {
    pub customer_id: Uuid,
    pub currency: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLineInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLineInput {
    pub description: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: Uuid,
    pub object: String,
    pub customer_id: Uuid,
    pub currency: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLine>,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
    /// `open` until fully paid, then `paid`.
    pub status: String,
    pub created_at: String,
}

pub fn valid_currency(c: &str) -> bool {
    c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())
}

pub struct CreateInvoice;

#[async_trait]
impl Operation for CreateInvoice {
    type Input = CreateInvoiceInput;

    fn spec(&self) -> &'static OpSpec {
        &CREATE_INVOICE
    }

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if !valid_currency(&input.currency) {
            return Err("currency must be a three-letter ISO 4217 code such as USD".into());
        }
        if Date::parse(&input.due_date).is_none() {
            return Err("due_date must be a calendar date YYYY-MM-DD".into());
        }
        if input.lines.is_empty() || input.lines.len() > INVOICE_LINES_MAX {
            return Err(format!("an invoice has 1 to {INVOICE_LINES_MAX} lines"));
        }
        for (i, l) in input.lines.iter().enumerate() {
            check_text(&format!("lines[{i}].description"), &l.description, DESCRIPTION_CHARS_MAX)?;
            if !(1..=LINE_QUANTITY_MAX).contains(&l.quantity) {
                return Err(format!("lines[{i}].quantity must be 1 to {LINE_QUANTITY_MAX}"));
            }
            if !(0..=UNIT_PRICE_CENTS_MAX).contains(&l.unit_price_cents) {
                return Err(format!("lines[{i}].unit_price_cents must be 0 to {UNIT_PRICE_CENTS_MAX}"));
            }
        }
        total_cents(&input.lines).map(|_| ()).ok_or_else(|| "invoice total overflows".to_owned())
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let customer = tx.get_entity(ctx.tenant, input.customer_id, false).await?;
        if customer.as_ref().is_none_or(|c| c.kind != "customer") {
            return Ok(Err(Rejection::not_found("customer_not_found", "no such customer")));
        }
        let lines: Vec<InvoiceLine> = input
            .lines
            .iter()
            .map(|l| InvoiceLine {
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price_cents: l.unit_price_cents,
                // validate() proved every product and the sum fit in i64.
                amount_cents: l.quantity * l.unit_price_cents,
            })
            .collect();
        let body = Invoice {
            id: ctx.entity_id,
            object: "invoice".into(),
            customer_id: input.customer_id,
            currency: input.currency.clone(),
            due_date: input.due_date.clone(),
            total_cents: total_cents(&input.lines).expect("validated"),
            lines,
            amount_paid_cents: 0,
            status: "open".into(),
            created_at: ctx.now.clone(),
        };
        let parent = Some(input.customer_id);
        Ok(Ok(created(ctx, "invoice", "invoices", parent, &to_value(&body), CREATE_INVOICE.workflows)))
    }
}

/// Checked money arithmetic: None on overflow.
fn total_cents(lines: &[InvoiceLineInput]) -> Option<i64> {
    lines.iter().try_fold(0i64, |acc, l| acc.checked_add(l.quantity.checked_mul(l.unit_price_cents)?))
}
