//! The typed tables: one per aggregate (migrations 0015). A record's kind
//! names its table; each table holds the API's document (`body`) and the
//! typed columns read from it (`Table::columns`: the SQL stores parse the
//! document once and bind them), constrained. The SQL stores address a
//! record by its table; the in-memory store enforces the same constraints
//! under the same names (`store::constraints`).

use serde::{Deserialize, Serialize};

/// A table of business records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Table {
    Customers,
    Vendors,
    Users,
    Accounts,
    BankAccounts,
    BankAccountUpdates,
    PeriodCloses,
    ClosedPeriods,
    Invoices,
    InvoiceVoids,
    Payments,
    Refunds,
    Bills,
    JournalEntries,
    LedgerLines,
    PayrollRuns,
    PayrollApprovals,
    RoleChanges,
    CustomerDeletions,
}

/// The column (and document field) that names a record's parent, and the
/// table it refers to (`None`: the ledger's source, which is one of
/// several tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    pub column: &'static str,
    pub table: Option<Table>,
}

/// A column's type: Postgres's native one (SQLite stores text and integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Uuid,
    Text,
    BigInt,
    Int,
    Date,
    Timestamp,
}

impl ColumnType {
    /// The Postgres type a bound text value is cast to.
    pub fn postgres(self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::Text => "text",
            Self::BigInt => "bigint",
            Self::Int => "integer",
            Self::Date => "date",
            Self::Timestamp => "timestamptz",
        }
    }
}

/// A typed column and the top-level document field it holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub field: &'static str,
    pub ty: ColumnType,
}

impl Table {
    /// Every table, parents before the tables that refer to them (the order
    /// the migration moves rows in).
    pub const ALL: [Self; 19] = [
        Self::Customers,
        Self::Vendors,
        Self::Users,
        Self::Accounts,
        Self::BankAccounts,
        Self::BankAccountUpdates,
        Self::PeriodCloses,
        Self::ClosedPeriods,
        Self::Invoices,
        Self::InvoiceVoids,
        Self::Payments,
        Self::Refunds,
        Self::Bills,
        Self::JournalEntries,
        Self::LedgerLines,
        Self::PayrollRuns,
        Self::PayrollApprovals,
        Self::RoleChanges,
        Self::CustomerDeletions,
    ];

    /// The table's name in both dialects.
    pub fn name(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Vendors => "vendors",
            Self::Users => "users",
            Self::Accounts => "accounts",
            Self::BankAccounts => "bank_accounts",
            Self::BankAccountUpdates => "bank_account_updates",
            Self::PeriodCloses => "period_closes",
            Self::ClosedPeriods => "closed_periods",
            Self::Invoices => "invoices",
            Self::InvoiceVoids => "invoice_voids",
            Self::Payments => "payments",
            Self::Refunds => "refunds",
            Self::Bills => "bills",
            Self::JournalEntries => "journal_entries",
            Self::LedgerLines => "ledger_lines",
            Self::PayrollRuns => "payroll_runs",
            Self::PayrollApprovals => "payroll_approvals",
            Self::RoleChanges => "role_changes",
            Self::CustomerDeletions => "customer_deletions",
        }
    }

    /// The kind of record the table holds (`Entity::kind`, the documents'
    /// `object` for most).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Customers => "customer",
            Self::Vendors => "vendor",
            Self::Users => "user",
            Self::Accounts => "account",
            Self::BankAccounts => "bank_account",
            Self::BankAccountUpdates => "bank_account_update",
            Self::PeriodCloses => "period_close",
            Self::ClosedPeriods => "closed_period",
            Self::Invoices => "invoice",
            Self::InvoiceVoids => "invoice_void",
            Self::Payments => "payment",
            Self::Refunds => "refund",
            Self::Bills => "bill",
            Self::JournalEntries => "journal_entry",
            Self::LedgerLines => "ledger_line",
            Self::PayrollRuns => "payroll_run",
            Self::PayrollApprovals => "payroll_approval",
            Self::RoleChanges => "role_change",
            Self::CustomerDeletions => "customer_deletion",
        }
    }

    /// The table of a kind of record.
    pub fn of_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.kind() == kind)
    }

    /// The table of `kind`, or the store error for a kind no table holds
    /// (a bug: every operation's kind has a table, a test checks it).
    pub fn for_kind(kind: &str) -> Result<Self, super::StoreError> {
        Self::of_kind(kind).ok_or_else(|| super::StoreError::Other(format!("no table holds records of kind {kind:?}")))
    }

    /// Where the record's parent is named, if it has one.
    pub fn parent(self) -> Option<Parent> {
        let p = |column, table| Some(Parent { column, table });
        match self {
            Self::Customers
            | Self::Vendors
            | Self::Users
            | Self::Accounts
            | Self::BankAccounts
            | Self::PeriodCloses
            | Self::JournalEntries
            | Self::PayrollRuns => None,
            Self::BankAccountUpdates => p("bank_account_id", Some(Self::BankAccounts)),
            Self::ClosedPeriods => p("period_close_id", Some(Self::PeriodCloses)),
            Self::Invoices => p("customer_id", Some(Self::Customers)),
            Self::InvoiceVoids | Self::Payments => p("invoice_id", Some(Self::Invoices)),
            Self::Refunds => p("payment_id", Some(Self::Payments)),
            Self::Bills => p("vendor_id", Some(Self::Vendors)),
            Self::LedgerLines => p("source_id", None),
            Self::PayrollApprovals => p("payroll_run_id", Some(Self::PayrollRuns)),
            Self::RoleChanges => p("user_id", Some(Self::Users)),
            Self::CustomerDeletions => p("customer_id", Some(Self::Customers)),
        }
    }

    /// The typed columns after `id, tenant_id, body, version`, in the
    /// order the statements bind them: each holds one top-level field of
    /// the document, as Postgres's `body::jsonb ->> field` and SQLite's
    /// `json_extract(body, '$.field')` read it (the migration reads them so
    /// from the rows it moves).
    pub fn columns(self) -> &'static [Column] {
        use ColumnType::*;
        match self {
            Self::Customers => &[
                Column { name: "name", field: "name", ty: Text },
                Column { name: "deleted_at", field: "deleted_at", ty: Timestamp },
            ],
            Self::Vendors => &[Column { name: "name", field: "name", ty: Text }],
            Self::Users => &[
                Column { name: "email", field: "email", ty: Text },
                Column { name: "name", field: "name", ty: Text },
                Column { name: "role", field: "role", ty: Text },
            ],
            Self::Accounts => &[
                Column { name: "code", field: "code", ty: Text },
                Column { name: "name", field: "name", ty: Text },
                Column { name: "account_type", field: "type", ty: Text },
            ],
            Self::BankAccounts => &[
                Column { name: "holder_name", field: "holder_name", ty: Text },
                Column { name: "account_number_masked", field: "account_number_masked", ty: Text },
                Column { name: "routing_number_masked", field: "routing_number_masked", ty: Text },
            ],
            Self::BankAccountUpdates => &[Column { name: "bank_account_id", field: "bank_account_id", ty: Uuid }],
            Self::PeriodCloses => &[Column { name: "period", field: "period", ty: Text }],
            Self::ClosedPeriods => &[
                Column { name: "period", field: "period", ty: Text },
                Column { name: "status", field: "status", ty: Text },
                Column { name: "period_close_id", field: "period_close_id", ty: Uuid },
            ],
            Self::Invoices => &[
                Column { name: "customer_id", field: "customer_id", ty: Uuid },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "issue_date", field: "issue_date", ty: Date },
                Column { name: "due_date", field: "due_date", ty: Date },
                Column { name: "total_cents", field: "total_cents", ty: BigInt },
                Column { name: "amount_paid_cents", field: "amount_paid_cents", ty: BigInt },
                Column { name: "status", field: "status", ty: Text },
                Column { name: "voided_at", field: "voided_at", ty: Timestamp },
            ],
            Self::InvoiceVoids => &[
                Column { name: "invoice_id", field: "invoice_id", ty: Uuid },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "total_cents", field: "total_cents", ty: BigInt },
            ],
            Self::Payments => &[
                Column { name: "invoice_id", field: "invoice_id", ty: Uuid },
                Column { name: "amount_cents", field: "amount_cents", ty: BigInt },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "method", field: "method", ty: Text },
                Column { name: "payment_date", field: "payment_date", ty: Date },
                Column { name: "amount_refunded_cents", field: "amount_refunded_cents", ty: BigInt },
            ],
            Self::Refunds => &[
                Column { name: "payment_id", field: "payment_id", ty: Uuid },
                Column { name: "invoice_id", field: "invoice_id", ty: Uuid },
                Column { name: "amount_cents", field: "amount_cents", ty: BigInt },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "refund_date", field: "refund_date", ty: Date },
            ],
            Self::Bills => &[
                Column { name: "vendor_id", field: "vendor_id", ty: Uuid },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "issue_date", field: "issue_date", ty: Date },
                Column { name: "due_date", field: "due_date", ty: Date },
                Column { name: "total_cents", field: "total_cents", ty: BigInt },
                Column { name: "status", field: "status", ty: Text },
            ],
            Self::JournalEntries => &[
                Column { name: "entry_date", field: "entry_date", ty: Date },
                Column { name: "memo", field: "memo", ty: Text },
            ],
            Self::LedgerLines => &[
                Column { name: "source_id", field: "source_id", ty: Uuid },
                Column { name: "source_kind", field: "source_kind", ty: Text },
                Column { name: "line_no", field: "line", ty: Int },
                Column { name: "entry_date", field: "date", ty: Date },
                Column { name: "account", field: "account", ty: Text },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "debit_cents", field: "debit_cents", ty: BigInt },
                Column { name: "credit_cents", field: "credit_cents", ty: BigInt },
            ],
            Self::PayrollRuns => &[
                Column { name: "period", field: "period", ty: Text },
                Column { name: "currency", field: "currency", ty: Text },
                Column { name: "pay_date", field: "pay_date", ty: Date },
                Column { name: "total_cents", field: "total_cents", ty: BigInt },
                Column { name: "status", field: "status", ty: Text },
                Column { name: "approved_at", field: "approved_at", ty: Timestamp },
            ],
            Self::PayrollApprovals => &[
                Column { name: "payroll_run_id", field: "payroll_run_id", ty: Uuid },
                Column { name: "total_cents", field: "total_cents", ty: BigInt },
            ],
            Self::RoleChanges => &[
                Column { name: "user_id", field: "user_id", ty: Uuid },
                Column { name: "previous_role", field: "previous_role", ty: Text },
                Column { name: "role", field: "role", ty: Text },
            ],
            Self::CustomerDeletions => &[Column { name: "customer_id", field: "customer_id", ty: Uuid }],
        }
    }

    /// Whether `constraint` (as a store reports it) is this table's primary
    /// key: Postgres's `<table>_pkey`, SQLite's and memory's `<table>.id`.
    /// SQLite may report the (tenant, id) key the foreign keys refer to
    /// first, as `<table>.tenant_id, <table>.id`: the same id taken.
    pub fn is_primary_key(self, constraint: &str) -> bool {
        let n = self.name();
        constraint.strip_prefix(n).is_some_and(|rest| {
            rest == "_pkey"
                || rest == ".id"
                || rest.strip_prefix(".tenant_id, ").and_then(|r| r.strip_prefix(n)) == Some(".id")
        })
    }
}

/// Whether a reported constraint is the primary key of a table of records:
/// the one unique violation that is `Duplicate` (a deterministic id taken).
pub fn is_record_id_constraint(constraint: &str) -> bool {
    Table::ALL.iter().any(|t| t.is_primary_key(constraint))
}

/// A record's typed column values, read from its document in one parse,
/// in `Table::columns` order; an absent field is JSON `null` (SQL NULL).
/// A document that is not a JSON object is refused as the database
/// refuses a value it cannot read (`data_exception`): nothing is written.
pub fn column_values(t: Table, body: &str) -> Result<Vec<serde_json::Value>, super::StoreError> {
    let doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(body).map_err(|e| {
        super::StoreError::Constraint(super::ConstraintViolation::new(
            super::ConstraintKind::Other,
            "data_exception",
            format!("the document of a {} record is not a JSON object: {e}", t.kind()),
        ))
    })?;
    Ok(t.columns().iter().map(|c| doc.get(c.field).cloned().unwrap_or(serde_json::Value::Null)).collect())
}

/// A value as Postgres's `->>` reads it: a string's text, any other JSON's
/// own text, `null` as NULL.
pub fn postgres_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_names_are_distinct_and_round_trip() {
        for t in Table::ALL {
            assert_eq!(Table::of_kind(t.kind()), Some(t));
            assert_eq!(Table::ALL.iter().filter(|u| u.name() == t.name()).count(), 1);
        }
        assert_eq!(Table::of_kind("entity"), None);
        assert_eq!(Table::LedgerLines.kind(), crate::domain::ledger::LEDGER_LINE_KIND);
        assert!(Table::for_kind("entity").is_err());
    }

    #[test]
    fn parents_come_first() {
        for (i, t) in Table::ALL.iter().enumerate() {
            if let Some(Parent { table: Some(parent), .. }) = t.parent() {
                let j = Table::ALL.iter().position(|u| *u == parent).unwrap();
                assert!(j < i, "{} is listed before its parent {}", t.name(), parent.name());
            }
        }
    }

    #[test]
    fn primary_keys_are_recognised_in_both_spellings() {
        assert!(is_record_id_constraint("invoices_pkey"));
        assert!(is_record_id_constraint("ledger_lines.id"));
        assert!(is_record_id_constraint("journal_entries.tenant_id, journal_entries.id"));
        assert!(!is_record_id_constraint("journal_entries.tenant_id, invoices.id"));
        assert!(!is_record_id_constraint("invoices_customer_fk"));
        assert!(!is_record_id_constraint("invoice_lines_pkey"));
        assert!(!is_record_id_constraint("workflow_instances_pkey"));
    }
}
