-- R28 超出资格有效期发放: disability allowance for a month outside every disability-record window
-- (poverty-targeted programs are R24)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'records': (SELECT count(*) FROM disabilities d WHERE d.person_id = p.person_id)} AS evidence
FROM pay p
WHERE p.kind IN ('disability_living', 'disability_care')
  AND NOT EXISTS (SELECT 1 FROM disabilities d WHERE d.person_id = p.person_id AND @active(d, p))
