-- Typed tables per aggregate. Every business record moves out of the one
-- generic `entities` table into a table of its own, with native types,
-- foreign keys within a tenant and the invariants a row can state as CHECK
-- constraints: the database's second line of defence behind each
-- operation's rules (a refusal here is a bug, answered 422
-- `constraint_violation` and logged as such).
--
-- `body` stays: it is the JSON document the API returned for the record,
-- kept byte for byte so reads and replays are the same bytes. The typed
-- columns hold its fields: the service reads them from the document once,
-- in the same place for every write (`Table::columns`), and binds them
-- with it, in the one statement (rows moved here are read by the same
-- rules in SQL, below). Every constraint reads the typed columns. Lines (invoice,
-- bill, payroll) are rows of their own, written by a trigger from the
-- header's document and checked against its total.
--
-- Invariants that span rows are checked by DEFERRABLE INITIALLY DEFERRED
-- constraint triggers at commit (a journal entry's lines balance per
-- currency; a payment's refunds never exceed it) or by a trigger at insert
-- (a deleted customer takes no new invoice; lines sum to their total).
--
-- Existing rows are moved, verified (every row of `entities` is found in
-- its table with the same id, tenant, body and version, and nothing else
-- is there), and only then is `entities` dropped: all in this migration's
-- one transaction, so a failed verification leaves the database as it was.

-- Text in the service's fixed formats → native types, for the rows moved
-- below and for reports. IMMUTABLE (unlike the text → date/timestamptz
-- casts, which depend on session settings); a malformed value is refused
-- (22008).
CREATE FUNCTION accubooks_date(t text) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int);
-- `YYYY-MM-DDTHH:MM:SS.fffZ`, always UTC.
CREATE FUNCTION accubooks_timestamp(t text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN timezone('UTC', make_timestamp(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int,
        substr(t, 12, 2)::int, substr(t, 15, 2)::int, rtrim(substr(t, 18), 'Z')::float8));

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL CONSTRAINT customers_version_positive CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    name        text NOT NULL,
    deleted_at  timestamptz,
    CONSTRAINT customers_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT customers_name_present CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE vendors (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL CONSTRAINT vendors_version_positive CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    name        text NOT NULL,
    CONSTRAINT vendors_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT vendors_name_present CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL CONSTRAINT users_version_positive CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    email       text NOT NULL,
    name        text NOT NULL,
    role        text NOT NULL,
    CONSTRAINT users_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT users_email_lower CHECK (email = lower(email)),
    CONSTRAINT users_role_known CHECK (role IN ('admin', 'accountant', 'approver', 'viewer'))
);
-- Unique indexes (not constraints) so both dialects name them: the rules'
-- lookups (`IndexedField`) read them.
CREATE UNIQUE INDEX users_email_unique ON users (tenant_id, email);
CREATE INDEX users_role ON users (tenant_id, role);

CREATE TABLE accounts (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    body          text NOT NULL,
    version       bigint NOT NULL CONSTRAINT accounts_version_positive CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    code          text NOT NULL,
    name          text NOT NULL,
    account_type  text NOT NULL,
    CONSTRAINT accounts_type_known CHECK (account_type IN ('asset', 'liability', 'equity', 'revenue', 'expense'))
);
CREATE UNIQUE INDEX accounts_code_unique ON accounts (tenant_id, code);

CREATE TABLE bank_accounts (
    id                     uuid PRIMARY KEY,
    tenant_id              uuid NOT NULL,
    body                   text NOT NULL,
    version                bigint NOT NULL CONSTRAINT bank_accounts_version_positive CHECK (version >= 1),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    holder_name            text NOT NULL,
    account_number_masked  text NOT NULL,
    routing_number_masked  text NOT NULL,
    CONSTRAINT bank_accounts_tenant_id_key UNIQUE (tenant_id, id),
    -- Only masked numbers are ever stored: at most the last four digits show.
    CONSTRAINT bank_accounts_numbers_masked CHECK (
        account_number_masked !~ '[0-9]{5}' AND routing_number_masked !~ '[0-9]{5}')
);

CREATE TABLE bank_account_updates (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    body             text NOT NULL,
    version          bigint NOT NULL CONSTRAINT bank_account_updates_version_positive CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    bank_account_id  uuid NOT NULL,
    CONSTRAINT bank_account_updates_bank_account_fk FOREIGN KEY (tenant_id, bank_account_id)
        REFERENCES bank_accounts (tenant_id, id)
);
CREATE INDEX bank_account_updates_bank_account ON bank_account_updates (bank_account_id);

CREATE TABLE period_closes (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL CONSTRAINT period_closes_version_positive CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    period      text NOT NULL,
    CONSTRAINT period_closes_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT period_closes_period_month CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);

-- One row per closed (tenant, month): its id is derived from the month.
CREATE TABLE closed_periods (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    body             text NOT NULL,
    version          bigint NOT NULL CONSTRAINT closed_periods_version_positive CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    period           text NOT NULL,
    status           text NOT NULL,
    period_close_id  uuid NOT NULL,
    CONSTRAINT closed_periods_period_unique UNIQUE (tenant_id, period),
    CONSTRAINT closed_periods_period_month CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT closed_periods_status_closed CHECK (status = 'closed'),
    CONSTRAINT closed_periods_period_close_fk FOREIGN KEY (tenant_id, period_close_id)
        REFERENCES period_closes (tenant_id, id)
);
CREATE INDEX closed_periods_period_close ON closed_periods (period_close_id);

CREATE TABLE invoices (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL,
    body               text NOT NULL,
    version            bigint NOT NULL CONSTRAINT invoices_version_positive CHECK (version >= 1),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    customer_id        uuid NOT NULL,
    currency           text NOT NULL,
    issue_date         date,
    due_date           date NOT NULL,
    total_cents        bigint NOT NULL,
    amount_paid_cents  bigint NOT NULL,
    status             text NOT NULL,
    voided_at          timestamptz,
    CONSTRAINT invoices_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT invoices_customer_fk FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT invoices_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT invoices_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT invoices_paid_within_total CHECK (amount_paid_cents BETWEEN 0 AND total_cents),
    CONSTRAINT invoices_status_known CHECK (status IN ('open', 'paid', 'void')),
    CONSTRAINT invoices_paid_when_settled CHECK (status <> 'paid' OR amount_paid_cents = total_cents),
    CONSTRAINT invoices_void_unpaid CHECK (status <> 'void' OR (amount_paid_cents = 0 AND voided_at IS NOT NULL)),
    CONSTRAINT invoices_issue_before_due CHECK (issue_date IS NULL OR issue_date <= due_date)
);
-- A customer's invoices by status (`IndexedField::InvoiceStatus`), and the
-- open-receivables report (deploy/reports/open-receivables.sql), answered
-- from the index alone.
CREATE INDEX invoices_customer_status ON invoices (customer_id, status, tenant_id);
CREATE INDEX invoices_open_receivables ON invoices (tenant_id, customer_id)
    INCLUDE (currency, total_cents, amount_paid_cents, due_date) WHERE status = 'open';

CREATE TABLE invoice_lines (
    invoice_id        uuid NOT NULL,
    line_no           integer NOT NULL,
    tenant_id         uuid NOT NULL,
    description       text NOT NULL,
    quantity          bigint NOT NULL,
    unit_price_cents  bigint NOT NULL,
    amount_cents      bigint NOT NULL,
    PRIMARY KEY (invoice_id, line_no),
    CONSTRAINT invoice_lines_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT invoice_lines_quantity_range CHECK (quantity BETWEEN 1 AND 1000000),
    CONSTRAINT invoice_lines_price_within_cap CHECK (unit_price_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT invoice_lines_amount_is_product CHECK (amount_cents = quantity * unit_price_cents)
);

CREATE TABLE invoice_voids (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    body         text NOT NULL,
    version      bigint NOT NULL CONSTRAINT invoice_voids_version_positive CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    invoice_id   uuid NOT NULL,
    currency     text NOT NULL,
    total_cents  bigint NOT NULL,
    CONSTRAINT invoice_voids_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    -- An invoice is voided once.
    CONSTRAINT invoice_voids_invoice_unique UNIQUE (invoice_id),
    CONSTRAINT invoice_voids_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000)
);

CREATE TABLE payments (
    id                     uuid PRIMARY KEY,
    tenant_id              uuid NOT NULL,
    body                   text NOT NULL,
    version                bigint NOT NULL CONSTRAINT payments_version_positive CHECK (version >= 1),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    invoice_id             uuid NOT NULL,
    amount_cents           bigint NOT NULL,
    currency               text NOT NULL,
    method                 text NOT NULL,
    payment_date           date,
    amount_refunded_cents  bigint NOT NULL,
    CONSTRAINT payments_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT payments_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT payments_amount_within_cap CHECK (amount_cents BETWEEN 1 AND 1000000000000000),
    CONSTRAINT payments_refunded_within_amount CHECK (amount_refunded_cents BETWEEN 0 AND amount_cents),
    CONSTRAINT payments_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_method_known CHECK (method IN ('bank_transfer', 'card', 'cash', 'check', 'other'))
);
CREATE INDEX payments_invoice ON payments (invoice_id);
-- The payments-by-method report (deploy/reports/payments-by-method.sql):
-- a tenant's payments by date, answered from the index alone.
CREATE INDEX payments_tenant_date ON payments (tenant_id, payment_date) INCLUDE (method, currency, amount_cents);

CREATE TABLE refunds (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    body          text NOT NULL,
    version       bigint NOT NULL CONSTRAINT refunds_version_positive CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    payment_id    uuid NOT NULL,
    invoice_id    uuid NOT NULL,
    amount_cents  bigint NOT NULL,
    currency      text NOT NULL,
    refund_date   date NOT NULL,
    CONSTRAINT refunds_payment_fk FOREIGN KEY (tenant_id, payment_id) REFERENCES payments (tenant_id, id),
    CONSTRAINT refunds_invoice_fk FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
    CONSTRAINT refunds_amount_within_cap CHECK (amount_cents BETWEEN 1 AND 1000000000000000)
);
CREATE INDEX refunds_payment ON refunds (payment_id);

CREATE TABLE bills (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    body         text NOT NULL,
    version      bigint NOT NULL CONSTRAINT bills_version_positive CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    vendor_id    uuid NOT NULL,
    currency     text NOT NULL,
    issue_date   date NOT NULL,
    due_date     date NOT NULL,
    total_cents  bigint NOT NULL,
    status       text NOT NULL,
    CONSTRAINT bills_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT bills_vendor_fk FOREIGN KEY (tenant_id, vendor_id) REFERENCES vendors (tenant_id, id),
    CONSTRAINT bills_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT bills_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT bills_status_known CHECK (status IN ('pending_approval')),
    CONSTRAINT bills_issue_before_due CHECK (issue_date <= due_date)
);
CREATE INDEX bills_vendor ON bills (vendor_id);

CREATE TABLE bill_lines (
    bill_id           uuid NOT NULL,
    line_no           integer NOT NULL,
    tenant_id         uuid NOT NULL,
    description       text NOT NULL,
    quantity          bigint NOT NULL,
    unit_price_cents  bigint NOT NULL,
    amount_cents      bigint NOT NULL,
    PRIMARY KEY (bill_id, line_no),
    CONSTRAINT bill_lines_bill_fk FOREIGN KEY (tenant_id, bill_id) REFERENCES bills (tenant_id, id),
    CONSTRAINT bill_lines_quantity_range CHECK (quantity BETWEEN 1 AND 1000000),
    CONSTRAINT bill_lines_price_within_cap CHECK (unit_price_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT bill_lines_amount_is_product CHECK (amount_cents = quantity * unit_price_cents)
);

CREATE TABLE journal_entries (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL CONSTRAINT journal_entries_version_positive CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    entry_date  date NOT NULL,
    memo        text
);

-- The ledger: lines posted by invoices, voids, payments, refunds, bills
-- and journal entries (the source is one of those tables: `source_kind`
-- says which, so there is no single foreign key to state).
CREATE TABLE ledger_lines (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    body          text NOT NULL,
    version       bigint NOT NULL CONSTRAINT ledger_lines_version_positive CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    source_id     uuid NOT NULL,
    source_kind   text NOT NULL,
    line_no       integer NOT NULL,
    entry_date    date NOT NULL,
    account       text NOT NULL,
    currency      text NOT NULL,
    debit_cents   bigint NOT NULL,
    credit_cents  bigint NOT NULL,
    CONSTRAINT ledger_lines_source_line_unique UNIQUE (source_id, line_no),
    CONSTRAINT ledger_lines_source_kind_known CHECK (
        source_kind IN ('invoice', 'invoice_void', 'payment', 'refund', 'bill', 'journal_entry')),
    CONSTRAINT ledger_lines_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
    -- A line is a debit or a credit: exactly one side is non-zero.
    CONSTRAINT ledger_lines_one_side CHECK (
        debit_cents BETWEEN 0 AND 1000000000000000 AND credit_cents BETWEEN 0 AND 1000000000000000
        AND (debit_cents = 0) <> (credit_cents = 0))
);
CREATE INDEX ledger_lines_tenant_date ON ledger_lines (tenant_id, entry_date);

CREATE TABLE payroll_runs (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    body         text NOT NULL,
    version      bigint NOT NULL CONSTRAINT payroll_runs_version_positive CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    period       text NOT NULL,
    currency     text NOT NULL,
    pay_date     date NOT NULL,
    total_cents  bigint NOT NULL,
    status       text NOT NULL,
    approved_at  timestamptz,
    CONSTRAINT payroll_runs_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT payroll_runs_period_month CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    CONSTRAINT payroll_runs_currency_code CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payroll_runs_total_within_cap CHECK (total_cents BETWEEN 0 AND 1000000000000000),
    CONSTRAINT payroll_runs_status_known CHECK (status IN ('draft', 'approved')),
    CONSTRAINT payroll_runs_approved_when_stamped CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);

CREATE TABLE payroll_lines (
    payroll_run_id  uuid NOT NULL,
    line_no         integer NOT NULL,
    tenant_id       uuid NOT NULL,
    employee_name   text NOT NULL,
    gross_cents     bigint NOT NULL,
    PRIMARY KEY (payroll_run_id, line_no),
    CONSTRAINT payroll_lines_run_fk FOREIGN KEY (tenant_id, payroll_run_id) REFERENCES payroll_runs (tenant_id, id),
    CONSTRAINT payroll_lines_gross_within_cap CHECK (gross_cents BETWEEN 1 AND 1000000000000000)
);

CREATE TABLE payroll_approvals (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    body            text NOT NULL,
    version         bigint NOT NULL CONSTRAINT payroll_approvals_version_positive CHECK (version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    payroll_run_id  uuid NOT NULL,
    total_cents     bigint NOT NULL,
    CONSTRAINT payroll_approvals_run_fk FOREIGN KEY (tenant_id, payroll_run_id) REFERENCES payroll_runs (tenant_id, id),
    -- A run is approved once.
    CONSTRAINT payroll_approvals_run_unique UNIQUE (payroll_run_id)
);

CREATE TABLE role_changes (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    body           text NOT NULL,
    version        bigint NOT NULL CONSTRAINT role_changes_version_positive CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    user_id        uuid NOT NULL,
    previous_role  text NOT NULL,
    role           text NOT NULL,
    CONSTRAINT role_changes_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CONSTRAINT role_changes_roles_known CHECK (
        role IN ('admin', 'accountant', 'approver', 'viewer')
        AND previous_role IN ('admin', 'accountant', 'approver', 'viewer'))
);
CREATE INDEX role_changes_user ON role_changes (user_id);

CREATE TABLE customer_deletions (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    body         text NOT NULL,
    version      bigint NOT NULL CONSTRAINT customer_deletions_version_positive CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    customer_id  uuid NOT NULL,
    CONSTRAINT customer_deletions_customer_fk FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    -- A customer is deleted once.
    CONSTRAINT customer_deletions_customer_unique UNIQUE (customer_id)
);

-- Lines are rows of their own, written from the header's document when the
-- header is inserted, and must sum to its total.
CREATE FUNCTION accubooks_document_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
BEGIN
    IF TG_TABLE_NAME = 'invoices' THEN
        INSERT INTO invoice_lines (invoice_id, line_no, tenant_id, description, quantity, unit_price_cents, amount_cents)
        SELECT NEW.id, l.n, NEW.tenant_id, l.v ->> 'description', (l.v ->> 'quantity')::bigint,
               (l.v ->> 'unit_price_cents')::bigint, (l.v ->> 'amount_cents')::bigint
        FROM jsonb_array_elements(NEW.body::jsonb -> 'lines') WITH ORDINALITY AS l(v, n);
        SELECT COALESCE(sum(amount_cents), 0) INTO total FROM invoice_lines WHERE invoice_id = NEW.id;
    ELSIF TG_TABLE_NAME = 'bills' THEN
        INSERT INTO bill_lines (bill_id, line_no, tenant_id, description, quantity, unit_price_cents, amount_cents)
        SELECT NEW.id, l.n, NEW.tenant_id, l.v ->> 'description', (l.v ->> 'quantity')::bigint,
               (l.v ->> 'unit_price_cents')::bigint, (l.v ->> 'amount_cents')::bigint
        FROM jsonb_array_elements(NEW.body::jsonb -> 'lines') WITH ORDINALITY AS l(v, n);
        SELECT COALESCE(sum(amount_cents), 0) INTO total FROM bill_lines WHERE bill_id = NEW.id;
    ELSE
        INSERT INTO payroll_lines (payroll_run_id, line_no, tenant_id, employee_name, gross_cents)
        SELECT NEW.id, l.n, NEW.tenant_id, l.v ->> 'employee_name', (l.v ->> 'gross_cents')::bigint
        FROM jsonb_array_elements(NEW.body::jsonb -> 'lines') WITH ORDINALITY AS l(v, n);
        SELECT COALESCE(sum(gross_cents), 0) INTO total FROM payroll_lines WHERE payroll_run_id = NEW.id;
    END IF;
    IF total <> NEW.total_cents THEN
        RAISE EXCEPTION 'the lines of % % sum to %, not its total %', TG_TABLE_NAME, NEW.id, total, NEW.total_cents
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_lines_sum_to_total';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_lines AFTER INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION accubooks_document_lines();
CREATE TRIGGER bills_lines AFTER INSERT ON bills FOR EACH ROW EXECUTE FUNCTION accubooks_document_lines();
CREATE TRIGGER payroll_runs_lines AFTER INSERT ON payroll_runs FOR EACH ROW EXECUTE FUNCTION accubooks_document_lines();

-- Lines are written once, with their header: a header's document may not
-- change them afterwards (its status, amounts paid, approval may change).
CREATE FUNCTION accubooks_lines_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.body::jsonb -> 'lines') IS DISTINCT FROM (OLD.body::jsonb -> 'lines')
       OR NEW.total_cents IS DISTINCT FROM OLD.total_cents THEN
        RAISE EXCEPTION 'the lines and total of % % are fixed once written', TG_TABLE_NAME, NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_lines_fixed';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_lines_fixed AFTER UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION accubooks_lines_unchanged();
CREATE TRIGGER bills_lines_fixed AFTER UPDATE ON bills FOR EACH ROW EXECUTE FUNCTION accubooks_lines_unchanged();
CREATE TRIGGER payroll_runs_lines_fixed AFTER UPDATE ON payroll_runs FOR EACH ROW EXECUTE FUNCTION accubooks_lines_unchanged();

-- Move the rows of `entities`, parents before children (the lines
-- triggers write the documents' lines on the way).
INSERT INTO customers (id, tenant_id, body, version, created_at, updated_at, name, deleted_at)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'name',
        accubooks_timestamp(body::jsonb ->> 'deleted_at')
    FROM entities WHERE kind = 'customer';
INSERT INTO vendors (id, tenant_id, body, version, created_at, updated_at, name)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'name'
    FROM entities WHERE kind = 'vendor';
INSERT INTO users (id, tenant_id, body, version, created_at, updated_at, email, name, role)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'email',
        body::jsonb ->> 'name',
        body::jsonb ->> 'role'
    FROM entities WHERE kind = 'user';
INSERT INTO accounts (id, tenant_id, body, version, created_at, updated_at, code, name, account_type)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'code',
        body::jsonb ->> 'name',
        body::jsonb ->> 'type'
    FROM entities WHERE kind = 'account';
INSERT INTO bank_accounts (id, tenant_id, body, version, created_at, updated_at, holder_name, account_number_masked, routing_number_masked)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'holder_name',
        body::jsonb ->> 'account_number_masked',
        body::jsonb ->> 'routing_number_masked'
    FROM entities WHERE kind = 'bank_account';
INSERT INTO bank_account_updates (id, tenant_id, body, version, created_at, updated_at, bank_account_id)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'bank_account_id')::uuid
    FROM entities WHERE kind = 'bank_account_update';
INSERT INTO period_closes (id, tenant_id, body, version, created_at, updated_at, period)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'period'
    FROM entities WHERE kind = 'period_close';
INSERT INTO closed_periods (id, tenant_id, body, version, created_at, updated_at, period, status, period_close_id)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'period',
        body::jsonb ->> 'status',
        (body::jsonb ->> 'period_close_id')::uuid
    FROM entities WHERE kind = 'closed_period';
INSERT INTO invoices (id, tenant_id, body, version, created_at, updated_at, customer_id, currency, issue_date, due_date, total_cents, amount_paid_cents, status, voided_at)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'customer_id')::uuid,
        body::jsonb ->> 'currency',
        accubooks_date(body::jsonb ->> 'issue_date'),
        accubooks_date(body::jsonb ->> 'due_date'),
        (body::jsonb ->> 'total_cents')::bigint,
        (body::jsonb ->> 'amount_paid_cents')::bigint,
        body::jsonb ->> 'status',
        accubooks_timestamp(body::jsonb ->> 'voided_at')
    FROM entities WHERE kind = 'invoice';
INSERT INTO invoice_voids (id, tenant_id, body, version, created_at, updated_at, invoice_id, currency, total_cents)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'invoice_id')::uuid,
        body::jsonb ->> 'currency',
        (body::jsonb ->> 'total_cents')::bigint
    FROM entities WHERE kind = 'invoice_void';
INSERT INTO payments (id, tenant_id, body, version, created_at, updated_at, invoice_id, amount_cents, currency, method, payment_date, amount_refunded_cents)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'invoice_id')::uuid,
        (body::jsonb ->> 'amount_cents')::bigint,
        body::jsonb ->> 'currency',
        body::jsonb ->> 'method',
        accubooks_date(body::jsonb ->> 'payment_date'),
        (body::jsonb ->> 'amount_refunded_cents')::bigint
    FROM entities WHERE kind = 'payment';
INSERT INTO refunds (id, tenant_id, body, version, created_at, updated_at, payment_id, invoice_id, amount_cents, currency, refund_date)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'payment_id')::uuid,
        (body::jsonb ->> 'invoice_id')::uuid,
        (body::jsonb ->> 'amount_cents')::bigint,
        body::jsonb ->> 'currency',
        accubooks_date(body::jsonb ->> 'refund_date')
    FROM entities WHERE kind = 'refund';
INSERT INTO bills (id, tenant_id, body, version, created_at, updated_at, vendor_id, currency, issue_date, due_date, total_cents, status)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'vendor_id')::uuid,
        body::jsonb ->> 'currency',
        accubooks_date(body::jsonb ->> 'issue_date'),
        accubooks_date(body::jsonb ->> 'due_date'),
        (body::jsonb ->> 'total_cents')::bigint,
        body::jsonb ->> 'status'
    FROM entities WHERE kind = 'bill';
INSERT INTO journal_entries (id, tenant_id, body, version, created_at, updated_at, entry_date, memo)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        accubooks_date(body::jsonb ->> 'entry_date'),
        body::jsonb ->> 'memo'
    FROM entities WHERE kind = 'journal_entry';
INSERT INTO ledger_lines (id, tenant_id, body, version, created_at, updated_at, source_id, source_kind, line_no, entry_date, account, currency, debit_cents, credit_cents)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'source_id')::uuid,
        body::jsonb ->> 'source_kind',
        (body::jsonb ->> 'line')::integer,
        accubooks_date(body::jsonb ->> 'date'),
        body::jsonb ->> 'account',
        body::jsonb ->> 'currency',
        (body::jsonb ->> 'debit_cents')::bigint,
        (body::jsonb ->> 'credit_cents')::bigint
    FROM entities WHERE kind = 'ledger_line';
INSERT INTO payroll_runs (id, tenant_id, body, version, created_at, updated_at, period, currency, pay_date, total_cents, status, approved_at)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        body::jsonb ->> 'period',
        body::jsonb ->> 'currency',
        accubooks_date(body::jsonb ->> 'pay_date'),
        (body::jsonb ->> 'total_cents')::bigint,
        body::jsonb ->> 'status',
        accubooks_timestamp(body::jsonb ->> 'approved_at')
    FROM entities WHERE kind = 'payroll_run';
INSERT INTO payroll_approvals (id, tenant_id, body, version, created_at, updated_at, payroll_run_id, total_cents)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'payroll_run_id')::uuid,
        (body::jsonb ->> 'total_cents')::bigint
    FROM entities WHERE kind = 'payroll_approval';
INSERT INTO role_changes (id, tenant_id, body, version, created_at, updated_at, user_id, previous_role, role)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'user_id')::uuid,
        body::jsonb ->> 'previous_role',
        body::jsonb ->> 'role'
    FROM entities WHERE kind = 'role_change';
INSERT INTO customer_deletions (id, tenant_id, body, version, created_at, updated_at, customer_id)
    SELECT id::uuid, tenant_id::uuid, body, version, created_at, updated_at,
        (body::jsonb ->> 'customer_id')::uuid
    FROM entities WHERE kind = 'customer_deletion';

-- Verify the move before anything is dropped: every row arrived unchanged
-- in the table of its kind, and no table holds a row that was not moved.
DO $$
DECLARE
    moved bigint;
    total bigint;
    mismatched bigint;
BEGIN
    CREATE TEMP TABLE accubooks_moved (
        kind text NOT NULL, id uuid NOT NULL, tenant_id uuid, body text, version bigint,
        PRIMARY KEY (id, kind)
    ) ON COMMIT DROP;
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
    SELECT count(*) INTO moved FROM accubooks_moved;
    SELECT count(*) INTO total FROM entities;
    SELECT count(*) INTO mismatched FROM entities e WHERE NOT EXISTS (
        SELECT 1 FROM accubooks_moved m
        WHERE m.id = e.id::uuid AND m.kind = e.kind AND m.tenant_id = e.tenant_id::uuid
          AND m.body = e.body AND m.version = e.version);
    IF moved <> total OR mismatched <> 0 THEN
        RAISE EXCEPTION 'typed tables: % of % entities moved, % not found unchanged (a kind without a table?); nothing changed',
            moved, total, mismatched;
    END IF;
END
$$;

DROP TABLE entities;

-- Invariants across rows, created after the move (existing rows were
-- written under the operations' rules; `accubooks audit verify-ledger`
-- checks the ledger of a database at any time).

-- A deleted customer takes no new invoice.
CREATE FUNCTION accubooks_invoice_customer_live() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM customers WHERE id = NEW.customer_id AND deleted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'customer % is deleted and takes no new invoice', NEW.customer_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_customer_not_deleted';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_customer_not_deleted AFTER INSERT ON invoices
    FOR EACH ROW EXECUTE FUNCTION accubooks_invoice_customer_live();

-- At commit: the lines of every source balance per currency, and the
-- refunds of a payment never exceed it. Deferred, so the checks see the
-- transaction's whole write set, whatever order it was written in.
CREATE FUNCTION accubooks_ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_lines WHERE source_id = NEW.source_id
               GROUP BY currency HAVING sum(debit_cents) <> sum(credit_cents)) THEN
        RAISE EXCEPTION 'the ledger lines of % do not balance', NEW.source_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_lines_balance';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_lines_balance AFTER INSERT OR UPDATE ON ledger_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accubooks_ledger_balanced();

CREATE FUNCTION accubooks_refunds_within_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT sum(amount_cents) FROM refunds WHERE payment_id = NEW.payment_id)
       > (SELECT amount_cents FROM payments WHERE id = NEW.payment_id) THEN
        RAISE EXCEPTION 'the refunds of payment % exceed it', NEW.payment_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'refunds_within_payment';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER refunds_within_payment AFTER INSERT OR UPDATE ON refunds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accubooks_refunds_within_payment();
