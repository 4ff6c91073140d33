-- R09 同月同时享受低保和特困: the 低保 payment is at risk when the same payee gets 特困 that month
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'tekun_payment_id': min(t.payment_id), 'tekun_amount': sum(t.amount)} AS evidence
FROM pay p
JOIN pay t ON t.person_id = p.person_id AND t.period = p.period AND t.kind = 'tekun'
WHERE p.kind = 'dibao'
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
