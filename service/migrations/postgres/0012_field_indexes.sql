-- Expression indexes for `Tx::count_matching` (store::IndexedField): rules
-- that ask "is there another row with this value" (an account code, a
-- user's email, another admin, a customer's open invoices) read a few index
-- entries instead of every row of the tenant. Each expression is written
-- exactly as the statements in store/sql.rs write it, so the planner uses it,
-- and leads with it: the user indexes share (kind, tenant) and the planner,
-- without statistics, would otherwise take one for the other's lookup.
CREATE INDEX entities_account_code ON entities ((body::jsonb ->> 'code'), tenant_id) WHERE kind = 'account';
CREATE INDEX entities_user_email ON entities ((body::jsonb ->> 'email'), tenant_id) WHERE kind = 'user';
CREATE INDEX entities_user_role ON entities ((body::jsonb ->> 'role'), tenant_id) WHERE kind = 'user';
CREATE INDEX entities_invoice_status ON entities (parent_id, (body::jsonb ->> 'status')) WHERE kind = 'invoice';
