-- Payments by method per month: count and amount of one tenant's payments
-- in a date range, by month, method and currency. Plain SQL for both
-- dialects; replace the tenant id and the range. On Postgres it reads the
-- index payments_tenant_date alone (an index-only scan).
SELECT substr(CAST(payment_date AS TEXT), 1, 7) AS month,
       method,
       currency,
       COUNT(*) AS payments,
       CAST(SUM(amount_cents) AS BIGINT) AS amount_cents
FROM payments
WHERE tenant_id = '00000000-0000-0000-0000-000000000000'
  AND payment_date >= '2026-01-01'
  AND payment_date < '2027-01-01'
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
