-- R24 帮扶资金发给非建档立卡人员: poverty-targeted benefit with no roster record for the month
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount} AS evidence
FROM pay p
WHERE p.poverty_targeted
  AND NOT EXISTS (SELECT 1 FROM poverty_roster r WHERE r.person_id = p.person_id AND @active(r, p))
