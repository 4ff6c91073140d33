-- R06 低保/特困家庭成员有隐性就业收入: housing-fund deposits or wage tax in the paid month
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'earner_id': min(i.person_id), 'source': min(i.source), 'income': sum(i.amount)} AS evidence
FROM pay p
JOIN pay_member m ON m.payment_id = p.payment_id
JOIN incomes i ON i.person_id = m.member_id AND i.period = m.period
    AND i.source IN ('housing_fund', 'wage_tax') AND i.amount > 0
WHERE p.kind IN ('dibao', 'tekun')
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
