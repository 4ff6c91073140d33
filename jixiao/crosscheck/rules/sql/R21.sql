-- R21 干部亲属新近迁入受益家庭: a cadre's relative joined a benefit household ≤ N months before the benefit started
WITH hp AS (
    SELECT h.household_id, p.payment_id, p.person_id, p.program, p.region_code, p.period, p.amount, p.pm
    FROM pay p
    JOIN households h ON h.person_id = p.person_id AND @active(h, p)
    WHERE p.means_tested
), start AS (
    SELECT household_id, program, min(pm) AS start_pm FROM hp GROUP BY household_id, program
), added AS (
    SELECT m.household_id, m.person_id, m.valid_from, s.program, s.start_pm
    FROM households m
    JOIN start s ON s.household_id = m.household_id
    WHERE year(m.valid_from) * 12 + month(m.valid_from) BETWEEN s.start_pm - ${recent_months} AND s.start_pm
), relative AS (
    SELECT relative_id, min(cadre_id) AS cadre_id FROM cadre_relatives GROUP BY relative_id
)
SELECT a.person_id, CAST(NULL AS VARCHAR) AS person_name, hp.program, hp.region_code, hp.period,
       hp.amount AS amount_at_risk,
       {'payment_id': hp.payment_id, 'period': hp.period, 'amount': hp.amount, 'household_id': a.household_id,
        'payee_id': hp.person_id, 'joined_on': a.valid_from, 'cadre_id': r.cadre_id} AS evidence
FROM added a
JOIN relative r ON r.relative_id = a.person_id
JOIN hp ON hp.household_id = a.household_id AND hp.program = a.program
