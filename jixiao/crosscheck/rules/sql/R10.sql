-- R10 特困人员同时领取残疾人两项补贴: disability allowances paid in a month the payee gets 特困
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'tekun_payment_id': min(t.payment_id)} AS evidence
FROM pay p
JOIN pay t ON t.person_id = p.person_id AND t.period = p.period AND t.kind = 'tekun'
WHERE p.kind IN ('disability_living', 'disability_care')
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
