-- R30 应享未享(反向比对): (a) disabled member of a 低保 household with no 生活补贴 that month;
-- (b) aged ≥ min_age of 高龄津贴 (default 80) at the last paid month, alive, and never paid 高龄津贴
WITH last_month AS (
    SELECT max(period) AS period, max(period_end) AS period_end FROM months
), living AS (
    SELECT min(program) AS program FROM prog WHERE kind = 'disability_living'
), gaoling AS (
    SELECT min(program) AS program FROM prog WHERE kind = 'gaoling'
), gaoling_age AS (
    SELECT coalesce(min(s.value), ${gaoling_min_age}) AS min_age
    FROM std s JOIN prog g ON g.program = s.program WHERE g.kind = 'gaoling' AND s.param = 'min_age'
), dibao_member AS (
    SELECT DISTINCT m.member_id, d.period, d.period_start, d.period_end, d.region_code
    FROM pay d JOIN pay_member m ON m.payment_id = d.payment_id
    WHERE d.kind = 'dibao'
), missed_living AS (
    SELECT dm.member_id AS person_id, lv.program, dm.region_code, dm.period
    FROM dibao_member dm
    CROSS JOIN living lv
    JOIN disabilities x ON x.person_id = dm.member_id
        AND (x.valid_from IS NULL OR x.valid_from <= dm.period_end)
        AND (x.valid_to IS NULL OR x.valid_to >= dm.period_start)
    WHERE NOT EXISTS (SELECT 1 FROM pay q WHERE q.person_id = dm.member_id AND q.period = dm.period
                      AND q.kind IN ('disability_living', 'tekun'))
      AND NOT EXISTS (SELECT 1 FROM deaths z WHERE z.person_id = dm.member_id AND z.death_date < dm.period_start)
    GROUP BY dm.member_id, lv.program, dm.region_code, dm.period
), residents AS (
    SELECT DISTINCT h.person_id FROM households h CROSS JOIN last_month lm
    WHERE (h.valid_from IS NULL OR h.valid_from <= lm.period_end) AND (h.valid_to IS NULL OR h.valid_to >= lm.period_end)
    UNION
    SELECT person_id FROM payees
), missed_gaoling AS (
    SELECT r.person_id, g.program, lm.period
    FROM residents r
    CROSS JOIN last_month lm
    CROSS JOIN gaoling g
    CROSS JOIN gaoling_age ga
    WHERE regexp_matches(r.person_id, '^[0-9]{17}[0-9X]$')
      AND @birth_date(r.person_id) IS NOT NULL
      AND @age(r.person_id, lm.period_end) >= ga.min_age
      AND NOT EXISTS (SELECT 1 FROM id_problems x WHERE x.person_id = r.person_id)
      AND NOT EXISTS (SELECT 1 FROM pay q WHERE q.person_id = r.person_id AND q.kind = 'gaoling')
      AND NOT EXISTS (SELECT 1 FROM deaths z WHERE z.person_id = r.person_id AND z.death_date <= lm.period_end)
)
SELECT person_id, CAST(NULL AS VARCHAR) AS person_name, program, region_code, period,
       CAST(0 AS DECIMAL(18, 2)) AS amount_at_risk,
       {'missing': 'disability_living', 'period': period} AS evidence
FROM missed_living
UNION ALL
SELECT person_id, CAST(NULL AS VARCHAR) AS person_name, program, CAST(NULL AS VARCHAR) AS region_code, period,
       CAST(0 AS DECIMAL(18, 2)) AS amount_at_risk,
       {'missing': 'gaoling', 'period': period} AS evidence
FROM missed_gaoling
