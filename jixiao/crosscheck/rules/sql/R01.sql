-- R01 死亡后仍发放: paid for a month after the death month (+ grace months), earliest date across sources
WITH death AS (
    SELECT person_id, min(death_date) AS death_date, count(*) AS records
    FROM deaths
    GROUP BY person_id
), grace AS (
    SELECT program, max(value) AS months FROM std WHERE param = 'death_grace_months' GROUP BY program
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'death_date': d.death_date, 'death_records': d.records} AS evidence
FROM pay p
JOIN death d ON d.person_id = p.person_id
LEFT JOIN grace g ON g.program = p.program
WHERE p.pm > year(d.death_date) * 12 + month(d.death_date) + coalesce(g.months, ${grace_months})
