//! Accounting periods: `close_period`, and the check every dated posting
//! makes (`ensure_open`).
//!
//! Which date puts a record in a period: an invoice or a bill its
//! `issue_date`, a payment its `payment_date`, a refund its `refund_date`
//! (each optional, the execution date when absent), a journal entry its
//! `entry_date`, a void its execution date. The ledger lines a record posts
//! carry that same date.
//!
//! Concurrency: closing takes the period's named lock exclusively; every
//! dated write takes it shared before it looks for the closed marker. So a
//! posting either commits before the close begins deciding, or waits for it
//! and then sees the marker: nothing is ever dated inside a closed period.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::domain::ids::derived_id;
use crate::domain::ledger::OpenPeriod;
use crate::domain::time::Period;
use crate::store::LockMode;

pub struct ClosePeriod;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePeriodInput {
    #[schemars(schema_with = "schema::optional_reason")]
    #[serde(default)]
    pub note: Option<String>,
}

/// The record of one close (the operation's own entity).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PeriodClose {
    pub id: Uuid,
    pub object: String,
    pub period: String,
    pub note: Option<String>,
    pub created_at: String,
}

/// The marker that makes a period closed, at a derived id per (tenant,
/// period), so every posting finds it with one read. `GET /v1/periods/{p}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClosedPeriod {
    pub object: String,
    pub period: String,
    pub status: String,
    pub closed_at: String,
    pub period_close_id: Uuid,
}

/// The id of a tenant's closed-period marker.
pub fn closed_period_id(tenant: TenantId, period: Period) -> Uuid {
    derived_id(tenant.0, &format!("period:{period}"))
}

fn lock_name(period: Period) -> String {
    format!("period:{period}")
}

/// Refuses (422 `period_closed`) a write dated inside a closed period.
/// Call it before locking any entity: periods are always locked first, so
/// lock order is the same in every transaction.
pub async fn ensure_open(tx: &mut dyn Tx, tenant: TenantId, date: Date) -> PlanStep<OpenPeriod> {
    let period = date.period();
    let marker = tx
        .lock_then_get(
            tenant,
            &lock_name(period),
            LockMode::Shared,
            Table::ClosedPeriods,
            closed_period_id(tenant, period),
        )
        .await?;
    if marker.is_some() {
        let detail = format!("the accounting period {period} is closed; nothing may be dated {date}");
        return Ok(Err(Rejection::rule("period_closed", detail)));
    }
    Ok(Ok(OpenPeriod::checked(date)))
}

#[async_trait]
impl Operation for ClosePeriod {
    type Input = ClosePeriodInput;
    type Record = PeriodClose;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "close_period",
        category: Category::HighRisk,
        method: Method::Post,
        route: "/v1/periods/{period}/close",
        table: Table::PeriodCloses,
        collection: "period-closes",
        workflows: &[],
        rules: &["period_already_closed", "period_in_future"],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_optional_text("note", input.note.as_deref(), REASON_CHARS_MAX)
    }

    fn validate_path(&self, path: &[String]) -> Result<(), String> {
        match path.first().map(|p| Period::parse(p)) {
            Some(Some(_)) => Ok(()),
            _ => Err("period must be a calendar month YYYY-MM".into()),
        }
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let period = Period::parse(&ctx.path[0]).expect("validate_path checked the period");
        if period > ctx.today().period() {
            reject!(Rejection::rule(
                "period_in_future",
                format!("{period} has not begun; only past or current periods close")
            ));
        }
        tx.lock(ctx.tenant, &lock_name(period), LockMode::Exclusive).await?;
        let marker_id = closed_period_id(ctx.tenant, period);
        if tx.get_entity(ctx.tenant, Table::ClosedPeriods, marker_id, false).await?.is_some() {
            reject!(Rejection::rule("period_already_closed", format!("{period} is already closed")));
        }
        let record = PeriodClose {
            id: ctx.entity_id,
            object: "period_close".into(),
            period: period.to_string(),
            note: input.note.clone(),
            created_at: ctx.now.clone(),
        };
        let marker = ClosedPeriod {
            object: "period".into(),
            period: period.to_string(),
            status: "closed".into(),
            closed_at: ctx.now.clone(),
            period_close_id: ctx.entity_id,
        };
        let mut plan = created(ctx, Self::SPEC, None, &to_value(&record));
        plan.inserts.push(Entity {
            id: marker_id,
            tenant_id: ctx.tenant,
            kind: Table::ClosedPeriods.kind().into(),
            parent_id: Some(ctx.entity_id),
            body: serde_json::to_string(&marker).expect("bodies always serialise"),
            version: 1,
        });
        Ok(Ok(plan))
    }
}
