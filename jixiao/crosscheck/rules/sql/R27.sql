-- R27 医疗救助金额超过医疗费用: monthly aid above the month's out-of-pocket cost (total − insurance)
WITH aid AS (
    SELECT person_id, program, period, min(person_name) AS person_name, min(region_code) AS region_code,
           sum(amount) AS aid, count(*) AS payments
    FROM pay WHERE kind = 'medical_aid'
    GROUP BY person_id, program, period
), cost AS (
    SELECT person_id, period, sum(total_cost - insurance_paid) AS own_cost, count(*) AS cases
    FROM medical_costs GROUP BY person_id, period
)
SELECT a.person_id, a.person_name, a.program, a.region_code, a.period,
       CAST(a.aid - coalesce(c.own_cost, 0) AS DECIMAL(18, 2)) AS amount_at_risk,
       {'period': a.period, 'aid': a.aid, 'payments': a.payments, 'own_cost': c.own_cost,
        'cases': c.cases} AS evidence
FROM aid a
LEFT JOIN cost c ON c.person_id = a.person_id AND c.period = a.period
WHERE a.aid > coalesce(c.own_cost, 0)
