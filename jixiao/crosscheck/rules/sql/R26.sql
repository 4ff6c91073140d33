-- R26 耕地地力补贴面积异常: declared area above the contracted area, or amount above contract_area × rate_per_mu
WITH land AS (
    SELECT person_id, sum(contract_area) AS contract_area, sum(declared_area) AS declared_area
    FROM farmland GROUP BY person_id
), rated AS (
    SELECT p.*, l.contract_area, l.declared_area, coalesce(s.value, ${rate_per_mu}) AS rate
    FROM pay p
    JOIN land l ON l.person_id = p.person_id
    LEFT JOIN std_at s ON s.program = p.program AND s.region_code = p.region_code AND s.period = p.period
        AND s.param = 'rate_per_mu'
    WHERE p.kind = 'farmland'
)
SELECT person_id, person_name, program, region_code, period,
       CASE WHEN declared_area > contract_area THEN amount
            ELSE CAST(amount - contract_area * rate AS DECIMAL(18, 2)) END AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount, 'contract_area': contract_area,
        'declared_area': declared_area, 'rate_per_mu': rate} AS evidence
FROM rated
WHERE declared_area > contract_area OR (rate > 0 AND amount > contract_area * rate)
