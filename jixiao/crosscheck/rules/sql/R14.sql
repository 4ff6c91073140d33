-- R14 同一人同月在两地享受同一项目: payments outside the first region are at risk
WITH multi AS (
    SELECT person_id, program, period, min(region_code) AS first_region, count(DISTINCT region_code) AS regions
    FROM pay
    GROUP BY person_id, program, period
    HAVING count(DISTINCT region_code) > 1
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'region_code': p.region_code,
        'first_region': m.first_region, 'regions': m.regions} AS evidence
FROM pay p
JOIN multi m ON m.person_id = p.person_id AND m.program = p.program AND m.period = p.period
WHERE p.region_code <> m.first_region
