-- R18 发放金额超标准或为零/负数: amount > max_amount, > monthly_standard × household size, or ≤ 0
-- (household size: members of the payee's household that month, for per-household programs)
WITH lim AS (
    SELECT program, region_code, period,
           max(CASE WHEN param = 'max_amount' THEN value END) AS max_amount,
           max(CASE WHEN param = 'monthly_standard' THEN value END) AS monthly_standard
    FROM std_at
    WHERE param IN ('max_amount', 'monthly_standard')
    GROUP BY program, region_code, period
), size AS (
    SELECT p.payment_id, count(DISTINCT m.person_id) AS members
    FROM pay p
    JOIN households h ON h.person_id = p.person_id AND @active(h, p)
    JOIN households m ON m.household_id = h.household_id AND @active(m, p)
    WHERE p.per = 'household'
    GROUP BY p.payment_id
), checked AS (
    SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount, p.payment_id,
           l.max_amount, l.monthly_standard, 1 AS members
    FROM pay p
    LEFT JOIN lim l ON l.program = p.program AND l.region_code = p.region_code AND l.period = p.period
    WHERE coalesce(p.per, 'person') <> 'household'
    UNION ALL
    SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount, p.payment_id,
           l.max_amount, l.monthly_standard, greatest(coalesce(s.members, 1), 1) AS members
    FROM pay p
    LEFT JOIN lim l ON l.program = p.program AND l.region_code = p.region_code AND l.period = p.period
    LEFT JOIN size s ON s.payment_id = p.payment_id
    WHERE p.per = 'household'
)
SELECT person_id, person_name, program, region_code, period,
       CASE WHEN amount <= 0 THEN CAST(0 AS DECIMAL(18, 2))
            ELSE CAST(amount - least(coalesce(max_amount, amount), coalesce(monthly_standard * members, amount))
                      AS DECIMAL(18, 2)) END AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount, 'max_amount': max_amount,
        'monthly_standard': monthly_standard, 'members': members} AS evidence
FROM checked
WHERE amount <= 0 OR amount > max_amount OR amount > monthly_standard * members
