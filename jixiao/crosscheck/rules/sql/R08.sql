-- R08 干部近亲属享受救助未备案: relative of a cadre (active in the month) receives a means-tested benefit, not filed
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'cadre_id': min(r.cadre_id), 'relation': min(r.relation), 'cadre_role': min(c.role)} AS evidence
FROM pay p
JOIN cadre_relatives r ON r.relative_id = p.person_id AND NOT coalesce(r.filed, false)
JOIN cadres c ON c.person_id = r.cadre_id AND @active(c, p)
WHERE p.means_tested
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
