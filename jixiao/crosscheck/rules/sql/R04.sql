-- R04 低保/特困/建档立卡家庭成员经商办企业: legal rep, shareholder or sole trader of an active company
WITH active_company AS (
    SELECT person_id, min(company_name) AS company_name, min(role) AS role, count(*) AS companies
    FROM companies
    WHERE role IN ('legal_rep', 'shareholder', 'sole_trader')
      AND coalesce(status, '') NOT IN ('注销', '吊销', '撤销', '迁出', 'cancelled', 'revoked', 'closed')
    GROUP BY person_id
), member AS (
    SELECT payment_id, member_id FROM pay_member
    UNION
    SELECT payment_id, person_id AS member_id FROM pay WHERE poverty_targeted
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'member_id': min(c.person_id), 'company_name': min(c.company_name), 'role': min(c.role)} AS evidence
FROM pay p
JOIN member m ON m.payment_id = p.payment_id
JOIN active_company c ON c.person_id = m.member_id
WHERE p.kind IN ('dibao', 'tekun') OR p.poverty_targeted
GROUP BY p.payment_id, p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount
