-- R02 财政供养人员领取救助或帮扶资金: public servant active in the month receives a means-tested/poverty benefit
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'employer': min(s.employer), 'servant_from': min(s.valid_from)} AS evidence
FROM pay p
JOIN public_servants s ON s.person_id = p.person_id AND @active(s, p)
WHERE p.means_tested OR p.poverty_targeted
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
