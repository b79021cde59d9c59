-- Typed tables per aggregate (SQLite dialect; the Postgres file says why
-- and how: the same tables, columns, constraint names and checks). SQLite
-- has no uuid, date or timestamptz: ids, dates and timestamps are TEXT in
-- the service's fixed formats, dates CHECKed to be real calendar dates.
--
-- `body` stays the API's document; the typed columns hold its fields, read
-- by the service from the document once and bound with it (rows moved here
-- are read by `json_extract`, as the service reads them). Lines are rows of
-- their own, written by a trigger from the header's document.
--
-- SQLite has no deferred triggers: the invariants that span rows of one
-- write set (a source's ledger lines balance; a payment's refunds never
-- exceed it) are checked when the write set completes its idempotency key
-- (`idempotency_keys_write_set_checks`), which the engine does after every
-- row of the set is written, in the same transaction.
--
-- Existing rows are moved, verified, and only then is `entities` dropped:
-- all in this migration's one transaction.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT customers_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    name TEXT NOT NULL,
    deleted_at TEXT,
    CONSTRAINT customers_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT customers_name_present CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE vendors (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT vendors_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    name TEXT NOT NULL,
    CONSTRAINT vendors_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT vendors_name_present CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT users_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    CONSTRAINT users_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT users_email_lower CHECK (email = lower(email)),
    CONSTRAINT users_role_known CHECK (role IN ('admin', 'accountant', 'approver', 'viewer'))
);
-- Unique indexes (not constraints) so both dialects name them: the rules'
-- lookups (`IndexedField`) read them.
CREATE UNIQUE INDEX users_email_unique ON users (tenant_id, email);
CREATE INDEX users_role ON users (tenant_id, role);

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT accounts_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    account_type TEXT NOT NULL,
    CONSTRAINT accounts_type_known CHECK (account_type IN ('asset', 'liability', 'equity', 'revenue', 'expense'))
);
CREATE UNIQUE INDEX accounts_code_unique ON accounts (tenant_id, code);

CREATE TABLE bank_accounts (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT bank_accounts_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    holder_name TEXT NOT NULL,
    account_number_masked TEXT NOT NULL,
    routing_number_masked TEXT NOT NULL,
    CONSTRAINT bank_accounts_tenant_id_key UNIQUE (tenant_id, id),
    -- Only masked numbers are ever stored: at most the last four digits show.
    CONSTRAINT bank_accounts_numbers_masked CHECK (
        account_number_masked NOT GLOB '*[0-9][0-9][0-9][0-9][0-9]*' AND routing_number_masked NOT GLOB '*[0-9][0-9][0-9][0-9][0-9]*')
);

CREATE TABLE bank_account_updates (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT bank_account_updates_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    bank_account_id TEXT NOT NULL,
    CONSTRAINT bank_account_updates_bank_account_fk FOREIGN KEY (tenant_id, bank_account_id) REFERENCES bank_accounts (tenant_id, id)
);
CREATE INDEX bank_account_updates_bank_account ON bank_account_updates (bank_account_id);

CREATE TABLE period_closes (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT period_closes_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    period TEXT NOT NULL,
    CONSTRAINT period_closes_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT period_closes_period_month CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND substr(period, 6, 2) BETWEEN '01' AND '12')
);

CREATE TABLE closed_periods (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT closed_periods_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    period_close_id TEXT NOT NULL,
    CONSTRAINT closed_periods_period_unique UNIQUE (tenant_id, period),
    CONSTRAINT closed_periods_period_month CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND substr(period, 6, 2) BETWEEN '01' AND '12'),
    CONSTRAINT closed_periods_status_closed CHECK (status = 'closed'),
    CONSTRAINT closed_periods_period_close_fk FOREIGN KEY (tenant_id, period_close_id) REFERENCES period_closes (tenant_id, id)
);
CREATE INDEX closed_periods_period_close ON closed_periods (period_close_id);

CREATE TABLE invoices (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT invoices_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    customer_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    issue_date TEXT,
    due_date TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    amount_paid_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    voided_at TEXT,
    CONSTRAINT invoices_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT invoices_customer_fk FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT invoices_currency_code CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT invoices_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT invoices_paid_within_total CHECK (amount_paid_cents BETWEEN 0 AND total_cents),
    CONSTRAINT invoices_status_known CHECK (status IN ('open', 'paid', 'void')),
    CONSTRAINT invoices_paid_when_settled CHECK (status <> 'paid' OR amount_paid_cents = total_cents),
    CONSTRAINT invoices_void_unpaid CHECK (status <> 'void' OR (amount_paid_cents = 0 AND voided_at IS NOT NULL)),
    CONSTRAINT invoices_dates_valid CHECK ((issue_date IS NULL OR issue_date = date(issue_date)) AND due_date = date(due_date)),
    CONSTRAINT invoices_issue_before_due CHECK (issue_date IS NULL OR issue_date <= due_date)
);
CREATE INDEX invoices_customer_status ON invoices (customer_id, status, tenant_id);
CREATE INDEX invoices_open_receivables ON invoices (tenant_id, customer_id) WHERE status = 'open';

CREATE TABLE invoice_lines (
    invoice_id           TEXT NOT NULL,
    line_no           INTEGER NOT NULL,
    tenant_id         TEXT NOT NULL,
    description       TEXT NOT NULL,
    quantity          INTEGER NOT NULL,
    unit_price_cents  INTEGER NOT NULL,
    amount_cents      INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, line_no),
    CONSTRAINT invoice_lines_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT invoice_lines_quantity_range CHECK (quantity BETWEEN 1 AND 1000000),
    CONSTRAINT invoice_lines_price_within_cap CHECK (unit_price_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT invoice_lines_amount_is_product CHECK (amount_cents = quantity * unit_price_cents)
);

CREATE TABLE invoice_voids (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT invoice_voids_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    invoice_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    CONSTRAINT invoice_voids_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    -- An invoice is voided once.
    CONSTRAINT invoice_voids_invoice_unique UNIQUE (invoice_id),
    CONSTRAINT invoice_voids_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000)
);

CREATE TABLE payments (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT payments_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    invoice_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    payment_date TEXT,
    amount_refunded_cents INTEGER NOT NULL,
    CONSTRAINT payments_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT payments_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT payments_amount_within_cap CHECK (amount_cents BETWEEN 1 AND 1000000000000000),
    CONSTRAINT payments_refunded_within_amount CHECK (amount_refunded_cents BETWEEN 0 AND amount_cents),
    CONSTRAINT payments_currency_code CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT payments_method_known CHECK (method IN ('bank_transfer', 'card', 'cash', 'check', 'other')),
    CONSTRAINT payments_date_valid CHECK (payment_date IS NULL OR payment_date = date(payment_date))
);
CREATE INDEX payments_invoice ON payments (invoice_id);
-- The payments-by-method report: a tenant's payments by date.
CREATE INDEX payments_tenant_date ON payments (tenant_id, payment_date);

CREATE TABLE refunds (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT refunds_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    payment_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    refund_date TEXT NOT NULL,
    CONSTRAINT refunds_payment_fk FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id),
    CONSTRAINT refunds_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT refunds_amount_within_cap CHECK (amount_cents BETWEEN 1 AND 1000000000000000),
    CONSTRAINT refunds_date_valid CHECK (refund_date = date(refund_date))
);
CREATE INDEX refunds_payment ON refunds (payment_id);

CREATE TABLE bills (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT bills_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    vendor_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    CONSTRAINT bills_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT bills_vendor_fk FOREIGN KEY (tenant_id, vendor_id) REFERENCES vendors (tenant_id, id),
    CONSTRAINT bills_currency_code CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT bills_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT bills_status_known CHECK (status IN ('pending_approval')),
    CONSTRAINT bills_dates_valid CHECK (issue_date = date(issue_date) AND due_date = date(due_date)),
    CONSTRAINT bills_issue_before_due CHECK (issue_date <= due_date)
);
CREATE INDEX bills_vendor ON bills (vendor_id);

CREATE TABLE bill_lines (
    bill_id           TEXT NOT NULL,
    line_no           INTEGER NOT NULL,
    tenant_id         TEXT NOT NULL,
    description       TEXT NOT NULL,
    quantity          INTEGER NOT NULL,
    unit_price_cents  INTEGER NOT NULL,
    amount_cents      INTEGER NOT NULL,
    PRIMARY KEY (bill_id, line_no),
    CONSTRAINT bill_lines_bill_fk FOREIGN KEY (tenant_id, bill_id) REFERENCES bills (tenant_id, id),
    CONSTRAINT bill_lines_quantity_range CHECK (quantity BETWEEN 1 AND 1000000),
    CONSTRAINT bill_lines_price_within_cap CHECK (unit_price_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT bill_lines_amount_is_product CHECK (amount_cents = quantity * unit_price_cents)
);

CREATE TABLE journal_entries (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT journal_entries_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    entry_date TEXT NOT NULL,
    memo TEXT,
    CONSTRAINT journal_entries_date_valid CHECK (entry_date = date(entry_date))
);

-- The ledger: lines posted by invoices, voids, payments, refunds, bills
-- and journal entries (the source is one of those tables: `source_kind`
-- says which, so there is no single foreign key to state).

CREATE TABLE ledger_lines (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT ledger_lines_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    source_id TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    entry_date TEXT NOT NULL,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    debit_cents INTEGER NOT NULL,
    credit_cents INTEGER NOT NULL,
    CONSTRAINT ledger_lines_source_line_unique UNIQUE (source_id, line_no),
    CONSTRAINT ledger_lines_source_kind_known CHECK (
        source_kind IN ('invoice', 'invoice_void', 'payment', 'refund', 'bill', 'journal_entry')),
    CONSTRAINT ledger_lines_currency_code CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT ledger_lines_date_valid CHECK (entry_date = date(entry_date)),
    -- A line is a debit or a credit: exactly one side is non-zero.
    CONSTRAINT ledger_lines_one_side CHECK (
        debit_cents BETWEEN 0 AND 1000000000000000 AND credit_cents BETWEEN 0 AND 1000000000000000
        AND (debit_cents = 0) <> (credit_cents = 0))
);
CREATE INDEX ledger_lines_tenant_date ON ledger_lines (tenant_id, entry_date);

CREATE TABLE payroll_runs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT payroll_runs_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    period TEXT NOT NULL,
    currency TEXT NOT NULL,
    pay_date TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    approved_at TEXT,
    CONSTRAINT payroll_runs_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT payroll_runs_period_month CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND substr(period, 6, 2) BETWEEN '01' AND '12'),
    CONSTRAINT payroll_runs_currency_code CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT payroll_runs_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT payroll_runs_status_known CHECK (status IN ('draft', 'approved')),
    CONSTRAINT payroll_runs_approved_when_stamped CHECK ((status = 'approved') = (approved_at IS NOT NULL)),
    CONSTRAINT payroll_runs_date_valid CHECK (pay_date = date(pay_date))
);

CREATE TABLE payroll_lines (
    payroll_run_id  TEXT NOT NULL,
    line_no         INTEGER NOT NULL,
    tenant_id       TEXT NOT NULL,
    employee_name   TEXT NOT NULL,
    gross_cents     INTEGER NOT NULL,
    PRIMARY KEY (payroll_run_id, line_no),
    CONSTRAINT payroll_lines_run_fk FOREIGN KEY (tenant_id, payroll_run_id) REFERENCES payroll_runs (tenant_id, id),
    CONSTRAINT payroll_lines_gross_within_cap CHECK (gross_cents BETWEEN 1 AND 1000000000000000)
);

CREATE TABLE payroll_approvals (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT payroll_approvals_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    payroll_run_id TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    CONSTRAINT payroll_approvals_run_fk FOREIGN KEY (tenant_id, payroll_run_id) REFERENCES payroll_runs (tenant_id, id),
    -- A run is approved once.
    CONSTRAINT payroll_approvals_run_unique UNIQUE (payroll_run_id)
);

CREATE TABLE role_changes (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT role_changes_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user_id TEXT NOT NULL,
    previous_role TEXT NOT NULL,
    role TEXT NOT NULL,
    CONSTRAINT role_changes_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CONSTRAINT role_changes_roles_known CHECK (role IN ('admin', 'accountant', 'approver', 'viewer') AND previous_role IN ('admin', 'accountant', 'approver', 'viewer'))
);
CREATE INDEX role_changes_user ON role_changes (user_id);

CREATE TABLE customer_deletions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL CONSTRAINT customer_deletions_version_positive CHECK (version >= 1),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    customer_id TEXT NOT NULL,
    CONSTRAINT customer_deletions_customer_fk FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    -- A customer is deleted once.
    CONSTRAINT customer_deletions_customer_unique UNIQUE (customer_id)
);

-- Lines are rows of their own, written from the header's document when the
-- header is inserted; they must sum to its total and are fixed once written.

CREATE TRIGGER invoices_lines AFTER INSERT ON invoices BEGIN
    INSERT INTO invoice_lines (invoice_id, line_no, tenant_id, description, quantity, unit_price_cents, amount_cents)
        SELECT NEW.id, key + 1, NEW.tenant_id, json_extract(value, '$.description'), json_extract(value, '$.quantity'), json_extract(value, '$.unit_price_cents'), json_extract(value, '$.amount_cents')
        FROM json_each(NEW.body, '$.lines');
    SELECT RAISE(ABORT, 'invoices_lines_sum_to_total')
        WHERE (SELECT COALESCE(SUM(amount_cents), 0) FROM invoice_lines WHERE invoice_id = NEW.id) <> NEW.total_cents;
END;
CREATE TRIGGER invoices_lines_fixed BEFORE UPDATE ON invoices BEGIN
    SELECT RAISE(ABORT, 'invoices_lines_fixed')
        WHERE json_extract(NEW.body, '$.lines') IS NOT json_extract(OLD.body, '$.lines')
           OR json_extract(NEW.body, '$.total_cents') IS NOT json_extract(OLD.body, '$.total_cents');
END;

CREATE TRIGGER bills_lines AFTER INSERT ON bills BEGIN
    INSERT INTO bill_lines (bill_id, line_no, tenant_id, description, quantity, unit_price_cents, amount_cents)
        SELECT NEW.id, key + 1, NEW.tenant_id, json_extract(value, '$.description'), json_extract(value, '$.quantity'), json_extract(value, '$.unit_price_cents'), json_extract(value, '$.amount_cents')
        FROM json_each(NEW.body, '$.lines');
    SELECT RAISE(ABORT, 'bills_lines_sum_to_total')
        WHERE (SELECT COALESCE(SUM(amount_cents), 0) FROM bill_lines WHERE bill_id = NEW.id) <> NEW.total_cents;
END;
CREATE TRIGGER bills_lines_fixed BEFORE UPDATE ON bills BEGIN
    SELECT RAISE(ABORT, 'bills_lines_fixed')
        WHERE json_extract(NEW.body, '$.lines') IS NOT json_extract(OLD.body, '$.lines')
           OR json_extract(NEW.body, '$.total_cents') IS NOT json_extract(OLD.body, '$.total_cents');
END;

CREATE TRIGGER payroll_runs_lines AFTER INSERT ON payroll_runs BEGIN
    INSERT INTO payroll_lines (payroll_run_id, line_no, tenant_id, employee_name, gross_cents)
        SELECT NEW.id, key + 1, NEW.tenant_id, json_extract(value, '$.employee_name'), json_extract(value, '$.gross_cents')
        FROM json_each(NEW.body, '$.lines');
    SELECT RAISE(ABORT, 'payroll_runs_lines_sum_to_total')
        WHERE (SELECT COALESCE(SUM(gross_cents), 0) FROM payroll_lines WHERE payroll_run_id = NEW.id) <> NEW.total_cents;
END;
CREATE TRIGGER payroll_runs_lines_fixed BEFORE UPDATE ON payroll_runs BEGIN
    SELECT RAISE(ABORT, 'payroll_runs_lines_fixed')
        WHERE json_extract(NEW.body, '$.lines') IS NOT json_extract(OLD.body, '$.lines')
           OR json_extract(NEW.body, '$.total_cents') IS NOT json_extract(OLD.body, '$.total_cents');
END;

-- Move the rows of `entities`, parents before children (the lines
-- triggers write the documents' lines on the way).

INSERT INTO customers (id, tenant_id, body, version, created_at, updated_at, name, deleted_at)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.name'),
        json_extract(body, '$.deleted_at')
    FROM entities WHERE kind = 'customer';

INSERT INTO vendors (id, tenant_id, body, version, created_at, updated_at, name)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.name')
    FROM entities WHERE kind = 'vendor';

INSERT INTO users (id, tenant_id, body, version, created_at, updated_at, email, name, role)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.email'),
        json_extract(body, '$.name'),
        json_extract(body, '$.role')
    FROM entities WHERE kind = 'user';

INSERT INTO accounts (id, tenant_id, body, version, created_at, updated_at, code, name, account_type)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.code'),
        json_extract(body, '$.name'),
        json_extract(body, '$.type')
    FROM entities WHERE kind = 'account';

INSERT INTO bank_accounts (id, tenant_id, body, version, created_at, updated_at, holder_name, account_number_masked, routing_number_masked)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.holder_name'),
        json_extract(body, '$.account_number_masked'),
        json_extract(body, '$.routing_number_masked')
    FROM entities WHERE kind = 'bank_account';

INSERT INTO bank_account_updates (id, tenant_id, body, version, created_at, updated_at, bank_account_id)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.bank_account_id')
    FROM entities WHERE kind = 'bank_account_update';

INSERT INTO period_closes (id, tenant_id, body, version, created_at, updated_at, period)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.period')
    FROM entities WHERE kind = 'period_close';

INSERT INTO closed_periods (id, tenant_id, body, version, created_at, updated_at, period, status, period_close_id)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.period'),
        json_extract(body, '$.status'),
        json_extract(body, '$.period_close_id')
    FROM entities WHERE kind = 'closed_period';

INSERT INTO invoices (id, tenant_id, body, version, created_at, updated_at, customer_id, currency, issue_date, due_date, total_cents, amount_paid_cents, status, voided_at)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.customer_id'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.issue_date'),
        json_extract(body, '$.due_date'),
        json_extract(body, '$.total_cents'),
        json_extract(body, '$.amount_paid_cents'),
        json_extract(body, '$.status'),
        json_extract(body, '$.voided_at')
    FROM entities WHERE kind = 'invoice';

INSERT INTO invoice_voids (id, tenant_id, body, version, created_at, updated_at, invoice_id, currency, total_cents)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.invoice_id'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.total_cents')
    FROM entities WHERE kind = 'invoice_void';

INSERT INTO payments (id, tenant_id, body, version, created_at, updated_at, invoice_id, amount_cents, currency, method, payment_date, amount_refunded_cents)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.invoice_id'),
        json_extract(body, '$.amount_cents'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.method'),
        json_extract(body, '$.payment_date'),
        json_extract(body, '$.amount_refunded_cents')
    FROM entities WHERE kind = 'payment';

INSERT INTO refunds (id, tenant_id, body, version, created_at, updated_at, payment_id, invoice_id, amount_cents, currency, refund_date)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.payment_id'),
        json_extract(body, '$.invoice_id'),
        json_extract(body, '$.amount_cents'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.refund_date')
    FROM entities WHERE kind = 'refund';

INSERT INTO bills (id, tenant_id, body, version, created_at, updated_at, vendor_id, currency, issue_date, due_date, total_cents, status)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.vendor_id'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.issue_date'),
        json_extract(body, '$.due_date'),
        json_extract(body, '$.total_cents'),
        json_extract(body, '$.status')
    FROM entities WHERE kind = 'bill';

INSERT INTO journal_entries (id, tenant_id, body, version, created_at, updated_at, entry_date, memo)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.entry_date'),
        json_extract(body, '$.memo')
    FROM entities WHERE kind = 'journal_entry';

INSERT INTO ledger_lines (id, tenant_id, body, version, created_at, updated_at, source_id, source_kind, line_no, entry_date, account, currency, debit_cents, credit_cents)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.source_id'),
        json_extract(body, '$.source_kind'),
        json_extract(body, '$.line'),
        json_extract(body, '$.date'),
        json_extract(body, '$.account'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.debit_cents'),
        json_extract(body, '$.credit_cents')
    FROM entities WHERE kind = 'ledger_line';

INSERT INTO payroll_runs (id, tenant_id, body, version, created_at, updated_at, period, currency, pay_date, total_cents, status, approved_at)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.period'),
        json_extract(body, '$.currency'),
        json_extract(body, '$.pay_date'),
        json_extract(body, '$.total_cents'),
        json_extract(body, '$.status'),
        json_extract(body, '$.approved_at')
    FROM entities WHERE kind = 'payroll_run';

INSERT INTO payroll_approvals (id, tenant_id, body, version, created_at, updated_at, payroll_run_id, total_cents)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.payroll_run_id'),
        json_extract(body, '$.total_cents')
    FROM entities WHERE kind = 'payroll_approval';

INSERT INTO role_changes (id, tenant_id, body, version, created_at, updated_at, user_id, previous_role, role)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.user_id'),
        json_extract(body, '$.previous_role'),
        json_extract(body, '$.role')
    FROM entities WHERE kind = 'role_change';

INSERT INTO customer_deletions (id, tenant_id, body, version, created_at, updated_at, customer_id)
    SELECT id, tenant_id, body, version, created_at, updated_at,
        json_extract(body, '$.customer_id')
    FROM entities WHERE kind = 'customer_deletion';

-- Verify the move before anything is dropped: every row arrived unchanged
-- in the table of its kind, and no table holds a row that was not moved.
-- A failed check aborts the migration (and so its transaction).
CREATE TEMP TABLE accubooks_moved (
    kind TEXT NOT NULL, id TEXT NOT NULL, tenant_id TEXT, body TEXT, version INTEGER,
    PRIMARY KEY (id, kind)
);
INSERT INTO accubooks_moved (kind, id, tenant_id, body, version)
    SELECT 'customer' AS kind, id, tenant_id, body, version FROM customers
    UNION ALL SELECT 'vendor', id, tenant_id, body, version FROM vendors
    UNION ALL SELECT 'user', id, tenant_id, body, version FROM users
    UNION ALL SELECT 'account', id, tenant_id, body, version FROM accounts
    UNION ALL SELECT 'bank_account', id, tenant_id, body, version FROM bank_accounts
    UNION ALL SELECT 'bank_account_update', id, tenant_id, body, version FROM bank_account_updates
    UNION ALL SELECT 'period_close', id, tenant_id, body, version FROM period_closes
    UNION ALL SELECT 'closed_period', id, tenant_id, body, version FROM closed_periods
    UNION ALL SELECT 'invoice', id, tenant_id, body, version FROM invoices
    UNION ALL SELECT 'invoice_void', id, tenant_id, body, version FROM invoice_voids
    UNION ALL SELECT 'payment', id, tenant_id, body, version FROM payments
    UNION ALL SELECT 'refund', id, tenant_id, body, version FROM refunds
    UNION ALL SELECT 'bill', id, tenant_id, body, version FROM bills
    UNION ALL SELECT 'journal_entry', id, tenant_id, body, version FROM journal_entries
    UNION ALL SELECT 'ledger_line', id, tenant_id, body, version FROM ledger_lines
    UNION ALL SELECT 'payroll_run', id, tenant_id, body, version FROM payroll_runs
    UNION ALL SELECT 'payroll_approval', id, tenant_id, body, version FROM payroll_approvals
    UNION ALL SELECT 'role_change', id, tenant_id, body, version FROM role_changes
    UNION ALL SELECT 'customer_deletion', id, tenant_id, body, version FROM customer_deletions;
CREATE TEMP TABLE accubooks_move_verified (
    ok INTEGER NOT NULL CONSTRAINT typed_tables_every_entity_moved_unchanged CHECK (ok = 1)
);
INSERT INTO accubooks_move_verified
    SELECT (SELECT COUNT(*) FROM accubooks_moved) = (SELECT COUNT(*) FROM entities)
       AND NOT EXISTS (SELECT 1 FROM entities e WHERE NOT EXISTS (
           SELECT 1 FROM accubooks_moved m WHERE m.id = e.id AND m.kind = e.kind AND m.tenant_id = e.tenant_id
             AND m.body = e.body AND m.version = e.version));
DROP TABLE accubooks_move_verified;
DROP TABLE accubooks_moved;

DROP TABLE entities;

-- Invariants across rows, created after the move.

-- A deleted customer takes no new invoice.
CREATE TRIGGER invoices_customer_not_deleted AFTER INSERT ON invoices BEGIN
    SELECT RAISE(ABORT, 'invoices_customer_not_deleted')
        WHERE EXISTS (SELECT 1 FROM customers WHERE id = NEW.customer_id AND deleted_at IS NOT NULL);
END;

-- When a write set completes its key (after all its rows, in the same
-- transaction): the lines of its record balance per currency, and the
-- refunds of the payment it refunds do not exceed that payment.
CREATE TRIGGER idempotency_keys_write_set_checks AFTER UPDATE OF response_status ON idempotency_keys
    WHEN NEW.response_status BETWEEN 200 AND 299
BEGIN
    SELECT RAISE(ABORT, 'ledger_lines_balance')
        WHERE EXISTS (SELECT 1 FROM ledger_lines WHERE source_id = NEW.entity_id
                      GROUP BY currency HAVING SUM(debit_cents) <> SUM(credit_cents));
    SELECT RAISE(ABORT, 'refunds_within_payment')
        WHERE EXISTS (SELECT 1 FROM refunds r JOIN payments p ON p.id = r.payment_id
                      WHERE r.id = NEW.entity_id
                        AND (SELECT SUM(amount_cents) FROM refunds WHERE payment_id = p.id) > p.amount_cents);
END;
