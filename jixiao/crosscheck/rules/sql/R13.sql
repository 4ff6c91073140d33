-- R13 同月重复领取两种养老金: resident pension paid in a month the payee also gets an employee pension
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'employee_pension_payment_id': min(e.payment_id), 'employee_pension_amount': sum(e.amount)} AS evidence
FROM pay p
JOIN pay e ON e.person_id = p.person_id AND e.period = p.period AND e.kind = 'employee_pension'
WHERE p.kind = 'resident_pension'
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
