-- R12 年龄不符合项目条件: age (from the ID, at the end of the month) outside [min_age, max_age]
WITH lim AS (
    SELECT program, region_code, period,
           max(CASE WHEN param = 'min_age' THEN value END) AS min_age,
           max(CASE WHEN param = 'max_age' THEN value END) AS max_age
    FROM std_at
    WHERE param IN ('min_age', 'max_age')
    GROUP BY program, region_code, period
), aged AS (
    SELECT p.*, @age(p.person_id, p.period_end) AS age,
           coalesce(l.min_age, CASE WHEN p.kind = 'gaoling' THEN ${gaoling_min_age} END) AS min_age,
           l.max_age
    FROM pay p
    LEFT JOIN lim l ON l.program = p.program AND l.region_code = p.region_code AND l.period = p.period
    WHERE regexp_matches(p.person_id, '^[0-9]{17}[0-9X]$')
      AND @birth_date(p.person_id) IS NOT NULL
)
SELECT person_id, person_name, program, region_code, period, amount AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount, 'age': age,
        'min_age': min_age, 'max_age': max_age} AS evidence
FROM aged
WHERE age < min_age OR age > max_age
