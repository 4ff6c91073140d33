-- R19 身份证号无效: the payee's ID fails GB 11643-1999 (length, digits, province, birth date, check char)
WITH raw AS (
    SELECT payee_id, min(payee_id_raw) AS id_raw
    FROM payments
    WHERE payee_id IN (SELECT person_id FROM id_problems)
    GROUP BY payee_id
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'id_raw': r.id_raw, 'problem': c.problem} AS evidence
FROM pay p
JOIN id_problems c ON c.person_id = p.person_id
JOIN raw r ON r.payee_id = p.person_id
