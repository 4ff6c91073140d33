-- R05 低保/特困家庭房产超标: the household owns more properties than allowed (standards: max_properties)
WITH owned AS (
    SELECT p.payment_id, count(DISTINCT r.property_id) AS properties, min(r.address) AS address
    FROM pay p
    JOIN pay_member m ON m.payment_id = p.payment_id
    JOIN properties r ON r.owner_id = m.member_id AND (r.registered_on IS NULL OR r.registered_on <= p.period_end)
    WHERE p.kind IN ('dibao', 'tekun')
    GROUP BY p.payment_id
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'properties': o.properties, 'address': o.address} AS evidence
FROM pay p
JOIN owned o ON o.payment_id = p.payment_id
LEFT JOIN std_at s ON s.program = p.program AND s.region_code = p.region_code AND s.period = p.period
    AND s.param = 'max_properties'
WHERE p.kind IN ('dibao', 'tekun') AND o.properties > coalesce(s.value, ${max_properties})
