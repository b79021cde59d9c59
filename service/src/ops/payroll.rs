//! Payroll runs: `create_payroll_run` (reference data: a draft) and
//! `approve_payroll_run` (high risk: draft → approved exactly once, which
//! starts `payroll_disbursement`). The run's row is locked, so of two
//! concurrent approvals under different keys one wins and the other is
//! refused: money is disbursed once.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::money::{Cents, Currency, AMOUNT_CENTS_MAX, CURRENCY_RULE};
use crate::domain::time::Period;

pub const PAYROLL_LINES_MAX: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePayrollRunInput {
    #[schemars(schema_with = "schema::period")]
    /// The month worked, `YYYY-MM`.
    pub period: String,
    #[schemars(schema_with = "schema::currency")]
    pub currency: String,
    #[schemars(schema_with = "schema::date")]
    pub pay_date: String,
    #[schemars(length(min = 1, max = PAYROLL_LINES_MAX))]
    pub lines: Vec<PayrollLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayrollLine {
    #[schemars(schema_with = "schema::name")]
    pub employee_name: String,
    #[schemars(schema_with = "schema::amount")]
    pub gross_cents: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PayrollRun {
    pub id: Uuid,
    pub object: String,
    pub period: String,
    pub currency: String,
    pub pay_date: String,
    pub lines: Vec<PayrollLine>,
    pub total_cents: i64,
    /// `draft`, then `approved`.
    pub status: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<String>,
}

pub struct CreatePayrollRun;

#[async_trait]
impl Operation for CreatePayrollRun {
    type Input = CreatePayrollRunInput;
    type Record = PayrollRun;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_payroll_run",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/payroll-runs",
        table: Table::PayrollRuns,
        collection: "payroll-runs",
        workflows: &[],
        rules: &[],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        if Period::parse(&input.period).is_none() {
            return Err("period must be a calendar month YYYY-MM".into());
        }
        if Currency::parse(&input.currency).is_none() {
            return Err(CURRENCY_RULE.into());
        }
        check_date("pay_date", &input.pay_date)?;
        if input.lines.is_empty() || input.lines.len() > PAYROLL_LINES_MAX {
            return Err(format!("a payroll run has 1 to {PAYROLL_LINES_MAX} lines"));
        }
        for (i, l) in input.lines.iter().enumerate() {
            check_text(&format!("lines[{i}].employee_name"), &l.employee_name, NAME_CHARS_MAX)?;
            if !Cents(l.gross_cents).is_valid_amount() {
                return Err(format!("lines[{i}].gross_cents must be 1 to {AMOUNT_CENTS_MAX}"));
            }
        }
        Ok(())
    }

    async fn plan(&self, _tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        // Bounded lines of bounded amounts: the sum cannot overflow.
        let total = Cents::sum(input.lines.iter().map(|l| Cents(l.gross_cents))).expect("bounded by validate");
        let body = PayrollRun {
            id: ctx.entity_id,
            object: "payroll_run".into(),
            period: input.period.clone(),
            currency: input.currency.clone(),
            pay_date: input.pay_date.clone(),
            lines: input.lines.clone(),
            total_cents: total.0,
            status: "draft".into(),
            created_at: ctx.now.clone(),
            approved_at: None,
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovePayrollRunInput {
    #[schemars(schema_with = "schema::optional_reason")]
    #[serde(default)]
    pub note: Option<String>,
}

/// The record of the approval.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PayrollApproval {
    pub id: Uuid,
    pub object: String,
    pub payroll_run_id: Uuid,
    pub currency: String,
    pub total_cents: i64,
    pub note: Option<String>,
    pub created_at: String,
}

pub struct ApprovePayrollRun;

#[async_trait]
impl Operation for ApprovePayrollRun {
    type Input = ApprovePayrollRunInput;
    type Record = PayrollApproval;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "approve_payroll_run",
        category: Category::HighRisk,
        method: Method::Post,
        route: "/v1/payroll-runs/{id}/approve",
        table: Table::PayrollApprovals,
        collection: "payroll-approvals",
        workflows: &["payroll_disbursement"],
        rules: &["payroll_run_not_draft"],
        not_found: &["payroll_run_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_optional_text("note", input.note.as_deref(), REASON_CHARS_MAX)
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let Some(entity) = lock_target(tx, ctx, Table::PayrollRuns).await? else {
            reject!(Rejection::not_found("payroll_run_not_found", "no such payroll run"));
        };
        let mut run: PayrollRun = from_entity(&entity)?;
        if run.status != "draft" {
            reject!(Rejection::rule("payroll_run_not_draft", format!("the payroll run is {}", run.status)));
        }
        run.status = "approved".into();
        run.approved_at = Some(ctx.now.clone());
        let record = PayrollApproval {
            id: ctx.entity_id,
            object: "payroll_approval".into(),
            payroll_run_id: entity.id,
            currency: run.currency.clone(),
            total_cents: run.total_cents,
            note: input.note.clone(),
            created_at: ctx.now.clone(),
        };
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&record));
        plan.updates.push(updated(entity, &run));
        Ok(Ok(plan))
    }
}
