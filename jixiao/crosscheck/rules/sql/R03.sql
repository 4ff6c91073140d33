-- R03 低保/特困家庭有机动车: a household member owns a vehicle (other than a disability vehicle)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'owner_id': min(v.owner_id), 'plate': min(v.plate), 'vehicles': count(*)} AS evidence
FROM pay p
JOIN pay_member m ON m.payment_id = p.payment_id
JOIN vehicles v ON v.owner_id = m.member_id
    AND (v.registered_on IS NULL OR v.registered_on <= p.period_end)
    AND coalesce(v.vehicle_type, '') NOT LIKE '%残疾%'
WHERE p.kind IN ('dibao', 'tekun')
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
