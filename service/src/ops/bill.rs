//! `create_bill`: a vendor's bill to pay (financial: posts expenses against
//! accounts payable; starts the `bill_approval` workflow).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::invoice::{
    check_date_order, check_totals, priced, total_cents, validate_dates, validate_lines, INVOICE_LINES_MAX,
};
use super::*;
use crate::domain::ledger::{Posting, SystemAccount};
use crate::domain::money::{Cents, Currency, CURRENCY_RULE};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBillInput {
    pub vendor_id: Uuid,
    #[schemars(schema_with = "schema::currency")]
    pub currency: String,
    #[schemars(schema_with = "schema::date")]
    pub due_date: String,
    #[schemars(length(min = 1, max = INVOICE_LINES_MAX))]
    pub lines: Vec<InvoiceLineInput>,
    #[schemars(schema_with = "schema::optional_date")]
    /// The accounting date; the execution date when absent.
    #[serde(default)]
    pub issue_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Bill {
    pub id: Uuid,
    pub object: String,
    pub vendor_id: Uuid,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub lines: Vec<InvoiceLine>,
    pub total_cents: i64,
    /// `pending_approval` until the `bill_approval` workflow decides.
    pub status: String,
    pub created_at: String,
}

pub struct CreateBill;

#[async_trait]
impl Operation for CreateBill {
    type Input = CreateBillInput;
    type Record = Bill;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_bill",
        category: Category::Financial,
        method: Method::Post,
        route: "/v1/bills",
        table: Table::Bills,
        collection: "bills",
        workflows: &["bill_approval"],
        rules: &["period_closed"],
        not_found: &["vendor_not_found"],
        input_rules: &["issue_date_after_due_date", "total_exceeds_cap"],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if Currency::parse(&input.currency).is_none() {
            return Err(CURRENCY_RULE.into());
        }
        validate_dates(input.issue_date.as_deref(), &input.due_date)?;
        validate_lines(&input.lines, "a bill")
    }

    fn check(&self, input: &Self::Input) -> Result<(), InputRule> {
        check_date_order(input.issue_date.as_deref(), &input.due_date)?;
        check_totals(&input.lines, "bill")
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let date = date_or_today(input.issue_date.as_deref(), ctx);
        let open = proceed!(ensure_open(tx, ctx.tenant, date).await);
        if referenced(tx, ctx, input.vendor_id, Table::Vendors, false).await?.is_none() {
            reject!(Rejection::not_found("vendor_not_found", "no such vendor"));
        }
        let total = total_cents(&input.lines).expect("validated");
        let body = Bill {
            id: ctx.entity_id,
            object: "bill".into(),
            vendor_id: input.vendor_id,
            currency: input.currency.clone(),
            issue_date: date.to_string(),
            due_date: input.due_date.clone(),
            lines: priced(&input.lines),
            total_cents: total,
            status: "pending_approval".into(),
            created_at: ctx.now.clone(),
        };
        let currency = Currency::parse(&input.currency).expect("validated");
        let posting = Posting::new().debit(SystemAccount::Expenses, currency, Cents(total)).credit(
            SystemAccount::AccountsPayable,
            currency,
            Cents(total),
        );
        let mut plan = created(ctx, Self::SPEC, Some(input.vendor_id), &to_value(&body));
        plan.inserts.extend(ledger_rows(ctx, Self::SPEC.table, posting, &open));
        Ok(Ok(plan))
    }
}
