-- R11 残疾人两项补贴发放对象不符: 护理补贴 with grade not 1/2, or 生活补贴 outside a 低保 household
WITH grade AS (
    SELECT p.payment_id, min(d.grade) AS grade
    FROM pay p
    JOIN disabilities d ON d.person_id = p.person_id AND @active(d, p)
    WHERE p.kind = 'disability_care'
    GROUP BY p.payment_id
), dibao_member AS (
    SELECT DISTINCT m.member_id, d.period
    FROM pay d
    JOIN pay_member m ON m.payment_id = d.payment_id
    WHERE d.kind = 'dibao'
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'kind': p.kind,
        'grade': g.grade, 'in_dibao_household': dm.member_id IS NOT NULL} AS evidence
FROM pay p
LEFT JOIN grade g ON g.payment_id = p.payment_id
LEFT JOIN dibao_member dm ON dm.member_id = p.person_id AND dm.period = p.period
WHERE (p.kind = 'disability_care' AND g.grade NOT IN (1, 2))
   OR (p.kind = 'disability_living' AND dm.member_id IS NULL)
