//! Customers: `create_customer` (reference data) and `delete_customer`
//! (high risk: a soft delete, refused while the customer has open invoices).
//!
//! Concurrency: `delete_customer` and `create_invoice` both lock the
//! customer row first, so they serialise: either the invoice commits first
//! and the delete sees it open, or the delete commits first and the invoice
//! sees a deleted customer.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::store::{FieldMatch, IndexedField};

/// `delete_customer` counts open invoices up to this many (the refusal says
/// "or more" beyond it): the count is for the message, one is enough to refuse.
const OPEN_INVOICES_COUNTED_MAX: u32 = 1000;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerInput {
    #[schemars(schema_with = "schema::name")]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    pub id: Uuid,
    pub object: String,
    pub name: String,
    pub created_at: String,
    /// Set once by `delete_customer`; a deleted customer is kept (its
    /// invoices and ledger lines still point at it) but takes no new invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

pub struct CreateCustomer;

#[async_trait]
impl Operation for CreateCustomer {
    type Input = CreateCustomerInput;
    type Record = Customer;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "create_customer",
        category: Category::Reference,
        method: Method::Post,
        route: "/v1/customers",
        table: Table::Customers,
        collection: "customers",
        workflows: &[],
        rules: &[],
        not_found: &[],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_text("name", &input.name, NAME_CHARS_MAX)
    }

    async fn plan(&self, _tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let body = Customer {
            id: ctx.entity_id,
            object: "customer".into(),
            name: input.name.clone(),
            created_at: ctx.now.clone(),
            deleted_at: None,
        };
        Ok(Ok(created(ctx, Self::SPEC, None, &to_value(&body))))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteCustomerInput {
    #[schemars(schema_with = "schema::optional_reason")]
    #[serde(default)]
    pub reason: Option<String>,
}

/// The record of one deletion.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CustomerDeletion {
    pub id: Uuid,
    pub object: String,
    pub customer_id: Uuid,
    pub reason: Option<String>,
    pub created_at: String,
}

pub struct DeleteCustomer;

#[async_trait]
impl Operation for DeleteCustomer {
    type Input = DeleteCustomerInput;
    type Record = CustomerDeletion;

    const SPEC: &'static OpSpec = &OpSpec {
        name: "delete_customer",
        category: Category::HighRisk,
        method: Method::Delete,
        route: "/v1/customers/{id}",
        table: Table::CustomerDeletions,
        collection: "customer-deletions",
        workflows: &[],
        rules: &["customer_already_deleted", "customer_has_open_invoices"],
        not_found: &["customer_not_found"],
        input_rules: &[],
    };

    fn validate(&self, input: &Self::Input) -> Result<(), String> {
        check_optional_text("reason", input.reason.as_deref(), REASON_CHARS_MAX)
    }

    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult {
        let Some(entity) = lock_target(tx, ctx, Table::Customers).await? else {
            reject!(Rejection::not_found("customer_not_found", "no such customer"));
        };
        let mut customer: Customer = from_entity(&entity)?;
        if let Some(at) = &customer.deleted_at {
            reject!(Rejection::rule("customer_already_deleted", format!("the customer was deleted at {at}")));
        }
        // The customer row is locked, so no invoice for it can commit
        // between this read and the delete.
        let open_invoices = FieldMatch {
            tenant: ctx.tenant,
            field: IndexedField::InvoiceStatus,
            value: "open".into(),
            parent: Some(entity.id),
            except: None,
            limit: OPEN_INVOICES_COUNTED_MAX,
        };
        let open = tx.count_matching(&open_invoices).await?;
        if open > 0 {
            reject!(Rejection::rule(
                "customer_has_open_invoices",
                if open >= u64::from(OPEN_INVOICES_COUNTED_MAX) {
                    format!("the customer has {open} or more open invoices; void or settle them first")
                } else {
                    format!("the customer has {open} open invoice(s); void or settle them first")
                }
            ));
        }
        customer.deleted_at = Some(ctx.now.clone());
        let record = CustomerDeletion {
            id: ctx.entity_id,
            object: "customer_deletion".into(),
            customer_id: entity.id,
            reason: input.reason.clone(),
            created_at: ctx.now.clone(),
        };
        let mut plan = created(ctx, Self::SPEC, Some(entity.id), &to_value(&record));
        plan.updates.push(updated(entity, &customer));
        Ok(Ok(plan))
    }
}
