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

use crate::domain::ids::TenantId;
use crate::domain::time::Date;
use crate::store::{Entity, StoreError, StoredResponse, Table, Tx};

mod account;
mod bank_account;
mod bill;
mod customer;
mod invoice;
mod journal;
mod payment;
mod payroll;
mod period;
mod plan;
mod refund;
mod registry;
pub mod schema;
mod user;
mod vendor;

pub use account::{Account, AccountType, CreateAccount, CreateAccountInput};
pub use bank_account::{
    AccountNumber, BankAccount, CreateBankAccount, CreateBankAccountInput, RoutingNumber, UpdateBankAccount,
    UpdateBankAccountInput,
};
pub use bill::{Bill, CreateBill, CreateBillInput};
pub use customer::{CreateCustomer, CreateCustomerInput, Customer, DeleteCustomer, DeleteCustomerInput};
pub use invoice::{
    CreateInvoice, CreateInvoiceInput, Invoice, InvoiceLine, InvoiceLineInput, VoidInvoice, VoidInvoiceInput,
};
pub use journal::{JournalEntry, JournalLineInput, PostJournalEntry, PostJournalEntryInput};
pub use payment::{Payment, RecordPayment, RecordPaymentInput};
pub use payroll::{ApprovePayrollRun, ApprovePayrollRunInput, CreatePayrollRun, CreatePayrollRunInput, PayrollRun};
pub use period::{closed_period_id, ensure_open, ClosePeriod, ClosePeriodInput, ClosedPeriod};
pub use plan::{created, ledger_rows, lock_target, new_entity, referenced, updated};
pub use refund::{IssueRefund, IssueRefundInput, Refund};
pub use registry::{
    visit_all, Catalogue, OperationVisitor, CATALOGUE, FINANCIAL_MUTATIONS, HIGH_RISK_MUTATIONS, REFERENCE_MUTATIONS,
    REGISTRY,
};
pub use user::{ChangeUserRole, ChangeUserRoleInput, CreateUser, CreateUserInput, Role, User};
pub use vendor::{CreateVendor, CreateVendorInput, Vendor};

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

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

/// The registry entry of one operation.
#[derive(Debug, PartialEq, Eq)]
pub struct OpSpec {
    pub name: &'static str,
    pub category: Category,
    pub method: Method,
    /// The axum route template, e.g. `/v1/invoices/{id}/void`.
    pub route: &'static str,
    /// The table of the record every execution creates (its id is the
    /// deterministic id), readable at `GET /v1/{collection}/{id}`.
    pub table: Table,
    pub collection: &'static str,
    /// Outbox workflows a successful execution triggers.
    pub workflows: &'static [&'static str],
    /// The problem codes of the business rules it enforces: definitive
    /// 422s, stored with the key and replayed.
    pub rules: &'static [&'static str],
    /// The 404 codes of the references it names that may not exist (yet):
    /// nothing is stored, so a retry after the reference exists executes.
    pub not_found: &'static [&'static str],
    /// The 422 codes of `Operation::check`: rules on the input alone that a
    /// JSON Schema cannot state; refused before the engine, nothing stored.
    pub input_rules: &'static [&'static str],
}

impl OpSpec {
    /// The kind of the record it creates (`Table::kind`: its documents'
    /// `object`, its OpenAPI schema's name).
    pub fn kind(&self) -> &'static str {
        self.table.kind()
    }

    /// The read-back route of the record it creates.
    pub fn read_route(&self) -> String {
        format!("/v1/{}/{{id}}", self.collection)
    }
}

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

impl ExecCtx {
    /// The execution's calendar date (UTC).
    pub fn today(&self) -> Date {
        Date::of_timestamp(&self.now).expect("ExecCtx::now is RFC 3339")
    }

    /// The first path parameter as an id, if it is one.
    pub fn path_id(&self) -> Option<Uuid> {
        self.path.first().and_then(|p| Uuid::parse_str(p).ok())
    }
}

/// The rows an execution writes and the response it stores.
#[derive(Debug)]
pub struct Plan {
    pub inserts: Vec<Entity>,
    pub updates: Vec<Entity>,
    pub workflows: &'static [&'static str],
    pub response: StoredResponse,
}

/// What kind of refusal a rejection is. The HTTP adapter chooses its
/// status (`http::problem`); the engine only needs to know whether it is
/// definitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// A referenced entity is missing (or another tenant's). It may exist
    /// later, so nothing is stored and a retry re-evaluates.
    NotFound,
    /// A business rule refuses this request for good (an overpayment, an
    /// unbalanced entry): stored with the key and replayed.
    Rule,
}

/// A refusal by an operation: what went wrong, never how to say it.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub kind: RejectionKind,
    pub code: &'static str,
    pub detail: String,
}

impl Rejection {
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self { kind: RejectionKind::NotFound, code, detail: detail.into() }
    }

    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        Self { kind: RejectionKind::Rule, code, detail: detail.into() }
    }

    /// The same request can never succeed: store it with the key.
    pub fn definitive(&self) -> bool {
        self.kind == RejectionKind::Rule
    }
}

/// A refusal by `Operation::check`: 422 with its own code, nothing stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRule {
    pub code: &'static str,
    pub detail: String,
}

/// One step of a plan that may refuse: a store error, a rejection, or a value.
pub type PlanStep<T> = Result<Result<T, Rejection>, StoreError>;

/// `return Ok(Err(rejection))` from a plan, as a statement.
macro_rules! reject {
    ($rejection:expr) => {
        return Ok(Err($rejection))
    };
}
pub(crate) use reject;

/// The value of a `PlanStep`, or return its error or rejection from the plan.
macro_rules! proceed {
    ($step:expr) => {
        match $step? {
            Ok(value) => value,
            Err(rejection) => return Ok(Err(rejection)),
        }
    };
}
pub(crate) use proceed;

pub type PlanResult = Result<Result<Plan, Rejection>, StoreError>;

#[async_trait]
pub trait Operation: Send + Sync + 'static {
    /// The request body, parsed strictly (unknown fields are refused). Its
    /// JSON Schema (derived from the same type) is the OpenAPI request body.
    type Input: DeserializeOwned + Serialize + schemars::JsonSchema + Send + Sync;

    /// The record a success creates, stores and answers (the 201 body, and
    /// the OpenAPI response schema).
    type Record: Serialize + schemars::JsonSchema;

    /// The registry entry: name, route, category, workflows, rules.
    const SPEC: &'static OpSpec;

    fn spec(&self) -> &'static OpSpec {
        Self::SPEC
    }

    /// Value-level checks that depend on the input alone (lengths, ranges,
    /// formats). Runs before the engine, so a failure writes nothing.
    fn validate(&self, input: &Self::Input) -> Result<(), String>;

    /// Rules on the input alone that its JSON Schema cannot state (a
    /// checksum, one field against another, a sum). Each refusal has its
    /// own code, listed in `OpSpec::input_rules`: a request the document
    /// calls valid is never refused as `validation_failed`.
    fn check(&self, _input: &Self::Input) -> Result<(), InputRule> {
        Ok(())
    }

    /// The same for path parameters whose format is known (a period).
    fn validate_path(&self, _path: &[String]) -> Result<(), String> {
        Ok(())
    }

    /// Reads what the operation needs and decides what to write.
    async fn plan(&self, tx: &mut dyn Tx, ctx: &ExecCtx, input: &Self::Input) -> PlanResult;
}

/// An optional accounting date from the request, else the execution date.
pub fn date_or_today(date: Option<&str>, ctx: &ExecCtx) -> Date {
    date.map(|d| Date::parse(d).expect("validated")).unwrap_or_else(|| ctx.today())
}

pub fn check_date(field: &str, value: &str) -> Result<Date, String> {
    Date::parse(value).ok_or_else(|| format!("{field} must be a calendar date YYYY-MM-DD"))
}

pub fn check_optional_text(field: &str, value: Option<&str>, max: usize) -> Result<(), String> {
    value.map_or(Ok(()), |v| check_text(field, v, max))
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
/// Free-text reasons and notes on high-risk actions.
pub const REASON_CHARS_MAX: usize = 500;

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
