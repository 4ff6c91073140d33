-- R15 同一人同项目同月重复发放 (same region; other regions are R14): payments after the first are at risk
WITH ranked AS (
    SELECT p.*, row_number() OVER (
               PARTITION BY p.person_id, p.program, p.period, p.region_code ORDER BY p.paid_on, p.payment_id
           ) AS n
    FROM pay_repeats r
    JOIN pay p ON p.person_id = r.person_id AND p.program = r.program AND p.period = r.period
)
SELECT person_id, person_name, program, region_code, period, amount AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount, 'paid_on': paid_on, 'nth': n} AS evidence
FROM ranked
WHERE n > 1
