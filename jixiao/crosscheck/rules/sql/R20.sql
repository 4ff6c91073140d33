-- R20 发放地与户籍地不一致: payment region differs from every household-registration record of the month
-- (programs with standards param hukou_required = 1; by default 低保, 特困, 高龄津贴)
WITH required AS (
    SELECT k.program, k.region_code, k.period
    FROM pay_key k
    LEFT JOIN std_at s ON s.program = k.program AND s.region_code = k.region_code AND s.period = k.period
        AND s.param = 'hukou_required'
    WHERE coalesce(s.value, CASE WHEN k.kind IN ('dibao', 'tekun', 'gaoling') THEN 1 ELSE 0 END) = 1
), checked AS (
    SELECT p.payment_id, min(p.person_id) AS person_id, min(p.person_name) AS person_name,
           min(p.program) AS program, min(p.region_code) AS region_code, min(p.period) AS period,
           min(p.amount) AS amount, min(h.region_code) AS hukou_region,
           sum(CASE WHEN h.region_code = p.region_code THEN 1 ELSE 0 END) AS matching
    FROM pay p
    JOIN required r ON r.program = p.program AND r.region_code = p.region_code AND r.period = p.period
    JOIN hukou h ON h.person_id = p.person_id AND @active(h, p)
    GROUP BY p.payment_id
)
SELECT person_id, person_name, program, region_code, period, amount AS amount_at_risk,
       {'payment_id': payment_id, 'period': period, 'amount': amount,
        'region_code': region_code, 'hukou_region': hukou_region} AS evidence
FROM checked
WHERE matching = 0
