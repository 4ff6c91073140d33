-- R23 危房改造重复享受或与易地搬迁重叠: one household paid 危房改造 more than once, or also 易地搬迁
WITH repair AS (
    SELECT coalesce(household_id, person_id) AS hh, count(*) AS payments
    FROM pay WHERE kind = 'housing_repair'
    GROUP BY coalesce(household_id, person_id)
), moved AS (
    SELECT coalesce(household_id, person_id) AS hh, min(payment_id) AS relocation_payment_id
    FROM pay WHERE kind = 'relocation'
    GROUP BY coalesce(household_id, person_id)
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'household_id': r.hh,
        'repair_payments': r.payments, 'relocation_payment_id': m.relocation_payment_id} AS evidence
FROM pay p
JOIN repair r ON r.hh = coalesce(p.household_id, p.person_id)
LEFT JOIN moved m ON m.hh = r.hh
WHERE p.kind = 'housing_repair' AND (r.payments > ${max_repair_payments} OR m.hh IS NOT NULL)
