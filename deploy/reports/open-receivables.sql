-- Open receivables per customer: what each customer of one tenant still
-- owes on open invoices, per currency, with the oldest due date. Plain SQL
-- for both dialects; replace the tenant id. On Postgres it reads the
-- partial index invoices_open_receivables alone (an index-only scan).
SELECT CAST(c.id AS TEXT) AS customer_id,
       c.name AS customer,
       i.currency,
       COUNT(*) AS open_invoices,
       CAST(SUM(i.total_cents - i.amount_paid_cents) AS BIGINT) AS outstanding_cents,
       CAST(MIN(i.due_date) AS TEXT) AS oldest_due_date
FROM invoices AS i
JOIN customers AS c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
WHERE i.tenant_id = '00000000-0000-0000-0000-000000000000'
  AND i.status = 'open'
GROUP BY c.id, c.name, i.currency
ORDER BY outstanding_cents DESC, c.id, i.currency;
