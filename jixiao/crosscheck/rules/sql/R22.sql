-- R22 服刑期间领取: paid for a month overlapping a prison term
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'prison_from': min(x.valid_from), 'prison_to': max(x.valid_to)} AS evidence
FROM pay p
JOIN prisoners x ON x.person_id = p.person_id AND @active(x, p)
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
