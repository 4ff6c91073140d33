-- R14 同一人同月在两地享受同一项目: payments outside the first region are at risk
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'region_code': p.region_code,
        'first_region': r.first_region, 'regions': r.regions} AS evidence
FROM pay_repeats r
JOIN pay p ON p.person_id = r.person_id AND p.program = r.program AND p.period = r.period
WHERE r.regions > 1 AND p.region_code <> r.first_region
