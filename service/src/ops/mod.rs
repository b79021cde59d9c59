//! Operations: the business logic of each idempotent write, and the
//! registry that is the only way to mount one on the router.
//!
//! Architecture invariant: an operation never writes. Its `plan` reads
//! through the transaction it is given (locking what it will change) and
//! returns the rows to write or a rejection; the engine applies the plan in
//! the same transaction as the key record, outbox and audit rows. So a
//! rejected or failed operation cannot leave a partial write behind.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::engine::new_entity;
use crate::ids::TenantId;
use crate::store::{Entity, StoreError, StoredResponse, Tx};

mod customer;
mod invoice;
mod payment;

pub use customer::{CreateCustomer, CreateCustomerInput, Customer, CREATE_CUSTOMER};
pub use invoice::{CreateInvoice, CreateInvoiceInput, Invoice, InvoiceLine, InvoiceLineInput, CREATE_INVOICE};
pub use payment::{Payment, RecordPayment, RecordPaymentInput, RECORD_PAYMENT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Financial,
    HighRisk,
    Reference,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Financial => "financial",
            Self::HighRisk => "high_risk",
            Self::Reference => "reference",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Delete,
}

/// The registry entry of one operation.
#[derive(Debug)]
pub struct OpSpec {
    pub name: &'static str,
    pub category: Category,
    pub method: Method,
    /// The axum route template, e.g. `/v1/invoices`.
    pub route: &'static str,
    /// Outbox workflows a successful execution triggers.
    pub workflows: &'static [&'static str],
}

/// Every registered mutation. The router mounts mutations only from here.
pub const REGISTRY: &[&OpSpec] = &[&CREATE_CUSTOMER, &CREATE_INVOICE, &RECORD_PAYMENT];

/// What an operation may know about its execution.
#[derive(Debug, Clone)]
pub struct ExecCtx {
    pub tenant: TenantId,
    /// The deterministic id: UUIDv5(tenant ‖ operation ‖ key).
    pub entity_id: Uuid,
    /// Execution time (RFC 3339), fixed once per request.
    pub now: String,
    pub path: Vec<String>,
}

/// The rows an execution writes and the response it stores.
#[derive(Debug)]
pub struct Plan {
    pub inserts: Vec<Entity>,
    pub updates: Vec<Entity>,
    pub workflows: &'static [&'static str],
    pub response: StoredResponse,
}

/// A refusal by a business rule.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    /// Definitive rejections (the same request can never succeed, e.g. an
    /// overpayment) are stored and replayed; others (a referenced entity not
    /// found, which may be created later) store nothing.
    pub definitive: bool,
}

impl Rejection {
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self { status: 404, code, detail: detail.into(), definitive: false }
    }

    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        Self { status: 422, code, detail: detail.into(), definitive: true }
    }
}

pub type PlanResult = Result<Result<Plan, Rejection>, StoreError>;

#[async_trait]
pub trait Operation: Send + Sync + 'static {
    /// The request body, parsed strictly (unknown fields are refused).
    type Input: DeserializeOwned + Serialize + Send + Sync;

    fn spec(&self) -> &'static OpSpec;

    /// Value-level checks that depend on the input alone (lengths, ranges,
    /// formats). Runs before the engine, so a failure writes nothing.
    fn validate(&self, input: &Self::Input) -> Result<(), String>;

    /// Reads what the operation needs and decides what to write.
    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult;
}

/// A plan that creates one entity, answers 201 with it and points `Location` at it.
pub fn created(
    ctx: &ExecCtx,
    kind: &str,
    collection: &str,
    parent_id: Option<Uuid>,
    body: &Value,
    workflows: &'static [&'static str],
) -> Plan {
    let entity = new_entity(ctx, kind, parent_id, body);
    let response = StoredResponse {
        status: 201,
        body: entity.body.clone(),
        location: Some(format!("/v1/{collection}/{}", entity.id)),
    };
    Plan { inserts: vec![entity], updates: Vec::new(), workflows, response }
}

/// Serialises a typed entity body.
pub fn to_value<T: Serialize>(body: &T) -> Value {
    serde_json::to_value(body).expect("entity bodies always serialise")
}

/// Parses an entity body read back from the store.
pub fn from_entity<T: DeserializeOwned>(e: &Entity) -> Result<T, StoreError> {
    serde_json::from_str(&e.body).map_err(|err| StoreError::Other(format!("corrupt {} body: {err}", e.kind)))
}

/// Text limits shared by operations.
pub const NAME_CHARS_MAX: usize = 200;
pub const DESCRIPTION_CHARS_MAX: usize = 500;

pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if value.trim().is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if n > max {
        return Err(format!("{field} must be at most {max} characters"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(format!("{field} must not contain control characters"));
    }
    Ok(())
}
