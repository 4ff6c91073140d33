-- R12 年龄不符合项目条件: age (from the ID, at the end of the month) outside [min_age, max_age]
-- (standards min_age / max_age; 高龄津贴 defaults to min_age 80; invalid IDs are left to R19)
WITH lim AS (
    SELECT k.program, k.region_code, k.period, k.period_end_int,
           coalesce(max(CASE WHEN s.param = 'min_age' THEN s.value END),
                    CASE WHEN k.kind = 'gaoling' THEN ${gaoling_min_age} END) AS min_age,
           max(CASE WHEN s.param = 'max_age' THEN s.value END) AS max_age
    FROM pay_key k
    LEFT JOIN std_at s ON s.program = k.program AND s.region_code = k.region_code AND s.period = k.period
        AND s.param IN ('min_age', 'max_age')
    GROUP BY k.program, k.region_code, k.period, k.period_end_int, k.kind
), aged AS (
    SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount, p.payment_id,
           l.min_age, l.max_age,
           CAST(floor((l.period_end_int - TRY_CAST(substr(p.person_id, 7, 8) AS INTEGER)) / 10000) AS INTEGER) AS age
    FROM pay p
    JOIN lim l ON l.program = p.program AND l.region_code = p.region_code AND l.period = p.period
    WHERE (l.min_age IS NOT NULL OR l.max_age IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM id_problems x WHERE x.person_id = p.person_id)
)
SELECT person_id, person_name, program, region_code, period, amount AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount, 'age': age,
        'min_age': min_age, 'max_age': max_age} AS evidence
FROM aged
WHERE age < min_age OR age > max_age
