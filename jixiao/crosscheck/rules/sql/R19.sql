-- R19 身份证号无效: the payee's ID fails GB 11643-1999 (length, digits, province, birth date, check char)
WITH checked AS (
    SELECT person_id, @id_problem(person_id) AS problem
    FROM (SELECT DISTINCT person_id FROM pay) d
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'id_raw': p.person_id_raw, 'problem': c.problem} AS evidence
FROM pay p
JOIN checked c ON c.person_id = p.person_id
WHERE c.problem IS NOT NULL
