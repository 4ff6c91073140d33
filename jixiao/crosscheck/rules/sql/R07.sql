-- R07 低保家庭养老金收入超过低保标准: household pension income above monthly_standard × members
WITH household AS (
    SELECT p.payment_id, count(DISTINCT m.member_id) AS members, sum(i.amount) AS pension
    FROM pay p
    JOIN pay_member m ON m.payment_id = p.payment_id
    LEFT JOIN incomes i ON i.person_id = m.member_id AND i.period = m.period AND i.source = 'pension'
    WHERE p.kind = 'dibao'
    GROUP BY p.payment_id
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'members': h.members,
        'pension': h.pension, 'monthly_standard': s.value} AS evidence
FROM pay p
JOIN household h ON h.payment_id = p.payment_id
JOIN std_at s ON s.program = p.program AND s.region_code = p.region_code AND s.period = p.period
    AND s.param = 'monthly_standard'
WHERE p.kind = 'dibao' AND h.pension > s.value * h.members
