-- R20 发放地与户籍地不一致: payment region differs from every household-registration record of the month
-- (programs with standards param hukou_required = 1; by default 低保, 特困, 高龄津贴)
WITH reg AS (
    SELECT p.payment_id, count(*) AS records,
           sum(CASE WHEN h.region_code = p.region_code THEN 1 ELSE 0 END) AS matching,
           min(h.region_code) AS hukou_region
    FROM pay p
    JOIN hukou h ON h.person_id = p.person_id AND @active(h, p)
    GROUP BY p.payment_id
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'region_code': p.region_code, 'hukou_region': r.hukou_region} AS evidence
FROM pay p
JOIN reg r ON r.payment_id = p.payment_id
LEFT JOIN std_at s ON s.program = p.program AND s.region_code = p.region_code AND s.period = p.period
    AND s.param = 'hukou_required'
WHERE r.matching = 0
  AND coalesce(s.value, CASE WHEN p.kind IN ('dibao', 'tekun', 'gaoling') THEN 1 ELSE 0 END) = 1
